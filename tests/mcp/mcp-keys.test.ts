// /mcp with API keys on: the read scope is required, and a key sees only its own project's data, over MCP
// exactly as over the query API.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import t from 'tap';
import { callTool } from './helpers.js';
import { CLI } from '../helpers/child.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startTestService } from '../helpers/service.js';
import { exportWith, makeSpans } from '../helpers/spans.js';

const K = { acmeIngest: 'acme-ingest-secret-0001', acmeRead: 'acme-read-secret-000001', betaAll: 'beta-all-secret-0000001' };
const svc = await startTestService({ settleMs: 60_000, apiKeys: `acme:ingest:${K.acmeIngest}, acme:read:${K.acmeRead}, beta:ingest+read+admin:${K.betaAll}` });
t.teardown(() => svc.stop());

for (const [key, service] of [[K.acmeIngest, 'acme-agent'], [K.betaAll, 'beta-agent']] as const) {
  const exporter = new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces`, headers: { authorization: `Bearer ${key}` } });
  await exportWith(exporter, makeSpans(service, { count: 2 }));
  await exporter.shutdown();
}
await svc.normalizer.flush();
const RANGE = { from: '2026-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };

function client(key?: string) {
  const c = new Client({ name: 'tracemill-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${svc.httpUrl}/mcp`), key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : undefined);
  return { c, connect: () => c.connect(transport) };
}

t.test('no key: refused with 401', async (t) => {
  const { connect } = client();
  await t.rejects(connect(), /401|unauthorized|unauthenticated/i);
  const res = await fetch(`${svc.httpUrl}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
  t.equal(res.status, 401);
});

t.test('a key without the read scope: refused with 403', async (t) => {
  const { connect } = client(K.acmeIngest);
  await t.rejects(connect(), /403|forbidden/i);
});

t.test('a read key sees only its project', async (t) => {
  for (const [key, mine, other] of [[K.acmeRead, 'acme-agent', 'beta-agent'], [K.betaAll, 'beta-agent', 'acme-agent']] as const) {
    const { c, connect } = client(key);
    await connect();
    const res = await callTool(c, { name: 'list_traces', arguments: RANGE });
    const services = new Set(res.structuredContent.result.traces.map((x: { service: string }) => x.service));
    t.same([...services], [mine], `${mine}'s key sees ${mine} only`);
    t.notOk(services.has(other));
    await c.close();
  }
});

t.test('stdio passes --api-key to the service', async (t) => {
  const c = new Client({ name: 'tracemill-test', version: '1.0.0' });
  await c.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--url', svc.httpUrl, '--api-key', K.acmeRead], stderr: 'pipe' }));
  const ok = await callTool(c, { name: 'list_traces', arguments: RANGE });
  t.notOk(ok.isError);
  t.same([...new Set(ok.structuredContent.result.traces.map((x: { service: string }) => x.service))], ['acme-agent']);
  await c.close();
  const anon = new Client({ name: 'tracemill-test', version: '1.0.0' });
  await anon.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--url', svc.httpUrl], stderr: 'pipe', env: { PATH: process.env.PATH ?? '' } }));
  const refused = await callTool(anon, { name: 'list_traces', arguments: RANGE });
  t.equal(refused.isError, true, 'no key: a tool error');
  t.match(refused.content[0].text, /401/);
  await anon.close();
});
