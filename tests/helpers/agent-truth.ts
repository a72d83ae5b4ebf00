// The truth of the scripted agent run (tests/helpers/fake-model.ts), checked through the public query API
// the way a user reads it: tool and model stats, failure stats, and each trace's summary and tree.
// A framework that cannot carry a fact says so in `gaps` (fact -> reason), and that fact is checked as the
// framework delivers it instead.
import type { Test } from 'tap';
import { MODEL, USAGE } from './fake-model.js';

export interface Expected {
  service: string;
  /** The agent's name as the app gave it. */
  agent: string;
  llmCalls: number;
  tools: Record<string, { calls: number; errors: number }>;
  modes: string[];
  /** The model name stats are reported under. */
  model: string;
}

export function scriptTruth(service: string, agent: string): Expected {
  return {
    service,
    agent,
    llmCalls: 6,
    tools: { get_weather: { calls: 2, errors: 1 }, search_docs: { calls: 3, errors: 0 } },
    modes: ['repeated_tool_call', 'tool_error'],
    model: MODEL,
  };
}

interface TreeNode {
  kind: string;
  name: string;
  agent: { name: string; depth: number };
  tool?: { name: string; arguments: string };
  usage?: { cost_usd: number | null };
  failures: { mode: string; severity: string }[];
  children: TreeNode[];
}

export async function apiGet<T>(baseUrl: string, path: string): Promise<T> {
  const res = await fetch(baseUrl + path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function flatten(nodes: TreeNode[]): TreeNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/** Every trace of the service, as summary + flattened tree. */
export async function tracesOf(baseUrl: string, service: string) {
  const list = await apiGet<{ traces: { trace_id: string }[] }>(baseUrl, `/api/v1/traces?service=${encodeURIComponent(service)}&limit=500`);
  const out = [];
  for (const { trace_id } of list.traces) {
    const tr = await apiGet<{ summary: { agent: string; subagents: number; llm_calls: number; tool_calls: number; failure_modes: string[]; cost_usd: number | null }; tree: TreeNode[] }>(
      baseUrl,
      `/api/v1/traces/${trace_id}`,
    );
    out.push({ traceId: trace_id, summary: tr.summary, nodes: flatten(tr.tree) });
  }
  return out;
}

/** The failure modes found for a service, with counts, from /failures/stats. */
export async function modesOf(baseUrl: string, service: string): Promise<Record<string, number>> {
  const stats = await apiGet<{ rows: { mode: string; failures: number }[] }>(baseUrl, `/api/v1/failures/stats?service=${encodeURIComponent(service)}&group_by=mode`);
  return Object.fromEntries(stats.rows.map((r) => [r.mode, r.failures]));
}

export async function checkTruth(t: Test, baseUrl: string, want: Expected): Promise<void> {
  const q = `?service=${encodeURIComponent(want.service)}`;
  const models = await apiGet<{ models: { model: string; calls: number; input_tokens: number; output_tokens: number; cost_usd: number | null }[] }>(baseUrl, `/api/v1/models/stats${q}`);
  t.same(
    models.models.map((m) => [m.model, m.calls, m.input_tokens, m.output_tokens, m.cost_usd]),
    [[want.model, want.llmCalls, want.llmCalls * USAGE.input, want.llmCalls * USAGE.output, null]],
    'LLM calls and tokens (models/stats); no cost was reported, so none is shown',
  );
  const tools = await apiGet<{ tools: { tool: string; calls: number; errors: number }[] }>(baseUrl, `/api/v1/tools/stats${q}`);
  t.same(
    Object.fromEntries(tools.tools.map((x) => [x.tool, { calls: x.calls, errors: x.errors }])),
    want.tools,
    'tool calls and errors (tools/stats)',
  );
  t.same(Object.keys(await modesOf(baseUrl, want.service)).sort(), [...want.modes].sort(), 'exactly the scripted failure modes (failures/stats)');
  const traces = await tracesOf(baseUrl, want.service);
  t.ok(traces.length >= 1, 'at least one trace');
  for (const tr of traces) {
    t.equal(tr.summary.subagents, 0, `trace ${tr.traceId}: no subagent`);
    t.equal(tr.summary.agent, want.agent, `trace ${tr.traceId}: the agent's name`);
    t.equal(tr.summary.cost_usd, null, `trace ${tr.traceId}: no cost reported`);
    for (const n of tr.nodes) {
      if (n.kind === 'agent' || n.kind === 'llm' || n.kind === 'tool') t.equal(n.agent.name, want.agent, `${n.kind} ${n.name} runs in ${want.agent}`);
    }
  }
}
