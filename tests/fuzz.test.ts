// Fuzzing the OTLP receivers with malformed input: random bytes, truncated and structure-mutated protobuf,
// deeply nested kvlists, huge strings, invalid UTF-8, wrong JSON types, wrong id lengths; gzip too.
// Every answer must be 200 (with partial_success when items were refused), 400 / INVALID_ARGUMENT with a
// message, or 413 / RESOURCE_EXHAUSTED: never a 5xx, a crash or a hang; valid data sent alongside is stored.
// Inputs come from a seeded PRNG: a failure names its seed and case; TRACEMILL_FUZZ_SEED=<seed> replays it,
// TRACEMILL_FUZZ_SCALE=<n> runs n times as many.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { InvalidRequestError, decodePayload } from '../src/receivers/export.js';
import { TracemillError } from '../src/model/errors.js';
import { limitLogs, limitSpans } from '../src/receivers/limits.js';
import type { MetricPoint } from '../src/model/metrics.js';
import type { LogRecord, Span } from '../src/model/otlp.js';
import { Reader, Writer } from '../src/receivers/otlp/wire.js';
import { SIGNALS } from '../src/receivers/signals.js';
import { openStore } from '../src/store/clickhouse.js';
import { encodeLogs } from '../src/store/rows/logs.js';
import { encodeMetricPoints } from '../src/store/rows/metrics.js';
import { encodeSpans } from '../src/store/rows/spans.js';
import { startServe, stopChild } from './helpers/child.js';
import { CompareQuery } from '../src/api/query/compare.js';
import { ReportQuery } from '../src/api/query/report.js';
import { FailureStatsQuery, FailuresQuery, Filters, TraceQuery, TracesQuery } from '../src/api/query/schemas.js';
import { Rng, type SignalName, baseJson, baseProto, leakedText, mutateJson, mutateProto, nestedAnyValue, nestedJsonAny, queryValue } from './helpers/fuzz.js';
import { encodeLogs as encodeLogsProto, encodeTraces as encodeTracesProto } from './helpers/otlp-encode.js';
import { grpcExport } from './helpers/grpc.js';
import { SESSION_KEYS } from '../src/normalize/dialects/index.js';

const SEED = Number(process.env.TRACEMILL_FUZZ_SEED ?? 20261125);
const SCALE = Number(process.env.TRACEMILL_FUZZ_SCALE ?? 1);
const NAMES: SignalName[] = ['traces', 'logs', 'metrics'];
const PATHS: Record<SignalName, string> = { traces: '/v1/traces', logs: '/v1/logs', metrics: '/v1/metrics' };
const signalOf = (name: SignalName) => SIGNALS.find((s) => s.name === name)!;

t.comment(`fuzz seed ${SEED}`);

interface Case {
  signal: SignalName;
  enc: 'protobuf' | 'json';
  body: Buffer;
  name: string;
}

/** A request with one value nested `depth` levels deep where each signal keeps an AnyValue. */
function deepProto(signal: SignalName, depth: number, r: Rng): Buffer {
  const value = nestedAnyValue(depth, r);
  const attr = (w: Writer, field: number) => w.messageField(field, (kv) => kv.stringField(1, 'deep').bytesField(2, value));
  return new Writer()
    .messageField(1, (rs) =>
      rs.messageField(2, (ss) => {
        if (signal === 'traces') ss.messageField(2, (s) => attr(s.bytesField(1, Buffer.alloc(16, 7)).bytesField(2, Buffer.alloc(8, 7)).stringField(5, 'deep'), 9));
        else if (signal === 'logs') ss.messageField(2, (l) => l.fixed64Field(1, 1795582931000000000n).bytesField(5, value));
        else ss.messageField(2, (m) => m.stringField(1, 'deep').messageField(5, (g) => g.messageField(1, (p) => attr(p.doubleField(4, 1), 7))));
      }),
    )
    .finish();
}

function makeCase(r: Rng, i: number): Case {
  const signal = r.pick(NAMES);
  const enc = r.chance(0.5) ? 'protobuf' : 'json';
  const name = `seed ${SEED} case ${i} (${signal} ${enc})`;
  const special = r.int(30);
  if (special === 0) return { signal, enc, name, body: Buffer.alloc(0) };
  if (special === 1) {
    const depth = r.pick([31, 32, 33, 300, enc === 'json' ? 1000 : 3000]);
    if (enc === 'protobuf') return { signal, enc, name, body: deepProto(signal, depth, r) };
    const text = JSON.stringify(baseJson(signal, 'deep')).replace('{"stringValue":"value deep"}', JSON.stringify(nestedJsonAny(depth)));
    return { signal, enc, name, body: Buffer.from(text) };
  }
  if (enc === 'protobuf') return { signal, enc, name, body: mutateProto(baseProto(signal, String(i)), r) };
  return { signal, enc, name, body: mutateJson(baseJson(signal, String(i)), r) };
}

const UINT32 = /^(dropped\w*Count|flags)$/;
const INT32 = /^(kind|statusCode|severityNumber|scale|aggregationTemporality|offset)$/;
const MAX_NANOS = (1n << 63n) - 1n;

/** What every decoded record must satisfy to be stored as is (column types, id lengths, time range). */
function invalidField(v: unknown, path = ''): string {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = invalidField(v[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return '';
  }
  if (v === null || typeof v !== 'object') return '';
  for (const [k, x] of Object.entries(v)) {
    const at = `${path}.${k}`;
    if (UINT32.test(k) && !(Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff)) return `${at} = ${x} is not a uint32`;
    if (INT32.test(k) && !(Number.isInteger(x) && (x as number) >= -0x80000000 && (x as number) <= 0x7fffffff)) return `${at} = ${x} is not an int32`;
    if (k.endsWith('UnixNano') && !(typeof x === 'string' && /^\d+$/.test(x) && BigInt(x) <= MAX_NANOS)) return `${at} = ${x} is not a storable time`;
    if ((k === 'traceId' && x !== '' && !/^[0-9a-f]{32}$/.test(x as string)) || (/^(spanId|parentSpanId)$/.test(k) && x !== '' && !/^[0-9a-f]{16}$/.test(x as string)))
      return `${at} = ${x} is not an id`;
    if (k === 'values' && path.endsWith('ttributes') && Object.values(x as object).some((y) => typeof y !== 'string')) return `${at} holds a non-string`;
    const bad = invalidField(x, at);
    if (bad) return bad;
  }
  return '';
}

t.test('decoders: every malformed input is decoded, refused item by item, or refused whole with a reason', async (t) => {
  const r = new Rng(SEED);
  const n = 6000 * SCALE;
  const outcomes = { decoded: 0, partial: 0, invalid: 0, tooMany: 0 };
  let failures = 0;
  for (let i = 0; i < n && failures < 5; i++) {
    const c = makeCase(r, i);
    try {
      const d = decodePayload(signalOf(c.signal), c.body, c.enc, 1000);
      if (d.rejected.length) outcomes.partial++;
      else outcomes.decoded++;
      for (const rej of d.rejected) if (!rej.reason || !(rej.count >= 1)) throw new Error(`bad rejection ${JSON.stringify(rej)}`);
      // What the pipeline does next must not throw either: limits, then row encoding.
      if (c.signal === 'traces') {
        limitSpans(d.items as Span[], { maxAttributes: 50, maxValueChars: 1000 });
        encodeSpans('p', d.items as Span[], SESSION_KEYS);
      } else if (c.signal === 'logs') {
        limitLogs(d.items as LogRecord[], { maxAttributes: 50, maxValueChars: 1000 });
        encodeLogs('p', d.items as LogRecord[], SESSION_KEYS);
      } else encodeMetricPoints('p', d.items as MetricPoint[], SESSION_KEYS);
      const bad = invalidField(d.items);
      if (bad) throw new Error(`decoded into a record that cannot be stored as sent: ${bad}`);
    } catch (e) {
      if (e instanceof InvalidRequestError && e.message.length > 20) outcomes.invalid++;
      else if (e instanceof TracemillError && e.statusCode === 413) outcomes.tooMany++;
      else {
        failures++;
        t.fail(`${c.name}: ${(e as Error).stack}`, { body: c.body.subarray(0, 300).toString('base64') });
      }
    }
  }
  t.equal(failures, 0, `${n} inputs: ${JSON.stringify(outcomes)}`);
  t.ok(outcomes.invalid > n / 20 && outcomes.decoded + outcomes.partial > n / 5, 'inputs reach every outcome (the mutator is not trivially fatal)');
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

t.test('decoders: pathological sizes are refused or capped quickly', async (t) => {
  // A million empty spans (2 bytes each) in one scope: refused at the item limit, not decoded into memory first.
  const spans = Buffer.alloc(2_000_000);
  for (let i = 0; i < 1_000_000; i++) spans[2 * i] = 0x12;
  const scope = Buffer.concat([Buffer.from([0x12]), varint(spans.length), spans]);
  const req = Buffer.concat([Buffer.from([0x0a]), varint(scope.length), scope]);
  let t0 = performance.now();
  let refused: unknown;
  try {
    decodePayload(signalOf('traces'), req, 'protobuf', 100_000);
  } catch (e) {
    refused = e;
  }
  t.equal((refused as TracemillError | undefined)?.statusCode, 413, 'refused: too many spans');
  t.ok(performance.now() - t0 < 3000, `a million empty spans refused in ${Math.round(performance.now() - t0)} ms`);

  // The same with a million empty data points in one gauge.
  const points = Buffer.alloc(2_000_000);
  for (let i = 0; i < 1_000_000; i++) points[2 * i] = 0x0a; // Gauge.data_points = {}
  const gauge = Buffer.concat([Buffer.from([0x2a]), varint(points.length), points]); // Metric.gauge
  const metric = Buffer.concat([Buffer.from([0x0a, 0x01, 0x67]), gauge]); // name "g"
  const sm = Buffer.concat([Buffer.from([0x12]), varint(metric.length), metric]);
  const mreq = Buffer.concat([Buffer.from([0x0a]), varint(sm.length + 1 + varint(sm.length).length), Buffer.from([0x12]), varint(sm.length), sm]);
  t0 = performance.now();
  refused = undefined;
  try {
    decodePayload(signalOf('metrics'), mreq, 'protobuf', 100_000);
  } catch (e) {
    refused = e;
  }
  t.equal((refused as TracemillError | undefined)?.statusCode, 413, 'refused: too many data points');
  t.ok(performance.now() - t0 < 3000, `a million empty data points refused in ${Math.round(performance.now() - t0)} ms`);

  // One span with 300,000 attributes: the first 65,536 are decoded, the rest counted as dropped.
  const attrs = Array.from({ length: 300_000 }, (_, i) => ({ key: `k${i}`, value: { intValue: i } }));
  const doc = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'wide', attributes: attrs }] }] }] };
  t0 = performance.now();
  const d = decodePayload(signalOf('traces'), Buffer.from(JSON.stringify(doc)), 'json', 100_000);
  const span = d.items[0] as Span;
  t.equal(Object.keys(span.attributes.values).length, 65536, 'attributes past 65536 are not decoded');
  t.equal(span.droppedAttributesCount, 300_000 - 65536, 'and counted in dropped_attributes_count');
  t.ok(performance.now() - t0 < 5000, `in ${Math.round(performance.now() - t0)} ms`);
});

// ---------- over the wire, against the built service in a child process ----------

/** Checks an HTTP answer; returns a complaint or ''. */
function checkHttp(status: number, enc: 'protobuf' | 'json', body: Buffer, retryAfter: string | null): string {
  if (status === 200) {
    if (enc === 'json') {
      const doc = JSON.parse(body.toString()) as { partialSuccess?: { errorMessage?: string } };
      if (doc.partialSuccess && !doc.partialSuccess.errorMessage) return 'partial_success without a message';
      return '';
    }
    return '';
  }
  if (status === 400 || status === 413) {
    let message = '';
    if (enc === 'json') message = (JSON.parse(body.toString()) as { message?: string }).message ?? '';
    else {
      const r = new Reader(body);
      while (!r.done()) {
        const tag = r.varint32();
        if (tag === 18) message = r.string();
        else r.skip(tag & 7);
      }
    }
    return message.length > 10 ? '' : `status ${status} without a clear message: ${JSON.stringify(message)}`;
  }
  return `status ${status}${retryAfter ? ` (retry-after ${retryAfter})` : ''}: ${body.toString().slice(0, 300)}`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms: ${what}`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

t.test('every HTTP endpoint and gRPC service, protobuf and JSON, plain and gzip: never a 5xx, a crash or a hang', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-fuzz-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // A short settle time runs normalization over the fuzzed data too.
  const { child, url, grpcPort, output } = await startServe(dataDir, { TRACEMILL_SETTLE_MS: '300', TRACEMILL_MAX_ITEMS_PER_REQUEST: '5000' });
  let exitCode: number | null | undefined;
  child.on('exit', (code) => (exitCode = code));
  t.teardown(() => (exitCode === undefined ? stopChild(child, 'SIGKILL') : undefined));

  const r = new Rng(SEED + 1);
  const total = 1500 * SCALE;
  const complaints: string[] = [];
  const counts: Record<string, number> = {};
  const validSpans: string[] = [];
  const validLogs: string[] = [];
  let next = 0;

  const sendValid = async (i: number) => {
    const tag = `valid-${i}`;
    const signal: SignalName = (i / 12) % 2 ? 'traces' : 'logs';
    type KeyValue = { value: { stringValue: string } };
    type Resource = { resource: { attributes: KeyValue[] } };
    const doc = baseJson(signal, tag) as { resourceSpans?: (Resource & { scopeSpans: { spans: { spanId: string }[] }[] })[]; resourceLogs?: Resource[] };
    const spanId = (0x1000000 + i).toString(16).padStart(16, '0');
    if (signal === 'traces') {
      doc.resourceSpans![0].resource.attributes[0].value.stringValue = 'fuzz-valid';
      doc.resourceSpans![0].scopeSpans[0].spans[0].spanId = spanId;
    } else doc.resourceLogs![0].resource.attributes[0].value.stringValue = 'fuzz-valid';
    const viaGrpc = i % 3 === 0;
    const proto = viaGrpc || i % 5 < 2;
    const body = proto ? (signal === 'traces' ? baseProtoOf(doc, 'traces') : baseProtoOf(doc, 'logs')) : Buffer.from(JSON.stringify(doc));
    let ok: boolean;
    let detail: string;
    if (viaGrpc) {
      const res = await withTimeout(grpcExport(grpcPort, signal, body, { gzip: i % 2 === 0 }), 20_000, tag);
      ok = res.code === grpc.status.OK;
      detail = `${res.code} ${res.details}`;
    } else {
      const gz = i % 4 === 0;
      const res = await withTimeout(
        fetch(`${url}${PATHS[signal]}`, {
          method: 'POST',
          body: new Uint8Array(gz ? gzipSync(body) : body),
          headers: { 'content-type': proto ? 'application/x-protobuf' : 'application/json', ...(gz ? { 'content-encoding': 'gzip' } : {}) },
        }),
        20_000,
        tag,
      );
      ok = res.status === 200;
      detail = `${res.status} ${await res.text()}`;
    }
    if (!ok) complaints.push(`valid request ${tag} not accepted: ${detail.slice(0, 300)}`);
    else if (signal === 'traces') validSpans.push(spanId);
    else validLogs.push(`hello ${tag}`);
  };

  const sendFuzz = async (i: number) => {
    const c = makeCase(r, i);
    const viaGrpc = c.enc === 'protobuf' && r.chance(0.35);
    const gzip = r.chance(0.25);
    if (viaGrpc) {
      const res = await withTimeout(grpcExport(grpcPort, c.signal, c.body, { gzip }), 20_000, c.name);
      counts[`grpc ${grpc.status[res.code]}`] = (counts[`grpc ${grpc.status[res.code]}`] ?? 0) + 1;
      const allowed = [grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED];
      if (!allowed.includes(res.code)) complaints.push(`${c.name} over gRPC: ${grpc.status[res.code]} ${res.details}`);
      else if (res.code !== grpc.status.OK && res.details.length < 10) complaints.push(`${c.name} over gRPC: ${grpc.status[res.code]} without a clear message`);
      return;
    }
    // Now and then a body that claims gzip but is not.
    const badGzip = gzip && r.chance(0.1);
    const body = gzip ? (badGzip ? c.body.subarray(0, 64) : gzipSync(c.body)) : c.body;
    const res = await withTimeout(
      fetch(`${url}${PATHS[c.signal]}`, {
        method: 'POST',
        body: new Uint8Array(body),
        headers: { 'content-type': c.enc === 'json' ? 'application/json' : 'application/x-protobuf', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
      }),
      20_000,
      c.name,
    );
    const answer = Buffer.from(await res.arrayBuffer());
    counts[`http ${res.status}`] = (counts[`http ${res.status}`] ?? 0) + 1;
    let complaint: string;
    try {
      complaint = checkHttp(res.status, c.enc, answer, res.headers.get('retry-after'));
    } catch (e) {
      complaint = `unreadable answer (${res.status}): ${(e as Error).message}`;
    }
    if (complaint) complaints.push(`${c.name}${gzip ? ' gzip' : ''}: ${complaint}`);
  };

  const started = performance.now();
  const worker = async () => {
    // Bounded in time too (a shared 2-core machine can be slow): the cases run are always a prefix of the seed's.
    while (next < total && complaints.length < 20 && exitCode === undefined && performance.now() - started < 30_000 * SCALE) {
      const i = next++;
      try {
        if (i % 12 === 0) await sendValid(i);
        else await sendFuzz(i);
      } catch (e) {
        complaints.push(`request ${i}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  const seconds = (performance.now() - started) / 1000;

  t.same(complaints, [], `${next} requests in ${seconds.toFixed(1)} s: ${JSON.stringify(counts)}`);
  t.equal(exitCode, undefined, 'the service is still running');
  const health = await fetch(`${url}/readyz`);
  t.equal(health.status, 200, 'and ready');

  // Let normalization run over what was stored, then read it back through the query API with fuzzed parameters.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const query = await fuzzQueries(url, new Rng(SEED + 2));
  t.same(query.complaints, [], `query API: ${query.requests} requests in ${query.seconds.toFixed(1)} s: ${JSON.stringify(query.counts)}`);
  t.ok(query.counts['200'] > 0 && query.counts['400'] > 0, 'the parameters reach both answers');

  t.equal(await stopChild(child), 0, 'SIGTERM: exit 0');
  t.notMatch(output(), /uncaught|unhandled|FATAL|heap out of memory/i, 'no crash in the log');
  const store = openStore({ dataDir, clickhouseUrl: undefined, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
  t.teardown(() => store.close());
  const spans = new Set((await store.query<{ span_id: string }>(`SELECT span_id FROM spans FINAL WHERE service_name = 'fuzz-valid'`)).map((x) => x.span_id));
  t.equal(validSpans.filter((id) => !spans.has(id)).length, 0, `every valid span sent alongside is stored (${validSpans.length})`);
  const bodies = (await store.query<{ body: string }>(`SELECT body FROM logs FINAL WHERE service_name = 'fuzz-valid'`)).map((x) => x.body).join('\n');
  const missingLogs = validLogs.filter((m) => !bodies.includes(`"${m}"`));
  t.equal(missingLogs.length, 0, `every valid log record sent alongside is stored (${validLogs.length})`);
});

/** Every read endpoint with the query parameters its schema declares (new parameters are fuzzed without a change here). */
const READ_ENDPOINTS: { path: () => string; params: string[] }[] = [
  { path: () => '/api/v1/failures/stats', params: Object.keys(FailureStatsQuery.shape) },
  { path: () => '/api/v1/failures', params: Object.keys(FailuresQuery.shape) },
  { path: () => '/api/v1/tools/stats', params: Object.keys(Filters.shape) },
  { path: () => '/api/v1/models/stats', params: Object.keys(Filters.shape) },
  { path: () => '/api/v1/traces', params: Object.keys(TracesQuery.shape) },
  { path: () => '/api/v1/traces/5b8efff798038103d269b633813fc60c', params: Object.keys(TraceQuery.shape) },
  { path: () => '/api/v1/sessions/fuzz-session', params: [] },
  { path: () => '/api/v1/failures/compare', params: Object.keys(CompareQuery.shape) },
  { path: () => '/api/v1/report', params: Object.keys(ReportQuery.shape) },
];

/**
 * For every query parameter of every read endpoint (plus path ids and an unknown parameter): random, edge
 * and hostile values, alone and together. No answer may be a 5xx, and none may carry SQL or the engine's words.
 */
async function fuzzQueries(url: string, r: Rng) {
  const complaints: string[] = [];
  const counts: Record<string, number> = {};
  const total = 1200 * SCALE;
  let next = 0;
  const started = performance.now();
  const one = async (i: number) => {
    const ep = READ_ENDPOINTS[i % READ_ENDPOINTS.length];
    // Each parameter in turn alone first, then random mixes of them.
    const round = Math.floor(i / READ_ENDPOINTS.length);
    const names = round < ep.params.length ? [ep.params[round]] : ep.params.filter(() => r.chance(0.4));
    if (r.chance(0.05)) names.push(r.pick(['since', 'foo', 'project', '__proto__', 'limit[]']));
    const qs = new URLSearchParams();
    const sent: string[] = [];
    for (const name of names) {
      for (let k = r.chance(0.1) ? 2 : 1; k > 0; k--) {
        const v = queryValue(r, name);
        qs.append(name, v);
        sent.push(v);
      }
    }
    let path = ep.path();
    if (r.chance(0.1) && path.includes('/traces/')) path = `/api/v1/traces/${encodeURIComponent(queryValue(r, 'traceId'))}`;
    if (r.chance(0.2) && path.includes('/sessions/')) {
      const v = queryValue(r, 'sessionId');
      sent.push(v);
      path = `/api/v1/sessions/${encodeURIComponent(v)}`;
    }
    const target = `${path}${qs.size ? `?${qs}` : ''}`;
    const res = await withTimeout(fetch(`${url}${target}`), 20_000, target);
    const body = await res.text();
    counts[res.status] = (counts[res.status] ?? 0) + 1;
    if (res.status >= 500) complaints.push(`${target}: ${res.status} ${body.slice(0, 300)}`);
    else if (res.status === 400 && (res.headers.get('retry-after') || !/^\{"error":"invalid","message":".{10,}/.test(body))) complaints.push(`${target}: a 400 that is retryable or unclear: ${body.slice(0, 300)}`);
    const leak = leakedText(res.status, body, sent);
    if (leak) complaints.push(`${target}: ${res.status} with "${leak}": ${body.slice(0, 300)}`);
  };
  const worker = async () => {
    while (next < total && complaints.length < 20 && performance.now() - started < 15_000 * SCALE) {
      const i = next++;
      try {
        await one(i);
      } catch (e) {
        complaints.push(`query ${i}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { complaints, counts, requests: next, seconds: (performance.now() - started) / 1000 };
}

function baseProtoOf(doc: object, signal: SignalName): Buffer {
  // The document re-encoded as protobuf through the decoders and the test encoder (as baseProto does).
  const d = decodePayload(signalOf(signal), Buffer.from(JSON.stringify(doc)), 'json');
  return signal === 'traces' ? encodeTracesProto(d.items as Span[]) : encodeLogsProto(d.items as LogRecord[], { eventNameField: true });
}
