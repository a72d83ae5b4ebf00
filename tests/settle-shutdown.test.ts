// Analysis never holds the service (issue 15): while one long conversation is being normalized, /healthz
// answers; SIGTERM ends the process within TRACEMILL_SHUTDOWN_GRACE_MS even with analysis unfinished; and
// the next start on the same data directory settles what was left (the watermark covers it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startServe, stopChild } from './helpers/child.js';
import { claudeCodeRequest } from './helpers/sessions.js';

// Long enough that the rebuild abandoned at the deadline (grace minus a fifth) is left in time on a busy machine.
const GRACE_MS = 10_000;

async function toolCalls(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/tools/stats?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`);
  const body = (await res.json()) as { tools: { calls: number }[] };
  return body.tools.reduce((n, x) => n + x.calls, 0);
}

t.test('one long session: /healthz answers during its analysis, SIGTERM ends within the grace period, the restart settles the rest', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-settle-stop-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startServe(dataDir, { TRACEMILL_SETTLE_MS: '300', TRACEMILL_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  let exit: number | null | undefined;
  let exitSignal: string | null = null;
  const exited = new Promise<void>((resolve) => first.child.on('exit', (code, signal) => ((exit = code), (exitSignal = signal), resolve())));
  t.teardown(() => (exit === undefined ? stopChild(first.child, 'SIGKILL') : undefined));

  // 48 requests of 16 traces (512 spans each): ~25k spans in one conversation.
  let tools = 0;
  for (let seq = 0; seq < 48; seq++) {
    const r = claudeCodeRequest('one-long-session', seq, 16);
    const res = await fetch(`${first.url}/v1/traces`, { method: 'POST', body: r.body, headers: { 'content-type': 'application/json' } });
    t.equal(res.status, 200, `request ${seq}`, { bail: true });
    tools += r.tools;
  }

  // The conversation is quiet now: its rebuild starts within the settle time. Meanwhile /healthz is polled.
  let slowest = 0;
  const started = performance.now();
  while (performance.now() - started < 3000) {
    const t0 = performance.now();
    const res = await fetch(`${first.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    slowest = Math.max(slowest, performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Generous for a shared machine: normalizing this session on the event loop takes several seconds of CPU; what
  // remains there is reading the session's rows (docs/scaling.md), well under that.
  t.ok(slowest < 2500, `slowest /healthz during the analysis: ${Math.round(slowest)} ms`);

  const termAt = performance.now();
  first.child.kill('SIGTERM');
  await exited;
  const stopMs = performance.now() - termAt;
  t.ok(stopMs < GRACE_MS + 2000, `exited ${Math.round(stopMs)} ms after SIGTERM (grace period ${GRACE_MS} ms), code ${exit}, signal ${exitSignal}`);
  t.equal(exit, 0, 'a clean exit (code 0): what was not settled by the deadline is left, the store closed');
  if (process.env.DEBUG_SETTLE) console.error(first.output().slice(-3000));

  // Whatever the first process had not settled, the next start does.
  const second = await startServe(dataDir, { TRACEMILL_SETTLE_MS: '300' });
  t.teardown(() => stopChild(second.child));
  let calls = 0;
  for (let i = 0; i < 600 && calls < tools; i++) {
    await new Promise((r) => setTimeout(r, 200));
    calls = await toolCalls(second.url);
  }
  t.equal(calls, tools, `every tool call normalized after the restart (${tools})`);
  t.equal(await stopChild(second.child), 0, 'a quiet service stops with 0');
});
