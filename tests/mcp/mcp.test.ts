// The MCP server, driven by the MCP SDK's own client over stdio (`tracemill mcp`, the built CLI as a child
// process) and over Streamable HTTP (/mcp on the service), against a service fed the Claude Code captures
// and SDK-exported runs. Every tool's structured result is compared with the HTTP API's answer to the same
// parameters.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import t from 'tap';
import { type TestLike, callTool } from './helpers.js';
import { CLI } from '../helpers/child.js';
import { postCaptures, startTestService } from '../helpers/service.js';
import { exportWith, makeSpans } from '../helpers/spans.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

await postCaptures(svc.httpUrl);
const exporter = new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` });
await exportWith(exporter, makeSpans('sdk-agent', { count: 3 }));
await exporter.shutdown();
await svc.normalizer.flush();

const RANGE = { from: '2026-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
const EXPECTED_TOOLS = ['failure_stats', 'list_failures', 'tool_stats', 'model_stats', 'list_traces', 'get_trace', 'get_session', 'compare', 'list_alerts', 'report'];

async function api(path: string, query: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${svc.httpUrl}${path}${qs ? `?${qs}` : ''}`);
  return { status: res.status, body: await res.json() };
}

/** MCP's `result` equals the API's answer, except strings over 2000 characters, which must be that text's folded prefix. */
function sameAsApi(t: TestLike, mcp: unknown, http: unknown, where = '$'): number {
  let folded = 0;
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (typeof b === 'string' && b.length > 2000) {
      if (typeof a !== 'string' || !a.startsWith(b.slice(0, 2000)) || !a.includes('folded')) t.fail(`${at}: long text not folded from the API's`);
      else folded++;
      return;
    }
    if (Array.isArray(b)) {
      if (!Array.isArray(a) || a.length !== b.length) return void t.fail(`${at}: array differs`);
      b.forEach((x, i) => walk(a[i], x, `${at}[${i}]`));
      return;
    }
    if (b && typeof b === 'object') {
      if (!a || typeof a !== 'object') return void t.fail(`${at}: object expected`);
      const ka = Object.keys(a).sort();
      const kb = Object.keys(b).sort();
      if (ka.join() !== kb.join()) return void t.fail(`${at}: keys ${ka} vs ${kb}`);
      for (const k of kb) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      return;
    }
    if (a !== b) t.fail(`${at}: ${JSON.stringify(a)} !== ${JSON.stringify(b)}`);
  };
  walk(mcp, http, where);
  return folded;
}

async function exercise(t: TestLike, client: Client): Promise<void> {
  const info = client.getServerVersion();
  t.equal(info?.name, 'tracemill', 'server name');
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), EXPECTED_TOOLS, 'the tools mirror the query API');
  const stats = tools.find((x) => x.name === 'failure_stats')!;
  t.ok((stats.inputSchema.properties as Record<string, unknown>).group_by, 'input schema derived from the API schema (group_by)');
  t.same((tools.find((x) => x.name === 'get_trace')!.inputSchema as { required?: string[] }).required, ['traceId']);

  const traces = await api('/api/v1/traces', { ...RANGE, limit: '50' });
  const failing = traces.body.traces.find((x: any) => x.failure_modes.includes('tool_error'));
  const withSession = traces.body.traces.find((x: any) => x.session_id);
  t.ok(failing && withSession, 'the fixtures give a failing trace and a session');

  const calls: [string, Record<string, unknown>, string, Record<string, string>][] = [
    ['failure_stats', { ...RANGE, group_by: ['mode', 'tool'], compare: 'previous' }, '/api/v1/failures/stats', { ...RANGE, group_by: 'mode,tool', compare: 'previous' }],
    ['list_failures', { ...RANGE, limit: 2 }, '/api/v1/failures', { ...RANGE, limit: '2' }],
    ['tool_stats', { ...RANGE }, '/api/v1/tools/stats', { ...RANGE }],
    ['model_stats', { ...RANGE, service: 'claude-code' }, '/api/v1/models/stats', { ...RANGE, service: 'claude-code' }],
    ['list_traces', { ...RANGE, status: 'error', limit: 3 }, '/api/v1/traces', { ...RANGE, status: 'error', limit: '3' }],
    ['get_trace', { traceId: failing.trace_id }, `/api/v1/traces/${failing.trace_id}`, {}],
    ['get_session', { sessionId: withSession.session_id }, `/api/v1/sessions/${encodeURIComponent(withSession.session_id)}`, {}],
    ['compare', { a: 'service:claude-code', b: 'service:sdk-agent', ...RANGE, min_runs: 1 }, '/api/v1/failures/compare', { a: 'service:claude-code', b: 'service:sdk-agent', ...RANGE, min_runs: '1' }],
    ['list_alerts', { status: 'open' }, '/api/v1/alerts', { status: 'open' }],
    ['report', { ...RANGE, examples: '1' }, '/api/v1/report', { ...RANGE, examples: '1' }],
  ];
  for (const [name, args, path, query] of calls) {
    const res = await callTool(client, { name, arguments: args });
    t.notOk(res.isError, `${name}: no error`);
    t.ok(res.content[0].text.length > 10, `${name}: a text summary`);
    const http = await api(path, query);
    t.equal(http.status, 200);
    t.equal(res.structuredContent.summary, res.content[0].text, `${name}: the structured result leads with the summary`);
    // Two answers made a moment apart differ in when they were made: a report's generated_at, and the statistics'
    // freshness (settled through "now" when nothing waits).
    for (const b of [res.structuredContent.result, http.body]) {
      delete b.generated_at;
      if (b.freshness) delete b.freshness.settled_through;
    }
    sameAsApi(t, res.structuredContent.result, http.body, name);
  }

  // The summary names what matters, and a page says how to get the next one.
  const page = await callTool(client, { name: 'list_failures', arguments: { ...RANGE, limit: 1 } });
  t.ok(page.structuredContent.result.next_cursor, 'more than one failure');
  t.match(page.content[0].text, /cursor="/, 'says how to get the next page');
  const next = await callTool(client, { name: 'list_failures', arguments: { ...RANGE, limit: 1, cursor: page.structuredContent.result.next_cursor } });
  t.not(next.structuredContent.result.failures[0].span_id + next.structuredContent.result.failures[0].mode, page.structuredContent.result.failures[0].span_id + page.structuredContent.result.failures[0].mode, 'the cursor pages');
  const summary = await callTool(client, { name: 'failure_stats', arguments: RANGE });
  t.match(summary.content[0].text, /tool_error/, 'the summary lists the modes');

  // Errors are tool errors carrying the API's message, which names the parameter.
  const bad = await callTool(client, { name: 'failure_stats', arguments: { group_by: ['nonsense'] } });
  t.equal(bad.isError, true, 'a bad parameter is a tool error');
  t.match(bad.content[0].text, /group_by/, 'naming the parameter');
  const badTrace = await callTool(client, { name: 'get_trace', arguments: { traceId: 'xyz' } });
  t.equal(badTrace.isError, true);
  t.match(badTrace.content[0].text, /traceId/);
  const missing = await callTool(client, { name: 'get_trace', arguments: { traceId: '0'.repeat(32) } });
  t.equal(missing.isError, true, 'an unknown trace is a tool error');
  t.match(missing.content[0].text, /404/);

  const { resources } = await client.listResources();
  t.same(resources.map((r) => r.uri), ['tracemill://failure-modes', 'tracemill://report/latest']);
  const report = await client.readResource({ uri: 'tracemill://report/latest' });
  const md = (report.contents[0] as { text: string }).text;
  const apiMd = await (await fetch(`${svc.httpUrl}/api/v1/report?from=7d&format=md`)).text();
  // Both reports end at their own "now": generation times and the period's minute-resolution ends in the heading
  // differ when a minute turns between the two calls (it did once in CI).
  const dropTime = (s: string) => s.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, 'T').replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/g, 'T');
  t.equal(dropTime(md), dropTime(apiMd), 'the latest report is the API\'s Markdown report of the last 7 days');
  t.match(md, /^# /, 'Markdown');
  const cat = await client.readResource({ uri: 'tracemill://failure-modes' });
  const text = (cat.contents[0] as { text: string }).text;
  for (const mode of ['tool_error', 'repeated_tool_call', 'task_lost_after_compaction']) t.match(text, `\`${mode}\``, `catalogue explains ${mode}`);
}

t.test('over Streamable HTTP at /mcp', async (t) => {
  const client = new Client({ name: 'tracemill-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${svc.httpUrl}/mcp`)));
  await exercise(t, client);
  await client.close();
  const get = await fetch(`${svc.httpUrl}/mcp`);
  t.equal(get.status, 405, 'stateless: GET /mcp is refused with 405');
});

t.test('over stdio (tracemill mcp --url)', async (t) => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--url', svc.httpUrl], stderr: 'pipe' });
  const client = new Client({ name: 'tracemill-test', version: '1.0.0' });
  await client.connect(transport);
  await exercise(t, client);
  await client.close();
});

t.test('stdio with no service to answer: the tool error says what to do', async (t) => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--url', 'http://127.0.0.1:9'], stderr: 'pipe' });
  const client = new Client({ name: 'tracemill-test', version: '1.0.0' });
  await client.connect(transport);
  const res = await callTool(client, { name: 'tool_stats', arguments: {} });
  t.equal(res.isError, true);
  t.match(res.content[0].text, /no tracemill service answers at http:\/\/127\.0\.0\.1:9/);
  await client.close();
});
