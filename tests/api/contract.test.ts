// The query API's contract under bad and hostile input, over real sockets against a real service (embedded
// ClickHouse): every client mistake is a 400 naming the parameter (never retryable, never engine text), one
// range rule and one not-found answer on every endpoint, times at the edges of what the store holds, the
// documented limits (session ids, AnyValue nesting), Content-Encoding, and an accurate OpenAPI document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { Writer } from '../../src/receivers/otlp/wire.js';
import { CLAUDE_CODE_FIXTURES } from '../helpers/fixtures.js';
import { Rng, nestedAnyValue, nestedJsonAny } from '../helpers/fuzz.js';
import { post, startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const JSON_CT = { 'content-type': 'application/json' };
for (const dir of ['subagent', 'compaction']) {
  for (const signal of ['traces', 'logs']) {
    const res = await post(`${svc.httpUrl}/v1/${signal}`, readFileSync(join(CLAUDE_CODE_FIXTURES, dir, `${signal}.json`)), JSON_CT);
    if (res.status !== 200) throw new Error(`${dir}/${signal}: ${res.status}`);
  }
}

const LONG_SESSION = 's'.repeat(150);
const id = (n: number, len: number) => n.toString(16).padStart(len, '0');
/** One OTLP/JSON span of its own trace. */
function spanDoc(traceNo: number, start: string, end: string, attrs: Record<string, string> = {}, value?: unknown) {
  const attributes = Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
  if (value !== undefined) attributes.push({ key: 'deep', value: value as { stringValue: string } });
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'contract' } }] },
        scopeSpans: [{ spans: [{ traceId: id(traceNo, 32), spanId: id(traceNo, 16), name: `span ${traceNo}`, kind: 1, startTimeUnixNano: start, endTimeUnixNano: end, attributes }] }],
      },
    ],
  };
}
const NOW_NS = `${Date.now() - 3_600_000}000000`;
const sent = {
  epoch: await post(`${svc.httpUrl}/v1/traces`, JSON.stringify(spanDoc(0xe0, '0', '1000000')), JSON_CT),
  y2261: await post(`${svc.httpUrl}/v1/traces`, JSON.stringify(spanDoc(0xe1, '9183000000000000000', '9183000000100000000')), JSON_CT),
  session: await post(`${svc.httpUrl}/v1/traces`, JSON.stringify(spanDoc(0xe2, NOW_NS, NOW_NS, { 'openinference.span.kind': 'AGENT', 'session.id': LONG_SESSION })), JSON_CT),
};
await svc.normalizer.renormalize({ since: new Date(0) });

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { error?: string; message?: string } & Record<string, unknown>;
  text: string;
}
async function req(path: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(`${svc.httpUrl}${path}`, init);
  const text = await res.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    // Not JSON (fastify's own 414 page, for example): the test reads `text`.
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, text };
}
const renormalize = (body: unknown) => req('/api/v1/admin/renormalize', { method: 'POST', headers: JSON_CT, body: JSON.stringify(body) });

const ENGINE_TEXT = /SELECT|FROM |DB::Exception|Code: \d|ClickHouse|Invalid time value|RangeError|overflow/;

/** A 400 that names `param`, is not retryable, and holds no engine text. */
function isClientError(t: Test, a: Answer, param: string, what: string, unknown = false): void {
  t.equal(a.status, 400, `${what}: 400 (${a.text.slice(0, 200)})`);
  t.equal(a.body.error, 'invalid', `${what}: error code`);
  if (unknown) t.match(a.body.message ?? '', new RegExp(`\\b${param}(, \\w+)*: unknown parameter`), `${what}: called unknown`);
  t.match(a.body.message ?? '', new RegExp(`\\b${param}\\b`), `${what}: names ${param}`);
  t.equal(a.retryAfter, null, `${what}: not retryable`);
  t.notMatch(a.text, ENGINE_TEXT, `${what}: no engine text`);
}

const LISTS = ['/api/v1/failures/stats', '/api/v1/failures', '/api/v1/tools/stats', '/api/v1/models/stats', '/api/v1/traces'];
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

t.test('malformed cursors: 400 naming cursor', async (t) => {
  isClientError(t, await req(`/api/v1/traces?from=30d&cursor=${b64(['abc', 'x'])}`), 'cursor', 'traces cursor ["abc","x"]');
  isClientError(t, await req(`/api/v1/traces?cursor=${b64(['1', '0'.repeat(31) + 'g'])}`), 'cursor', 'traces cursor with a bad trace id');
  const trace = '0'.repeat(31) + '1';
  const span = '0'.repeat(15) + '1';
  for (const index of ['-1', '1.5', '1e400', '0', '4294967296']) {
    isClientError(t, await req(`/api/v1/failures?cursor=${b64(`["1795586173636000000","${trace}","${span}",${index}]`)}`), 'cursor', `failures cursor index ${index}`);
  }
  isClientError(t, await req(`/api/v1/failures?cursor=${b64(['99999999999999999999', trace, span, 1])}`), 'cursor', 'failures cursor time past Int64');
});

t.test('times outside what the store holds, or not on the calendar: 400 naming the parameter, on every endpoint', async (t) => {
  for (const path of LISTS) {
    isClientError(t, await req(`${path}?to=2300-01-01T00:00:00Z`), 'to', `${path} to=2300`);
    isClientError(t, await req(`${path}?from=9999999999999999999d`), 'from', `${path} from=9999999999999999999d`);
    isClientError(t, await req(`${path}?from=21000d`), 'from', `${path} from=21000d`);
    isClientError(t, await req(`${path}?from=100000d`), 'from', `${path} from=100000d`);
    isClientError(t, await req(`${path}?from=2026-02-30`), 'from', `${path} from=2026-02-30`);
    isClientError(t, await req(`${path}?from=1d&to=30d`), 'from', `${path} from after to`);
  }
  isClientError(t, await renormalize({ since: '2300-01-01T00:00:00Z' }), 'since', 'renormalize since 2300');
  isClientError(t, await renormalize({ since: '9999999999999999999d' }), 'since', 'renormalize since 9999999999999999999d');
  isClientError(t, await renormalize({ since: '1d', until: '30d' }), 'since', 'renormalize since after until');
  isClientError(t, await renormalize({}), 'since', 'renormalize without since');
  isClientError(t, await renormalize({ since: '1d', sinse: '2d' }), 'sinse', 'renormalize with an unknown field', true);
});

t.test('from=1970-01-01 returns the data, including a span that started at time 0', async (t) => {
  t.equal(sent.epoch.status, 200, 'a span at time 0 is taken');
  const all = await req('/api/v1/traces?from=1970-01-01T00:00:00Z&limit=500');
  t.equal(all.status, 200);
  const ids = (all.body.traces as { trace_id: string }[]).map((x) => x.trace_id);
  t.ok(ids.includes(id(0xe0, 32)), 'the time-0 trace is listed');
  t.ok(ids.length >= 3, `and the rest (${ids.length} traces)`);
  const detail = await req(`/api/v1/traces/${id(0xe0, 32)}?raw=1`);
  t.equal(detail.status, 200, 'and it is found: list and detail agree');
  t.equal((detail.body.raw as { resourceSpans: unknown[] }).resourceSpans.length, 1, 'with its raw span');
  const stats = await req('/api/v1/tools/stats?from=1970-01-01T00:00:00Z');
  t.equal(stats.status, 200);
  t.ok((stats.body.tools as unknown[]).length > 0, 'stats from 1970 hold the data');
});

t.test('a span dated 2261 is refused at ingest, naming why, and is nowhere to be listed', async (t) => {
  t.equal(sent.y2261.status, 400, 'its only span refused: 400');
  t.match(JSON.parse(sent.y2261.body.toString()).message, /start_time_unix_nano is after 2149-06-06/);
  const detail = await req(`/api/v1/traces/${id(0xe1, 32)}`);
  t.equal(detail.status, 404);
  const [{ n }] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM spans WHERE trace_id = '${id(0xe1, 32)}'`);
  t.equal(Number(n), 0, 'nothing stored');
  // With a valid span beside it, the answer is a partial success naming the reason.
  const both = spanDoc(0xe3, NOW_NS, NOW_NS);
  both.resourceSpans[0].scopeSpans[0].spans.push(spanDoc(0xe4, '9183000000000000000', '9183000000000000000').resourceSpans[0].scopeSpans[0].spans[0]);
  const partial = await post(`${svc.httpUrl}/v1/traces`, JSON.stringify(both), JSON_CT);
  t.equal(partial.status, 200);
  t.match(JSON.parse(partial.body.toString()), { partialSuccess: { rejectedSpans: '1', errorMessage: /after 2149-06-06/ } });
});

t.test('unknown parameters: 400 naming them', async (t) => {
  isClientError(t, await req('/api/v1/traces?since=30d'), 'since', 'traces since=30d', true);
  for (const path of LISTS) isClientError(t, await req(`${path}?foo=bar`), 'foo', `${path} foo=bar`, true);
  isClientError(t, await req('/api/v1/tools/stats?group_by=tool'), 'group_by', 'tools/stats group_by', true);
  isClientError(t, await req('/api/v1/models/stats?limit=5'), 'limit', 'models/stats limit', true);
  isClientError(t, await req(`/api/v1/traces/${id(0xe0, 32)}?foo=1`), 'foo', 'traces/:id foo', true);
  isClientError(t, await req(`/api/v1/sessions/${LONG_SESSION}?limit=1`), 'limit', 'sessions/:id limit', true);
});

t.test('limit in decimal digits only', async (t) => {
  for (const v of ['1e2', '0x10', '1.5', '-1', ' 5', '']) isClientError(t, await req(`/api/v1/traces?limit=${encodeURIComponent(v)}`), 'limit', `limit=${v}`);
  const ok = await req('/api/v1/failures?limit=100');
  t.equal(ok.status, 200);
});

t.test('session ids up to the documented 512 characters', async (t) => {
  t.equal(sent.session.status, 200);
  const listed = await req(`/api/v1/traces?from=1970-01-01T00:00:00Z&session=${LONG_SESSION}`);
  t.equal((listed.body.traces as { session_id: string }[])[0]?.session_id, LONG_SESSION, 'listed by /traces?session=');
  const one = await req(`/api/v1/sessions/${LONG_SESSION}`);
  t.equal(one.status, 200, 'a 150-character id is found');
  t.equal((one.body.traces as unknown[]).length, 1);
  const max = await req(`/api/v1/sessions/${'x'.repeat(512)}`);
  t.equal(max.status, 404, '512 characters: looked up (not found)');
  isClientError(t, await req(`/api/v1/sessions/${'x'.repeat(513)}`), 'sessionId', '513 characters');
});

t.test('not found: one answer and one error shape', async (t) => {
  const session = await req('/api/v1/sessions/unknown');
  const trace = await req(`/api/v1/traces/${'f'.repeat(32)}`);
  const route = await req('/api/v1/nothing-here');
  for (const [what, a, param] of [
    ['session', session, 'sessionId'],
    ['trace', trace, 'traceId'],
    ['route', route, 'route'],
  ] as const) {
    t.equal(a.status, 404, what);
    t.same(Object.keys(a.body).sort(), ['error', 'message'], `${what}: { error, message }`);
    t.equal(a.body.error, 'not_found', what);
    t.match(a.body.message, param, `${what}: says what was not found`);
  }
});

t.test('AnyValue nesting: 32 levels kept, 33 refused, in both encodings', async (t) => {
  for (const [depth, kept] of [
    [17, true],
    [32, true],
    [33, false],
  ] as const) {
    const json = await post(`${svc.httpUrl}/v1/traces`, JSON.stringify(spanDoc(0x100 + depth, NOW_NS, NOW_NS, {}, nestedJsonAny(depth))), JSON_CT);
    const value = nestedAnyValue(depth, new Rng(depth));
    const proto = new Writer()
      .messageField(1, (rs) =>
        rs.messageField(2, (ss) =>
          ss.messageField(2, (s) =>
            s
              .bytesField(1, Buffer.from(id(0x200 + depth, 32), 'hex'))
              .bytesField(2, Buffer.from(id(0x200 + depth, 16), 'hex'))
              .stringField(5, 'deep')
              .messageField(9, (kv) => kv.stringField(1, 'deep').bytesField(2, value)),
          ),
        ),
      )
      .finish();
    const pb = await post(`${svc.httpUrl}/v1/traces`, proto, { 'content-type': 'application/x-protobuf' });
    t.equal(json.status, kept ? 200 : 400, `JSON, ${depth} levels`);
    t.equal(pb.status, kept ? 200 : 400, `protobuf, ${depth} levels`);
    if (!kept) t.match(JSON.parse(json.body.toString()).message, /deeper than 32 levels/);
  }
});

t.test('Content-Encoding: names in any case; brotli refused with 415', async (t) => {
  const body = JSON.stringify(spanDoc(0x300, NOW_NS, NOW_NS));
  for (const name of ['GZIP', 'Gzip', ' gzip']) {
    const res = await post(`${svc.httpUrl}/v1/traces`, gzipSync(body), { ...JSON_CT, 'content-encoding': name });
    t.equal(res.status, 200, `Content-Encoding: ${name}`);
  }
  const br = await post(`${svc.httpUrl}/v1/traces`, brotliCompressSync(body), { ...JSON_CT, 'content-encoding': 'br' });
  t.equal(br.status, 415, 'br: 415');
  t.match(br.body.toString(), /unsupported Content-Encoding, supported: \[gzip, deflate, identity\]/);
});

t.test('/openapi.json documents what the routes do', async (t) => {
  const doc = (await req('/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> } }>> };
  for (const path of ['/v1/traces', '/v1/logs', '/v1/metrics']) {
    for (const method of ['get', 'put', 'delete', 'patch']) t.notOk(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is not documented (it answers 405)`);
  }
  const renorm = doc.paths['/api/v1/admin/renormalize']?.post?.requestBody?.content['application/json']?.schema;
  t.ok(renorm?.properties?.since && renorm.properties.until, 'renormalize: its body (since, until)');
  t.same(renorm?.required, ['since']);
  t.ok(doc.paths['/api/v1/admin/migrate']?.post, 'migrate documented');
  t.notOk(doc.paths['/v1/traces']?.post, 'the OTLP export paths are the OTLP specification\'s, not this document\'s');
});

interface Node {
  span_id: string;
  parent_span_id: string;
  kind: string;
  start: string;
  end: string;
  duration_ms: number;
  agent: { id: string };
  usage?: Record<string, number | null>;
  children: Node[];
}
const flat = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
async function trees(): Promise<{ trace_id: string; tree: Node[] }[]> {
  const list = (await req('/api/v1/traces?from=3650d&limit=500')).body.traces as { trace_id: string; service: string }[];
  return Promise.all(list.filter((x) => x.service === 'claude-code').map(async (x) => (await req(`/api/v1/traces/${x.trace_id}`)).body as unknown as { trace_id: string; tree: Node[] }));
}

t.test('trace view of the Claude Code captures', async (t) => {
  const all = await trees();
  t.ok(all.length >= 3, `${all.length} traces`);
  for (const tr of all) {
    for (const n of flat(tr.tree)) {
      t.ok(n.duration_ms >= 0 && n.end >= n.start, `${tr.trace_id} ${n.kind} ${n.span_id}: no negative duration (${n.duration_ms} ms)`);
    }
  }
  // The subagent reports usage: the sum of its LLM calls (subagent_completed reported 2049 tokens in all).
  const subs = all.flatMap((tr) => flat(tr.tree)).filter((n) => n.kind === 'subagent');
  t.equal(subs.length, 1, 'one subagent');
  const calls = flat(subs[0].children).filter((n) => n.kind === 'llm');
  t.ok(calls.length > 0, 'its calls are under it');
  const sum = (k: string) => calls.reduce((x, n) => x + (n.usage?.[k] ?? 0), 0);
  t.equal(subs[0].usage?.input_tokens, sum('input_tokens'), 'input tokens rolled up');
  t.equal(subs[0].usage?.output_tokens, sum('output_tokens'), 'output tokens rolled up');
  t.ok(sum('input_tokens') + sum('output_tokens') >= 2049, 'at least what subagent_completed reported');
  // The subagent's id is the raw span its calls hang under (Claude Code's tool.execution span, merged into the
  // Agent call), so its children's parent ids are nodes of the tree and every id matches a raw span.
  const subTrace = all.find((tr) => flat(tr.tree).includes(subs[0]))!;
  const raw = (await req(`/api/v1/traces/${subTrace.trace_id}?raw=1`)).body as unknown as { raw: { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] } };
  const rawIds = new Set(raw.raw.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((sp) => sp.spanId))));
  t.ok(rawIds.has(subs[0].span_id), `the subagent's id ${subs[0].span_id} is a raw span`);
  const ids = new Set(flat(subTrace.tree).map((n) => n.span_id));
  for (const c of subs[0].children) t.ok(c.parent_span_id === subs[0].span_id, `${c.kind} ${c.span_id}: its parent id is the subagent node`);
  for (const n of flat(subTrace.tree)) if (n.parent_span_id) t.ok(ids.has(n.parent_span_id), `${n.kind} ${n.span_id}: parent ${n.parent_span_id} is in the tree`);
  // The compaction owns its own LLM call (query_source compact); the calls before and after stay beside it.
  const compaction = all.flatMap((tr) => flat(tr.tree)).find((n) => n.kind === 'compaction');
  t.ok(compaction, 'the compaction is in the tree');
  const own = compaction!.children.filter((n) => n.kind === 'llm');
  t.equal(own.length, 1, 'one LLM call under the compaction');
  t.ok(own[0].start >= compaction!.start && own[0].end <= compaction!.end, 'within its time');
  const root = all.find((tr) => flat(tr.tree).includes(compaction!))!.tree[0];
  t.ok(root.children.filter((n) => n.kind === 'llm').length >= 2, 'the other calls stay under the agent');
});

// Last: it closes the store under the running service.
t.test('the store failing: 503 with Retry-After, and none of the engine words', async (t) => {
  await svc.store.close();
  for (const path of ['/api/v1/traces', '/api/v1/failures/stats', `/api/v1/traces/${id(0xe0, 32)}`]) {
    const a = await req(path);
    t.equal(a.status, 503, path);
    t.ok(Number(a.retryAfter) > 0, `${path}: Retry-After`);
    t.equal(a.body.error, 'store_unavailable');
    t.notMatch(a.text, ENGINE_TEXT, `${path}: ${a.text.slice(0, 200)}`);
  }
});
