// Normalized records as the service stores them: the Claude Code captures sent over OTLP/HTTP (spans alone,
// logs alone, both, and both in separate requests seconds apart), settled, and read back from the
// operations table — each call exactly once.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLAUDE_CODE_FIXTURES } from '../helpers/fixtures.js';
import { startServe, stopChild } from '../helpers/child.js';
import { post, startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

type Dir = 'tools' | 'subagent' | 'compaction';

/** The capture's text with every session id and trace id replaced, so each scenario is its own conversation. */
function relabel(text: string, label: string): string {
  const swap = (id: string) => createHash('sha1').update(label + id).digest('hex').slice(0, 8) + id.slice(8);
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, swap)
    .replace(/"traceId":\s*"([0-9a-f]{32})"/g, (_m, id: string) => `"traceId": "${swap(id)}"`);
}

function capture(dir: Dir, signal: 'traces' | 'logs', label: string): string {
  return relabel(readFileSync(join(CLAUDE_CODE_FIXTURES, dir, `${signal}.json`), 'utf8'), label);
}

async function send(dir: Dir, signals: ('traces' | 'logs')[], label: string): Promise<void> {
  for (const s of signals) {
    const res = await post(`${svc.httpUrl}/v1/${s}`, capture(dir, s, label), { 'content-type': 'application/json' });
    if (res.status !== 200) throw new Error(`${s}: ${res.status} ${res.body.toString()}`);
  }
}

interface Row {
  kind: string;
  source: string;
  session_id: string;
  trace_id: string;
  tool_name: string;
  tool_call_id: string;
  status: string;
  error_message: string;
  request_id: string;
  input_tokens: string | null;
  cost_usd: number | null;
  agent_id: string;
  parent_agent_id: string;
  depth: number;
  compaction_trigger: string;
  compaction_tokens_before: string | null;
  compaction_tokens_after: string | null;
  failure_modes: string[];
}

function operationsSession(label: string, dir: Dir = 'tools'): string {
  return JSON.parse(capture(dir, 'logs', label)).resourceLogs[0].scopeLogs[0].logRecords
    .flatMap((r: { attributes: { key: string; value: { stringValue?: string } }[] }) => r.attributes)
    .find((a: { key: string }) => a.key === 'session.id').value.stringValue as string;
}

async function operations(label: string, dir: Dir): Promise<Row[]> {
  const session = operationsSession(label, dir);
  return svc.rows<Row>(
    `SELECT kind, source, session_id, trace_id, tool_name, tool_call_id, status, error_message, request_id, input_tokens, cost_usd,
            agent_id, parent_agent_id, depth, compaction_trigger, compaction_tokens_before, compaction_tokens_after, failure_modes
       FROM operations FINAL WHERE session_id = {s:String} ORDER BY start_time, kind`,
    { s: session },
  );
}

const of = (rows: Row[], kind: string) => rows.filter((r) => r.kind === kind);

for (const mode of ['spans', 'logs', 'both', 'both-later'] as const) {
  t.test(`tools/ from ${mode}`, async (t) => {
    const label = `tools-${mode}`;
    if (mode === 'both-later') {
      // Logs first, settled and stored alone; the spans arrive later: the rebuild must replace, not add.
      await send('tools', ['logs'], label);
      await svc.normalizer.flush();
      t.equal(of(await operations(label, 'tools'), 'llm').length, 4, 'four LLM calls from the logs alone');
      await send('tools', ['traces'], label);
    } else {
      await send('tools', mode === 'spans' ? ['traces'] : mode === 'logs' ? ['logs'] : ['traces', 'logs'], label);
    }
    await svc.normalizer.flush();
    const rows = await operations(label, 'tools');
    const tools = of(rows, 'tool');
    t.same(
      tools.map((r) => [r.tool_name, r.tool_call_id, r.status]),
      [
        ['Bash', 'toolu_1', 'ok'],
        ['Read', 'toolu_2', 'error'],
        ['Bash', 'toolu_3', 'ok'],
      ],
      'three tool calls, the Read failed',
    );
    t.match(tools[1].error_message, /^File does not exist\./);
    const llm = of(rows, 'llm');
    t.same(
      llm.map((r) => r.request_id),
      ['req_1', 'req_2', 'req_3', 'req_4'],
      'four LLM calls, each once',
    );
    t.same(
      llm.map((r) => Number(r.input_tokens)),
      [2001, 2002, 2003, 2004],
    );
    const both = mode === 'both' || mode === 'both-later';
    for (const r of llm) {
      t.equal(r.source, both ? 'span+log' : mode === 'spans' ? 'span' : 'log');
      if (mode === 'spans') t.equal(r.cost_usd, null, 'spans carry no cost');
      else t.ok(r.cost_usd !== null && r.cost_usd > 0.0057 && r.cost_usd < 0.0058, 'cost from api_request');
    }
    const modes = rows.flatMap((r) => r.failure_modes).sort();
    t.same(modes, ['repeated_tool_call', 'tool_error'], 'one tool_error (Read) and one repeated_tool_call (Bash)');
  });
}

for (const mode of ['spans', 'logs', 'both'] as const) {
  t.test(`subagent/ from ${mode}`, async (t) => {
    const label = `subagent-${mode}`;
    await send('subagent', mode === 'spans' ? ['traces'] : mode === 'logs' ? ['logs'] : ['traces', 'logs'], label);
    await svc.normalizer.flush();
    const rows = await operations(label, 'subagent');
    const subs = of(rows, 'subagent');
    t.equal(subs.length, 1, 'one subagent');
    t.equal(subs[0].depth, 1);
    t.equal(subs[0].parent_agent_id, rows.find((r) => r.depth === 0 && r.kind === 'llm')?.agent_id ?? '', 'linked to the main agent');
    const inner = rows.filter((r) => r.agent_id === subs[0].agent_id && r.kind !== 'subagent');
    t.ok(of(inner, 'llm').length >= 1, 'with its own LLM calls');
    t.same(
      of(inner, 'tool').map((r) => r.tool_name),
      ['Bash'],
      'and its ls tool call',
    );
    t.same(rows.flatMap((r) => r.failure_modes), ['tool_error'], 'one tool_error in the main agent');
    t.equal(rows.find((r) => r.failure_modes.length)?.depth, 0);
  });

  t.test(`compaction/ from ${mode}`, async (t) => {
    const label = `compaction-${mode}`;
    await send('compaction', mode === 'spans' ? ['traces'] : mode === 'logs' ? ['logs'] : ['traces', 'logs'], label);
    await svc.normalizer.flush();
    const rows = await operations(label, 'compaction');
    const c = of(rows, 'compaction');
    t.equal(c.length, 1, 'one compaction record');
    t.equal(c[0].compaction_trigger, 'auto');
    t.ok(Number(c[0].compaction_tokens_before) > Number(c[0].compaction_tokens_after), 'tokens before > after');
    t.ok(rows.flatMap((r) => r.failure_modes).includes('compaction'));
  });
}

t.test('a crash before settling: the next start settles what was committed', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-settle-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const toolCalls = async (url: string) => {
    const res = await fetch(`${url}/api/v1/tools/stats?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`);
    return ((await res.json()) as { tools: { tool: string; calls: number }[] }).tools.map((x) => `${x.tool}:${x.calls}`).sort();
  };
  // A settle period of ten minutes: nothing is normalized before the kill.
  const first = await startServe(dataDir, { TRACEMILL_SETTLE_MS: '600000' });
  for (const s of ['traces', 'logs'] as const) {
    const res = await post(`${first.url}/v1/${s}`, capture('tools', s, 'crash'), { 'content-type': 'application/json' });
    t.equal(res.status, 200);
  }
  t.same(await toolCalls(first.url), [], 'not settled yet');
  await stopChild(first.child, 'SIGKILL');

  const second = await startServe(dataDir, { TRACEMILL_SETTLE_MS: '100' });
  t.teardown(() => stopChild(second.child));
  let calls: string[] = [];
  for (let i = 0; i < 100 && calls.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    calls = await toolCalls(second.url);
  }
  t.same(calls, ['Bash:2', 'Read:1'], 'settled after the restart, each call once');
});
