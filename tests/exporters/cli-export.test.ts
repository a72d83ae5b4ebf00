// `tracemill export` as users run it: through the running service while `serve` holds the data directory, then
// directly on the directory, with the same files; bad input refused before any work; and what to do when neither
// the directory nor a service can be reached.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli, startServe, stopChild } from '../helpers/child.js';
import { CLAUDE_CODE_FIXTURES } from '../helpers/fixtures.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-cli-export-'));
const out = mkdtempSync(join(tmpdir(), 'tracemill-cli-export-out-'));
t.teardown(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

t.test('with serve running, then without', async (t) => {
  const { child, url } = await startServe(dataDir, { TRACEMILL_SETTLE_MS: '100' });
  t.teardown(() => stopChild(child));
  for (const dir of ['tools', 'subagent']) {
    for (const signal of ['traces', 'logs']) {
      const res = await fetch(`${url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(join(CLAUDE_CODE_FIXTURES, dir, `${signal}.json`)) });
      t.equal(res.status, 200);
    }
  }
  for (let i = 0; i < 100; i++) {
    const body = (await (await fetch(`${url}/api/v1/traces?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`)).json()) as { traces: unknown[] };
    if (body.traces.length >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: url };
  const args = (dir: string) => ['export', '--format', 'openai-chat', '--since', '3650d', '--blamed', 'keep', '--out', join(out, dir)];

  const via = await runCli(args('via'), env);
  t.equal(via.code, 0, via.stderr);
  t.match(via.stdout, /^exported 2 openai-chat examples from 3 runs to .*via in [\d.]+s \(2 partial, 1 skipped, 0 duplicates, 0 redactions\) \(through the running service\)\n$/);
  t.same(readdirSync(join(out, 'via')).sort(), ['manifest.json', 'train.jsonl', 'train.metadata.jsonl']);
  const manifest = JSON.parse(readFileSync(join(out, 'via', 'manifest.json'), 'utf8'));
  t.match(manifest, { format: 'openai-chat', counts: { examples: 2, partial: 2, runs: 3, skipped: { first_turn_not_user: 1 } } });

  const unknownFormat = await runCli(['export', '--format', 'alpaca', '--out', join(out, 'x')], env);
  t.equal(unknownFormat.code, 2);
  t.match(unknownFormat.stderr, /format: unknown format "alpaca"; the formats are openai-chat, trl, sharegpt, openai-preference, trl-preference, records/);
  const unknownOption = await runCli(['export', '--format', 'trl', '--colour', 'red', '--out', join(out, 'x')], env);
  t.equal(unknownOption.code, 2);
  t.match(unknownOption.stderr, /unknown option "--colour"; the options are --format, --since/);
  writeFileSync(join(out, 'a-file'), '');
  const unwritable = await runCli(['export', '--format', 'trl', '--out', join(out, 'a-file', 'sub')], env);
  t.equal(unwritable.code, 2);
  t.match(unwritable.stderr, /out: cannot write to .*a-file\/sub: ENOTDIR/);

  const nobody = await runCli(args('nobody'), { TRACEMILL_DATA_DIR: dataDir, TRACEMILL_URL: 'http://127.0.0.1:9' });
  t.equal(nobody.code, 1);
  t.match(nobody.stderr, /held by another process.*no tracemill service answers at http:\/\/127\.0\.0\.1:9.*TRACEMILL_URL/s);
  t.notOk(readdirSync(out).includes('nobody') && readdirSync(join(out, 'nobody')).some((f) => !f.startsWith('.')), 'nothing that looks like an export');

  t.equal(await stopChild(child), 0);
  const direct = await runCli(args('direct'), { TRACEMILL_DATA_DIR: dataDir });
  t.equal(direct.code, 0, direct.stderr);
  t.match(direct.stdout, /exported 2 openai-chat examples from 3 runs .*\(embedded ClickHouse in /);
  t.equal(readFileSync(join(out, 'direct', 'train.jsonl'), 'utf8'), readFileSync(join(out, 'via', 'train.jsonl'), 'utf8'), 'the same corpus either way');
  t.equal(readFileSync(join(out, 'direct', 'train.metadata.jsonl'), 'utf8'), readFileSync(join(out, 'via', 'train.metadata.jsonl'), 'utf8'));
});
