// CLI commands that need the data directory work while `serve` holds it, through the running service,
// and say what to do when they cannot.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli, startServe, stopChild } from './helpers/child.js';
import { CLAUDE_CODE_FIXTURES } from './helpers/fixtures.js';

t.test('migrate while serve runs, and a second serve on the same directory', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url } = await startServe(dataDir);
  t.teardown(() => stopChild(child));

  const viaService = await runCli(['migrate'], { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: url });
  t.equal(viaService.code, 0, viaService.stderr);
  t.match(viaService.stdout, /through the running service/);

  const nobody = await runCli(['migrate'], { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: 'http://127.0.0.1:9' });
  t.equal(nobody.code, 1);
  t.match(nobody.stderr, /held by another process.*TRACEMILL_URL/s);

  const second = await runCli(['serve'], { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_HTTP_PORT: '0', TRACEMILL_GRPC_PORT: '0' });
  t.equal(second.code, 1);
  t.match(second.stderr, /in use by another process/);
  t.equal(await stopChild(child), 0, 'SIGTERM stops serve cleanly');
});

t.test('bad configuration is refused with the variable named', async (t) => {
  const r = await runCli(['serve'], { TRACEMILL_HTTP_PORT: 'eighty' });
  t.equal(r.code, 1);
  t.match(r.stderr, /TRACEMILL_HTTP_PORT/);
  const u = await runCli(['nope'], {});
  t.equal(u.code, 2);
  t.match(u.stderr, /unknown command/);
});

t.test('renormalize through the running service, then directly, without duplicates', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url } = await startServe(dataDir, { TRACEMILL_SETTLE_MS: '100' });
  t.teardown(() => stopChild(child));
  for (const signal of ['traces', 'logs']) {
    const res = await fetch(`${url}/v1/${signal}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync(join(CLAUDE_CODE_FIXTURES, 'tools', `${signal}.json`)),
    });
    t.equal(res.status, 200);
  }
  const counts = async (base: string) => {
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${base}/api/v1/tools/stats?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`);
      const body = (await res.json()) as { tools: { tool: string; calls: number }[] };
      if (body.tools.length) return body.tools.map((x) => `${x.tool}:${x.calls}`).sort();
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  };
  const before = await counts(url);
  t.same(before, ['Bash:2', 'Read:1'], 'settled by the service');

  const bad = await runCli(['renormalize', '--since', 'last tuesday'], { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: url });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--since: "last tuesday" is not a time/);
  // Out of range, or an empty range: a usage message, never a stack.
  for (const args of [
    ['--since', '9999999999999999999d'],
    ['--since', '2300-01-01T00:00:00Z'],
    ['--since', '2026-02-30'],
    ['--since', '1d', '--until', '30d'],
  ]) {
    const r = await runCli(['renormalize', ...args], { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: url });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, /^tracemill renormalize: --(since|until).*\nusage: tracemill renormalize/s, args.join(' '));
    t.notMatch(r.stderr, /RangeError|\n\s+at /, 'no stack');
  }

  const via = await runCli(['renormalize', '--since', '30d'], { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: url });
  t.equal(via.code, 0, via.stderr);
  t.equal(via.stderr, '', 'nothing on stderr: not the engine refusing the held directory');
  t.match(via.stdout, /rebuilt 1 groups: \d+ operations, 2 failures \(through the running service\)/);
  t.same(await counts(url), before, 'rebuilding changes nothing');
  t.equal(await stopChild(child), 0);

  const direct = await runCli(['renormalize', '--since=3650d'], { TRACEMILL_DATA_DIR: dataDir });
  t.equal(direct.code, 0, direct.stderr);
  t.match(direct.stdout, /rebuilt 1 groups: \d+ operations, 2 failures on embedded/);
  const again = await startServe(dataDir);
  t.teardown(() => stopChild(again.child));
  t.same(await counts(again.url), before, 'still each call once');
});
