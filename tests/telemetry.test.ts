// Self-telemetry: off by default; with OTEL_EXPORTER_OTLP_ENDPOINT set, query API requests are traced
// (joining the caller's trace) and OTLP ingest is not; an endpoint that is the service itself is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { endpointAddress, selfLoop, traceEndpoint } from '../src/telemetry.js';
import { startServe, stopChild } from './helpers/child.js';
import { startTestService } from './helpers/service.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

t.test('which endpoints are this service', async (t) => {
  t.equal(traceEndpoint({}), undefined, 'off by default');
  t.equal(traceEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), 'http://c:4318');
  t.equal(traceEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://d:4318/v1/traces' }), 'http://d:4318/v1/traces');
  t.equal(traceEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
  t.equal(traceEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), undefined);
  t.same(endpointAddress('collector:4317'), { host: 'collector', port: 4317 });
  t.same(endpointAddress('https://collector/v1/traces'), { host: 'collector', port: 443 });
  t.same(endpointAddress('http://[::1]:4318'), { host: '::1', port: 4318 });
  const self = { host: '127.0.0.1', httpPort: 4318, grpcPort: 4317 };
  for (const e of ['http://127.0.0.1:4318', 'http://localhost:4318/v1/traces', 'localhost:4317', 'http://[::1]:4318', 'http://0.0.0.0:4317', 'http://127.0.0.2:4318']) {
    t.match(await selfLoop(e, self), /is this tracemill/, e);
  }
  for (const e of ['http://127.0.0.1:4319', 'http://192.0.2.1:4318', 'https://collector.invalid:4318']) t.equal(await selfLoop(e, self), '', e);
});

t.test('traces of query API requests go to the configured endpoint; ingest, probes and /metrics are not traced', async (t) => {
  const collector = await startTestService();
  t.teardown(() => collector.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-selftel-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url, output } = await startServe(dataDir, {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    // A loaded CI machine (the suite runs files in parallel) can take seconds to answer: wait for it.
    OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
    OTEL_BSP_EXPORT_TIMEOUT: '30000',
    OTEL_SERVICE_NAME: 'tracemill-under-test',
  });
  t.teardown(() => (child.exitCode === null ? stopChild(child, 'SIGKILL') : undefined));

  const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  t.equal((await fetch(`${url}/api/v1/traces?from=1h`, { headers: { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` } })).status, 200);
  const ingest = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'agent work', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }),
    headers: { 'content-type': 'application/json' },
  });
  t.equal(ingest.status, 200);
  await fetch(`${url}/healthz`);
  await fetch(`${url}/metrics`);
  t.equal(await stopChild(child), 0, 'stops cleanly (and sends the last spans)');
  t.match(output(), /self-telemetry on/);

  const rows = await collector.rows<{ name: string; trace_id: string; kind: number; status: number }>(
    `SELECT name, trace_id, kind, attributes['http.response.status_code'] AS status FROM spans FINAL WHERE service_name = 'tracemill-under-test' ORDER BY name`,
  );
  if (!rows.length) t.comment(`nothing received; the child said:\n${output().slice(-2000)}`);
  t.same(
    rows.map((r) => r.name),
    ['GET /api/v1/traces'],
    'one span: the query; not the ingest, the probe or the scrape',
  );
  t.equal(rows[0]?.trace_id, callerTrace, "it joins the caller's trace (traceparent)");
  t.equal(Number(rows[0]?.kind), 2, 'a SERVER span');
  t.equal(Number(rows[0]?.status), 200);
});

t.test('an endpoint that is the service itself is refused; nothing is exported into itself', async (t) => {
  for (const protocol of ['http/protobuf', 'grpc']) {
    const httpPort = await freePort();
    const grpcPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-selfloop-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const endpoint = protocol === 'grpc' ? `http://localhost:${grpcPort}` : `http://localhost:${httpPort}`;
    const { child, url, output } = await startServe(dataDir, {
      TRACEMILL_HTTP_PORT: String(httpPort),
      TRACEMILL_GRPC_PORT: String(grpcPort),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    t.teardown(() => (child.exitCode === null ? stopChild(child, 'SIGKILL') : undefined));
    for (let i = 0; i < 3; i++) await fetch(`${url}/api/v1/traces?from=1h`);
    await new Promise((r) => setTimeout(r, 500));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    t.notMatch(metrics, /tracemill_items_accepted_total\{[^}]*signal="traces"/, `${protocol}: no span arrived`);
    t.equal(await stopChild(child), 0);
    t.match(output(), new RegExp(`self-telemetry off: ${endpoint.replace(/[/.]/g, '\\$&')} is this tracemill`), `${protocol}: refused, and the log says why`);
  }
});

t.test('off by default: no SDK, no log line', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-notel-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url, output } = await startServe(dataDir, { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' });
  await fetch(`${url}/api/v1/traces?from=1h`);
  t.equal(await stopChild(child), 0);
  t.notMatch(output(), /self-telemetry/);
});
