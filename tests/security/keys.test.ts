// API keys, scopes and projects through real sockets: OTLP/HTTP (protobuf and JSON) and OTLP/gRPC ingest
// land in the key's project, every read endpoint sees only its project, each scope is enforced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type IncomingMessage, request } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import t from 'tap';
import { hashKey } from '../../src/auth/keys.js';
import { CLAUDE_CODE_FIXTURES } from '../helpers/fixtures.js';
import { grpcExport } from '../helpers/grpc.js';
import { encodeTraces } from '../helpers/otlp-encode.js';
import { post, startTestService } from '../helpers/service.js';
import { exportWith, makeSpans } from '../helpers/spans.js';

const K = {
  acmeIngest: 'acme-ingest-secret-0001',
  acmeRead: 'acme-read-secret-000001',
  acmeAdmin: 'acme-admin-secret-00001',
  betaAll: 'beta-all-secret-0000001',
  betaRead: 'beta-read-secret-000001', // configured by its hash only
};
const svc = await startTestService({
  settleMs: 60_000,
  apiKeys: `acme:ingest:${K.acmeIngest}, acme:read:${K.acmeRead}, acme:admin:${K.acmeAdmin}, beta:ingest+read+admin:${K.betaAll}, beta:read:sha256:${hashKey(K.betaRead)}`,
});
t.teardown(() => svc.stop());

const RANGE = 'from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z';
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${svc.httpUrl}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const projects = async () =>
  (await svc.rows<{ project_id: string; service_name: string }>('SELECT DISTINCT project_id, service_name FROM spans ORDER BY project_id, service_name')).map(
    (r) => `${r.project_id}/${r.service_name}`,
  );

t.test('ingest lands in the key\'s project, over every transport', async (t) => {
  // acme: the Claude Code tools capture as OTLP/JSON, with x-api-key.
  for (const signal of ['traces', 'logs']) {
    const res = await post(`${svc.httpUrl}/v1/${signal}`, readFileSync(join(CLAUDE_CODE_FIXTURES, 'tools', `${signal}.json`)), {
      'content-type': 'application/json',
      'x-api-key': K.acmeIngest,
    });
    t.equal(res.status, 200, `acme ${signal}`);
  }
  // beta: the real protobuf exporter with a Bearer header, and the real gRPC exporter with metadata.
  const proto = new ProtoTraceExporter({ url: `${svc.httpUrl}/v1/traces`, headers: bearer(K.betaAll) });
  await exportWith(proto, makeSpans('beta-http', { count: 2 }));
  await proto.shutdown();
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${K.betaAll}`);
  const viaGrpc = new GrpcTraceExporter({ url: `http://127.0.0.1:${svc.grpcPort}`, metadata: md });
  await exportWith(viaGrpc, makeSpans('beta-grpc', { count: 1 }));
  await viaGrpc.shutdown();
  t.same(await projects(), ['acme/claude-code', 'beta/beta-grpc', 'beta/beta-http']);
  await svc.normalizer.flush();
});

t.test('ingest refusals', async (t) => {
  const body = encodeTraces([]);
  const h = { 'content-type': 'application/x-protobuf' };
  const none = await post(`${svc.httpUrl}/v1/traces`, body, h);
  t.equal(none.status, 401);
  t.match(none.headers.get('www-authenticate'), /Bearer/);
  const bad = await post(`${svc.httpUrl}/v1/traces`, body, { ...h, authorization: 'Bearer not-a-key-at-all-000' });
  t.equal(bad.status, 401);
  const wrongScope = await post(`${svc.httpUrl}/v1/traces`, body, { ...h, ...bearer(K.acmeRead) });
  t.equal(wrongScope.status, 403);
  const json = await post(`${svc.httpUrl}/v1/traces`, '{}', { 'content-type': 'application/json', ...bearer(K.acmeRead) });
  t.equal(json.status, 403);
  t.match(JSON.parse(json.body.toString()).message, /lacks the ingest scope/, 'an OTLP status body that says what to fix');

  t.equal((await grpcExport(svc.grpcPort, 'traces', body)).code, grpc.status.UNAUTHENTICATED);
  t.equal((await grpcExport(svc.grpcPort, 'traces', body, { metadata: { 'x-api-key': 'nope-nope-nope-nope' } })).code, grpc.status.UNAUTHENTICATED);
  const denied = await grpcExport(svc.grpcPort, 'logs', body, { metadata: { authorization: `Bearer ${K.acmeRead}` } });
  t.equal(denied.code, grpc.status.PERMISSION_DENIED);
  t.match(denied.details, /ingest scope/);
  t.equal((await grpcExport(svc.grpcPort, 'metrics', body, { metadata: { 'x-api-key': K.acmeIngest } })).code, grpc.status.OK);
});

t.test('reads need the read scope', async (t) => {
  const none = await get(`/api/v1/traces?${RANGE}`);
  t.equal(none.status, 401);
  t.match(none.body.message as string, /API key is required/);
  t.equal((await get(`/api/v1/traces?${RANGE}`, bearer(K.acmeIngest))).status, 403);
  t.equal((await get(`/api/v1/traces?${RANGE}`, { 'x-api-key': K.acmeRead })).status, 200);
  t.equal((await get('/healthz')).status, 200, 'health stays open');
  t.equal((await get('/openapi.json')).status, 200, 'the API description stays open');
});

t.test('admin routes need the admin scope, and act on the key\'s project', async (t) => {
  const post = (k?: string) =>
    fetch(`${svc.httpUrl}/api/v1/admin/renormalize`, { method: 'POST', headers: { 'content-type': 'application/json', ...(k ? bearer(k) : {}) }, body: '{"since":"3650d"}' });
  t.equal((await post()).status, 401);
  t.equal((await post(K.acmeRead)).status, 403);
  const ok = await post(K.acmeAdmin);
  t.equal(ok.status, 200);
  t.equal(((await ok.json()) as { groups: number }).groups, 1, 'only acme\'s conversation');
});

t.test('the route decides the scope, not the spelling of the URL', async (t) => {
  const read = bearer(K.acmeRead);
  const renorm = (path: string) => fetch(`${svc.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...read }, body: '{"since":"1d"}' });
  t.equal((await renorm('/api/v1/%61dmin/renormalize')).status, 403, 'percent-encoded admin path');
  t.equal((await get('/%6detrics', read)).status, 403, 'percent-encoded /metrics');
  const metrics = await fetch(`${svc.httpUrl}/metrics`, { headers: bearer(K.acmeAdmin) });
  t.equal(metrics.status, 200, 'admin reads /metrics');
  const text = await metrics.text();
  t.match(text, /tracemill_requests_rejected_total\{signal="traces",transport="http",reason="unauthenticated"\} [1-9]/, 'refusals are counted');
  t.match(text, /tracemill_requests_rejected_total\{signal="logs",transport="grpc",reason="forbidden"\} [1-9]/);
});

t.test('a refused export is answered before its body is read', async (t) => {
  // Announce a 1 GB body and send none of it: the 401 comes anyway.
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(`${svc.httpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': String(1e9) } }, resolve);
    req.on('error', reject);
    req.flushHeaders();
  });
  t.equal(res.statusCode, 401);
  res.destroy();
});

t.test('every read endpoint sees only its project', async (t) => {
  const acme = bearer(K.acmeRead);
  const beta = { 'x-api-key': K.betaRead };
  const services = (list: { service?: string }[]) => [...new Set(list.map((x) => x.service))].sort();

  const aTraces = (await get(`/api/v1/traces?${RANGE}&limit=500`, acme)).body.traces as { trace_id: string; service: string; session_id: string }[];
  const bTraces = (await get(`/api/v1/traces?${RANGE}&limit=500`, beta)).body.traces as { trace_id: string; service: string; session_id: string }[];
  t.same(services(aTraces), ['claude-code']);
  t.same(services(bTraces), ['beta-grpc', 'beta-http']);

  const aTools = ((await get(`/api/v1/tools/stats?${RANGE}`, acme)).body.tools as { tool: string }[]).map((x) => x.tool).sort();
  const bTools = ((await get(`/api/v1/tools/stats?${RANGE}`, beta)).body.tools as { tool: string }[]).map((x) => x.tool).sort();
  t.same(aTools, ['Bash', 'Read']);
  t.same(bTools, ['read_file']);

  const aModels = ((await get(`/api/v1/models/stats?${RANGE}`, acme)).body.models as { model: string }[]).map((x) => x.model);
  const bModels = ((await get(`/api/v1/models/stats?${RANGE}`, beta)).body.models as { model: string }[]).map((x) => x.model);
  t.ok(aModels.every((m) => m.startsWith('claude')) && aModels.length > 0);
  t.same(bModels, ['demo-model']);

  const aStats = (await get(`/api/v1/failures/stats?${RANGE}&group_by=tool`, acme)).body.rows as { tool: string }[];
  const bStats = (await get(`/api/v1/failures/stats?${RANGE}&group_by=tool`, beta)).body.rows as { tool: string }[];
  t.notOk(aStats.some((r) => r.tool === 'read_file'));
  t.notOk(bStats.some((r) => r.tool === 'Read' || r.tool === 'Bash'));

  const aFail = (await get(`/api/v1/failures?${RANGE}`, acme)).body.failures as { service: string }[];
  const bFail = (await get(`/api/v1/failures?${RANGE}`, beta)).body.failures as { service: string }[];
  t.same(services(aFail), ['claude-code']);
  t.same(services(bFail), ['beta-grpc', 'beta-http']);

  // Another project's trace and session are simply not there.
  t.equal((await get(`/api/v1/traces/${bTraces[0].trace_id}`, acme)).status, 404);
  t.equal((await get(`/api/v1/traces/${aTraces[0].trace_id}`, beta)).status, 404);
  t.equal((await get(`/api/v1/traces/${aTraces[0].trace_id}?raw=1`, acme)).status, 200);
  t.equal((await get(`/api/v1/sessions/${aTraces[0].session_id}`, beta)).status, 404);
  t.equal(((await get(`/api/v1/sessions/${aTraces[0].session_id}`, acme)).body.traces as unknown[]).length, 1);
  // No parameter reaches another project: there is none, and an unknown one is refused.
  const other = await get(`/api/v1/traces?${RANGE}&project=beta&project_id=beta`, acme);
  t.equal(other.status, 400);
  t.match(other.body.message, /project, project_id: unknown parameters/);
});

t.test('long session ids: the key is checked first, then the documented 512-character limit', async (t) => {
  for (const n of [150, 512, 513]) {
    const path = `/api/v1/sessions/${'s'.repeat(n)}`;
    t.equal((await get(path)).status, 401, `${n} characters, no key: 401`);
    t.equal((await get(path, bearer(K.acmeRead))).status, n <= 512 ? 404 : 400, `${n} characters, a read key: ${n <= 512 ? 'looked up' : 'refused, naming sessionId'}`);
  }
  const beyond = await fetch(`${svc.httpUrl}/api/v1/sessions/${'s'.repeat(1025)}`, { headers: bearer(K.acmeRead) });
  t.equal(beyond.status, 414, "past the router's 1024 characters: 414 (docs/security.md), nothing read");
});
