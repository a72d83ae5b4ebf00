// The MCP tools: one line per query API endpoint. Each input schema is the endpoint's own zod schema (so the
// API's validation, defaults and descriptions are the tool's), and each result is the API's answer with a
// short text summary in front. Adding a tool is one entry here.
import type { z } from 'zod';
import {
  FailureStatsQuery,
  FailuresQuery,
  Filters,
  SessionParams,
  TraceParams,
  TraceQuery,
  TracesQuery,
} from '../api/query/schemas.js';
import { AlertsQuery } from '../api/query/alerts.js';
import { CompareQuery } from '../api/query/compare.js';
import { ReportQuery } from '../api/query/report.js';

export interface ToolSpec {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  /** The API path for these arguments, and which arguments went into the path (the rest are query). */
  route(args: Record<string, unknown>): { path: string; pathArgs: string[] };
  /** A few lines for the model to read first; `body` is the API's JSON answer. */
  summarize(body: any, args: Record<string, unknown>): string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const range = (args: Record<string, unknown>) => `from ${args.from ?? '24h'} to ${args.to ?? 'now'}`;
const more = (tool: string, cursor: string | null) => (cursor ? `\nMore: call ${tool} with the same arguments and cursor="${cursor}".` : '');
const top = <T>(rows: T[], n: number, line: (r: T) => string) =>
  rows.slice(0, n).map((r) => `- ${line(r)}`).join('\n') + (rows.length > n ? `\n(${rows.length - n} more rows in the structured result)` : '');

export const TOOLS: ToolSpec[] = [
  {
    name: 'failure_stats',
    title: 'Failure statistics',
    description:
      'Runs, calls, failures and failure rate over a time range, grouped by failure mode (default), tool, model, agent, service, day or hour; compare=previous adds the period before and the change. Start here to see what an agent fails at.',
    input: FailureStatsQuery,
    route: () => ({ path: '/api/v1/failures/stats', pathArgs: [] }),
    summarize: (b, args) => {
      const t = b.totals;
      const head = `${n(t.runs, 'run')}, ${n(t.calls, 'call')}, ${n(t.failures, 'failure')} (rate ${pct(t.failure_rate)}) ${range(args)}, grouped by ${b.group_by.join(', ')}.`;
      const rows = [...b.rows].sort((x: any, y: any) => y.failures - x.failures);
      return `${head}\n${top(rows, 10, (r: any) => `${b.group_by.map((g: string) => `${g}=${r[g] || '(none)'}`).join(' ')}: ${n(r.failures, 'failure')} in ${n(r.runs, 'run')}${r.change ? ` (change ${r.change.failures >= 0 ? '+' : ''}${r.change.failures})` : ''}`)}`;
    },
  },
  {
    name: 'list_failures',
    title: 'Failure instances',
    description:
      'Failure instances with their evidence (mode, severity, detector, tool, model, agent, trace and span ids), newest first, paged with a cursor. Use get_trace on a trace_id to see what happened around a failure.',
    input: FailuresQuery,
    route: () => ({ path: '/api/v1/failures', pathArgs: [] }),
    summarize: (b) =>
      `${n(b.failures.length, 'failure')}${b.next_cursor ? ' (more pages)' : ''}.\n` +
      top(b.failures, 15, (f: any) => `${f.time} ${f.mode} (${f.severity})${f.tool ? ` tool=${f.tool}` : ''}${f.model ? ` model=${f.model}` : ''} trace=${f.trace_id}: ${String(f.evidence).slice(0, 160)}`) +
      more('list_failures', b.next_cursor),
  },
  {
    name: 'tool_stats',
    title: 'Tool statistics',
    description: 'Per tool: calls, errors, error rate, p50/p95/p99 latency and repeated identical calls, over a time range.',
    input: Filters,
    route: () => ({ path: '/api/v1/tools/stats', pathArgs: [] }),
    summarize: (b, args) =>
      `${b.tools.length} tools ${range(args)}.\n` + top(b.tools, 15, (t: any) => `${t.tool}: ${t.calls} calls, ${t.errors} errors (${pct(t.error_rate)}), p95 ${t.p95_ms} ms, ${t.repeated_calls} repeated`),
  },
  {
    name: 'model_stats',
    title: 'Model statistics',
    description: 'Per model: LLM calls, tokens by type, reported cost, errors and finish reasons, over a time range.',
    input: Filters,
    route: () => ({ path: '/api/v1/models/stats', pathArgs: [] }),
    summarize: (b, args) =>
      `${b.models.length} models ${range(args)}.\n` +
      top(b.models, 15, (m: any) => `${m.model || '(unknown)'}${m.provider ? ` (${m.provider})` : ''}: ${m.calls} calls, ${m.input_tokens} in / ${m.output_tokens} out tokens, ${m.errors} errors`),
  },
  {
    name: 'list_traces',
    title: 'Agent runs',
    description:
      'Trace summaries (one per agent run): root, agent, service, start, duration, LLM and tool calls, errors, failure modes, tokens, cost; newest first, paged. status=error keeps runs with a failed operation.',
    input: TracesQuery,
    route: () => ({ path: '/api/v1/traces', pathArgs: [] }),
    summarize: (b) =>
      `${b.traces.length} traces${b.next_cursor ? ' (more pages)' : ''}.\n` +
      top(b.traces, 15, (t: any) => `${t.trace_id} ${t.start} ${t.agent || t.root_name}: ${t.llm_calls} LLM, ${t.tool_calls} tool calls, ${t.errors} errors${t.failure_modes.length ? `, failures: ${t.failure_modes.join(', ')}` : ''}`) +
      more('list_traces', b.next_cursor),
  },
  {
    name: 'get_trace',
    title: 'One agent run',
    description:
      'One trace as a tree of operations (agent, subagents nested, LLM calls with messages, tool calls with arguments and results, compactions) with failures attached. Texts longer than 2000 characters are folded; raw=1 adds the stored spans as OTLP/JSON.',
    input: TraceParams.extend(TraceQuery.shape),
    route: (a) => ({ path: `/api/v1/traces/${encodeURIComponent(String(a.traceId ?? ''))}`, pathArgs: ['traceId'] }),
    summarize: (b) => {
      const s = b.summary;
      return (
        `Trace ${b.trace_id}: ${s.agent || s.root_name} (${s.service}), ${s.duration_ms} ms, ${s.llm_calls} LLM calls, ${s.tool_calls} tool calls, ${s.subagents} subagents, ${s.errors} errors.\n` +
        (b.failures.length ? `Failures:\n${top(b.failures, 20, (f: any) => `${f.mode} (${f.severity}) on span ${f.span_id}: ${String(f.evidence).slice(0, 200)}`)}` : 'No failures.')
      );
    },
  },
  {
    name: 'get_session',
    title: 'One conversation',
    description: 'The traces of one session / conversation, in order, as summaries. Use get_trace for any of them.',
    input: SessionParams,
    route: (a) => ({ path: `/api/v1/sessions/${encodeURIComponent(String(a.sessionId ?? ''))}`, pathArgs: ['sessionId'] }),
    summarize: (b) =>
      `Session ${b.session_id}: ${b.traces.length} traces.\n` + top(b.traces, 20, (t: any) => `${t.trace_id} ${t.start}: ${t.llm_calls} LLM, ${t.tool_calls} tool calls, ${t.errors} errors`),
  },
  {
    name: 'compare',
    title: 'Compare two populations',
    description:
      'Compares two populations of runs (a, b: key:value filters such as service.version:1.4.0 vs service.version:1.5.0, or model:x vs model:y) per failure mode and per tool: rates, difference with a confidence interval, the test used and Holm-adjusted significance. Use it to ask whether a harness change or a model swap made a failure mode more frequent.',
    input: CompareQuery,
    route: () => ({ path: '/api/v1/failures/compare', pathArgs: [] }),
    summarize: (b) => {
      const sig = b.rows.filter((r: any) => r.significant);
      return (
        `${b.message} (a: ${b.a.runs} runs, b: ${b.b.runs} runs)\n` +
        (sig.length
          ? `Significant differences:\n${top(sig, 15, (r: any) => `${r.mode}${r.tool ? ` on ${r.tool}` : ''}: ${pct(r.a.rate)} -> ${pct(r.b.rate)} (adjusted p ${Number(r.adjusted_p).toPrecision(2)}, ${r.difference > 0 ? 'worse' : 'better'} in b)`)}`
          : 'No significant difference.')
      );
    },
  },
  {
    name: 'list_alerts',
    title: 'Regression alerts',
    description: 'Open and recently resolved regression alerts: a failure mode (optionally on one tool, model or harness) that became significantly more frequent than its baseline, with the evidence.',
    input: AlertsQuery,
    route: () => ({ path: '/api/v1/alerts', pathArgs: [] }),
    summarize: (b) =>
      b.alerts.length
        ? `${n(b.alerts.length, 'alert')}.\n` + top(b.alerts, 15, (a: any) => `${a.status} since ${a.opened_at} (id ${a.id}): ${a.summary}`)
        : 'No alerts: no failure mode is (or recently was) significantly more frequent than its baseline.',
  },
  {
    name: 'report',
    title: 'Failure-mode report',
    description:
      'A failure-mode report for a period against the one before: totals, failure rate over time, failures by mode, tool, model, agent and harness with significant changes marked, and example failures with trace ids. Answers JSON (format=json).',
    input: ReportQuery.omit({ format: true }),
    route: () => ({ path: '/api/v1/report', pathArgs: [] }),
    summarize: (b) => {
      const t = b.totals;
      const p = b.previous_totals;
      return `${b.title}: ${b.from} to ${b.to}. ${n(t.runs, 'run')}, ${t.failed_runs} with a failure (${pct(t.failure_rate)}; previous period ${p.failed_runs}/${p.runs}), ${n(t.llm_calls, 'LLM call')}, ${n(t.tool_calls, 'tool call')}, ${n(t.failures, 'failure')}.`;
    },
  },
];
