// CLI commands that need the data directory work while `serve` holds it, through the running service,
// and say what to do when they cannot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli, startServe, stopChild } from './helpers/child.js';

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
