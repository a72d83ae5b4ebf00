// Incremental settling (issue 15): a conversation that keeps growing is rebuilt trace by trace, each rebuild
// reading what changed plus the conversation's recent traces (src/analysis/tail.ts), never the whole
// history; operations of traces that did not change are not written again; failures that span traces are
// still found; and `renormalize`, which rebuilds everything from the raw data, gives the same operations
// and failures as the incremental rebuilds did.
import t from 'tap';
import { TAIL_TRACES } from '../src/analysis/tail.js';
import { claudeCodeRequest } from './helpers/sessions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLAUDE_CODE_FIXTURES } from './helpers/fixtures.js';
import { post, startTestService } from './helpers/service.js';

// A settle time nobody waits for: each step below settles with an explicit flush.
const svc = await startTestService({ settleMs: 3_600_000 });
t.teardown(() => svc.stop());

const JSON_HEADERS = { 'content-type': 'application/json' };

const spansRead = async (): Promise<number> => {
  const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('tracemill_settle_rows_read_total{table="spans"}'));
  return line ? Number(line.split(' ')[1]) : 0;
};

/** Every live operation of a group, all columns but the row version, in a stable order. */
const snapshot = (groupKey: string) =>
  svc.rows<Record<string, unknown>>(
    `SELECT * EXCEPT (version, updated_at) FROM operations FINAL WHERE group_key = {g:String} AND is_deleted = 0 ORDER BY trace_id, span_id`,
    { g: groupKey },
  );

const renormalize = () => svc.normalizer.renormalize({ since: new Date(0) });

t.test('a growing session: each rebuild reads the new trace and a bounded tail, and rewrites nothing else', async (t) => {
  const steps = 30;
  const reads: number[] = [];
  let spansPerTrace = 0;
  for (let i = 0; i < steps; i++) {
    // The same arguments for the first tool call of every trace: each trace is its own agent run (a Claude
    // Code interaction), so this is no repeated call, before or after.
    const r = claudeCodeRequest('growing', i + 1, 1, { repeat: '{"file_path":"/src/same.ts"}' });
    spansPerTrace = r.spans;
    t.equal((await post(`${svc.httpUrl}/v1/traces`, r.body, JSON_HEADERS)).status, 200);
    const before = await spansRead();
    await svc.normalizer.flush();
    reads.push((await spansRead()) - before);
  }
  // Step i reads its own trace and the tail's other traces: at most TAIL_TRACES + 1 traces however long the
  // session is, where a whole-conversation rebuild would read all i + 1.
  for (let i = 0; i < steps; i++) t.equal(reads[i], spansPerTrace * Math.min(i + 1, TAIL_TRACES + 1), `step ${i} reads ${reads[i]} span rows`);
  t.ok(reads[steps - 1] < spansPerTrace * steps, 'the last step reads less than the whole session');

  const versions = await svc.rows<{ trace_id: string; v: string }>(
    `SELECT trace_id, toString(uniqExact(version)) AS v FROM operations WHERE group_key = 's:growing' GROUP BY trace_id ORDER BY trace_id`,
  );
  t.equal(versions.length, steps, 'every trace has operations');
  t.same(
    versions.filter((r) => r.v !== '1').map((r) => r.trace_id),
    [],
    'each trace was written once: later rebuilds did not rewrite the operations of traces that did not change',
  );

  const incremental = await snapshot('s:growing');
  t.equal(incremental.filter((r) => r.kind === 'tool').length, steps * 15, 'every tool call is there');
  t.same(incremental.flatMap((r) => r.failure_modes as string[]), [], 'no failure: the repeated arguments are in separate runs');
  await renormalize();
  t.same(await snapshot('s:growing'), incremental, 'renormalize gives the same operations');
});

t.test('a conversation too long for one rebuild is built in pages, in time order', async (t) => {
  // 300 traces in one request: the first rebuild of this conversation is whole, in pages of 256 traces, the
  // second page with the first one's tail as context.
  const r = claudeCodeRequest('long', 2000, 300);
  t.equal((await post(`${svc.httpUrl}/v1/traces`, r.body, JSON_HEADERS)).status, 200);
  const before = await spansRead();
  await svc.normalizer.flush();
  const perTrace = r.spans / 300;
  t.equal((await spansRead()) - before, perTrace * (300 + TAIL_TRACES), 'each trace read once, plus one tail of context');
  const ops = await snapshot('s:long');
  t.equal(ops.filter((o) => o.kind === 'tool').length, r.tools, 'every tool call is there');
  t.equal(new Set(ops.map((o) => o.trace_id)).size, 300, 'every trace is there');
  await renormalize();
  t.same(await snapshot('s:long'), ops, 'renormalize gives the same operations');
});

// Agent-less traces of one conversation (an agent that puts each model call and tool batch in a trace of its
// own, as Gemini CLI does) are judged together: a call repeated in a later trace is a repeat.
function fragment(session: string, n: number, tool: { name: string; args: string; error?: boolean }): string {
  const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
  const traceId = 'f7a9' + hex(n, 28);
  const base = 1_790_100_000_000_000_000n + BigInt(n) * 10_000_000_000n;
  const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });
  const spans = [
    {
      traceId,
      spanId: hex(n, 12) + '0001',
      name: 'chat gpt-5',
      startTimeUnixNano: String(base),
      endTimeUnixNano: String(base + 1_000_000_000n),
      attributes: [attr('gen_ai.conversation.id', session), attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-5'), attr('gen_ai.usage.input_tokens', 100), attr('gen_ai.usage.output_tokens', 10)],
    },
    {
      traceId,
      spanId: hex(n, 12) + '0002',
      name: `execute_tool ${tool.name}`,
      startTimeUnixNano: String(base + 2_000_000_000n),
      endTimeUnixNano: String(base + 3_000_000_000n),
      attributes: [
        attr('gen_ai.conversation.id', session),
        attr('gen_ai.operation.name', 'execute_tool'),
        attr('gen_ai.tool.name', tool.name),
        attr('gen_ai.tool.call.id', `call_${n}`),
        attr('gen_ai.tool.call.arguments', tool.args),
        ...(tool.error ? [attr('error.type', 'ToolError')] : []),
      ],
      ...(tool.error ? { status: { code: 2, message: 'no such file' } } : {}),
    },
  ];
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', 'fragments')] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] });
}

t.test('failures across the traces of a conversation are found trace by trace as by a whole rebuild', async (t) => {
  const tools = [
    { name: 'read_file', args: '{"path":"a.ts"}' },
    { name: 'search_docs', args: '{"q":"retry policy"}' },
    { name: 'read_file', args: '{"path":"missing.ts"}', error: true },
    { name: 'search_docs', args: '{"q":"retry policy"}' },
    { name: 'read_file', args: '{"path":"b.ts"}' },
    { name: 'search_docs', args: '{"q":"retry policy"}' },
  ];
  for (let i = 0; i < tools.length; i++) {
    t.equal((await post(`${svc.httpUrl}/v1/traces`, fragment('fragments', i, tools[i]), JSON_HEADERS)).status, 200);
    await svc.normalizer.flush();
  }
  const incremental = await snapshot('s:fragments');
  const modes = incremental.flatMap((r) => r.failure_modes as string[]).sort();
  t.same(modes, ['repeated_tool_call', 'tool_error'], 'the repeat across traces and the tool error are found');
  const repeat = incremental.find((r) => (r.failure_modes as string[]).includes('repeated_tool_call'))!;
  const severity = (repeat.failure_severities as string[])[(repeat.failure_modes as string[]).indexOf('repeated_tool_call')];
  t.equal(severity, 'medium', 'three calls: its finding was updated when the third arrived in a later trace');
  await renormalize();
  t.same(await snapshot('s:fragments'), incremental, 'renormalize gives the same operations and failures');
});

t.test('the Claude Code captures, spans and log events settled in separate steps, equal a whole rebuild', async (t) => {
  // Log events (no trace id) arrive after their spans were settled: the incremental rebuild finds the traces
  // running at their time and merges them in.
  for (const dir of ['tools', 'subagent', 'compaction']) {
    for (const signal of ['traces', 'logs']) {
      const body = readFileSync(join(CLAUDE_CODE_FIXTURES, dir, `${signal}.json`));
      t.equal((await post(`${svc.httpUrl}/v1/${signal}`, body, JSON_HEADERS)).status, 200, `${dir}/${signal} accepted`);
      await svc.normalizer.flush();
    }
  }
  const sessions = await svc.rows<{ g: string }>(`SELECT DISTINCT group_key AS g FROM operations WHERE group_key NOT IN ('s:growing', 's:fragments') ORDER BY g`);
  t.ok(sessions.length >= 1, 'the captures are normalized');
  const before = new Map<string, Record<string, unknown>[]>();
  for (const { g } of sessions) before.set(g, await snapshot(g));
  const modes = [...before.values()].flat().flatMap((r) => r.failure_modes as string[]);
  for (const m of ['tool_error', 'compaction']) t.ok(modes.includes(m), `${m} found`);
  const subagents = [...before.values()].flat().filter((r) => r.kind === 'subagent');
  t.equal(subagents.length, 1, 'the subagent is found');
  t.ok(subagents[0]?.parent_agent_id, 'and linked to its parent agent');
  await renormalize();
  for (const { g } of sessions) t.same(await snapshot(g), before.get(g), `${g}: renormalize gives the same operations and failures`);
});
