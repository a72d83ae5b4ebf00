// Corpora out of a real service: agent runs sent by the real OpenTelemetry SDK as GenAI spans over OTLP/HTTP
// (gen_ai.system_instructions, gen_ai.input.messages, gen_ai.output.messages, gen_ai.tool.definitions) come back
// in openai-chat, trl and sharegpt with the same messages, tool calls and results; a failed and a successful run
// of one task make a preference pair; secrets are redacted and identical runs deduplicated; the Claude Code
// captures export without error, marked partial; files, manifest, HTTP stream and Parquet.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import t from 'tap';
import { ExportManifest, writeExport } from '../../src/exporters/index.js';
import { CLAUDE_CODE_FIXTURES } from '../helpers/fixtures.js';
import { post, startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const out = mkdtempSync(join(tmpdir(), 'tracemill-export-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'genai-agent', 'service.version': '1.4.2' }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` }))],
});
const tracer = provider.getTracer('roundtrip');

const SYSTEM = 'You are a weather assistant.\nAnswer in one sentence; use tools for live data.';
const TOOLS = [
  { type: 'function', name: 'get_weather', description: 'Current weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  { type: 'function', name: 'get_time', description: 'Local time of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
];

interface Turn {
  /** The assistant's answer to this step: text and/or tool calls (with their results, sent back next step). */
  text?: string;
  calls?: { id: string; name: string; args: Record<string, unknown>; result: string; error?: boolean }[];
}

type GenAiMessage = { role: string; parts: Record<string, unknown>[]; finish_reason?: string };

// Spans get explicit times 5 ms apart, as a model call and a tool take time: stamped by the clock alone, calls made
// within the same instant tie and the order of a run is not what the agent did.
let clock = Date.now() - 60_000;
const tick = () => new Date((clock += 5));

/** One agent run: invoke_agent > (chat, execute_tool*)*, each chat span carrying the whole history. */
async function runAgent(task: string, turns: Turn[], extra: Record<string, string> = {}): Promise<void> {
  const agent = tracer.startSpan('invoke_agent weather', { kind: SpanKind.INTERNAL, startTime: tick(), attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'weather', ...extra } });
  const ctx = trace.setSpan(context.active(), agent);
  const history: GenAiMessage[] = [{ role: 'user', parts: [{ type: 'text', content: task }] }];
  for (const turn of turns) {
    const chat: Span = tracer.startSpan('chat gpt-test', { kind: SpanKind.CLIENT, startTime: tick(), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-test', 'gen_ai.provider.name': 'openai', ...extra } }, ctx);
    const parts: Record<string, unknown>[] = [];
    if (turn.text !== undefined) parts.push({ type: 'text', content: turn.text });
    for (const c of turn.calls ?? []) parts.push({ type: 'tool_call', id: c.id, name: c.name, arguments: c.args });
    const output: GenAiMessage = { role: 'assistant', parts, finish_reason: turn.calls?.length ? 'tool_call' : 'stop' };
    chat.setAttributes({
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
      'gen_ai.input.messages': JSON.stringify(history),
      'gen_ai.output.messages': JSON.stringify([output]),
      'gen_ai.tool.definitions': JSON.stringify(TOOLS),
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 20,
    });
    chat.end(tick());
    history.push({ role: 'assistant', parts });
    if (turn.calls?.length) {
      const results: Record<string, unknown>[] = [];
      for (const c of turn.calls) {
        const tool = tracer.startSpan(`execute_tool ${c.name}`, {
          startTime: tick(),
          attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': c.name, 'gen_ai.tool.call.id': c.id, 'gen_ai.tool.call.arguments': JSON.stringify(c.args), 'gen_ai.tool.call.result': c.result },
        }, ctx);
        if (c.error) tool.setStatus({ code: SpanStatusCode.ERROR, message: c.result });
        tool.end(tick());
        results.push({ type: 'tool_call_response', id: c.id, response: c.result });
      }
      history.push({ role: 'tool', parts: results });
    }
  }
  agent.end(tick());
}

// The expected conversation in OpenAI's spelling, written from the turns sent (not by the code under test).
function expectedOpenAi(task: string, turns: Turn[]): unknown[] {
  const msgs: unknown[] = [{ role: 'system', content: SYSTEM }, { role: 'user', content: task }];
  for (const turn of turns) {
    const m: Record<string, unknown> = { role: 'assistant', content: turn.text ?? null };
    if (turn.calls?.length) m.tool_calls = turn.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
    m.weight = 1;
    msgs.push(m);
    for (const c of turn.calls ?? []) msgs.push({ role: 'tool', tool_call_id: c.id, content: c.result });
  }
  return msgs;
}

const PARIS = 'Weather and time in Paris? Use the tools: "quotes", ünïcödé, emoji 🌦️ and \\backslashes\\.';
const PARIS_TURNS: Turn[] = [
  {
    text: 'Checking both.',
    calls: [
      { id: 'call_w1', name: 'get_weather', args: { city: 'Paris' }, result: '{"temp_c": 18, "sky": "cloudy"}' },
      { id: 'call_t1', name: 'get_time', args: { city: 'Paris' }, result: '14:05' },
    ],
  },
  { text: 'It is 18°C and cloudy in Paris, and 14:05 there.\n\nAnything else?' },
];
await runAgent(PARIS, PARIS_TURNS);
// The same task failing: the first answer calls the weather tool, which errors; the answer differs there.
const FAILED_TURNS: Turn[] = [
  { calls: [{ id: 'call_w9', name: 'get_weather', args: { city: 'Pariss' }, result: 'city not found: Pariss', error: true }] },
  { text: 'Sorry, I could not find that city.' },
];
await runAgent(PARIS, FAILED_TURNS);
// A run with secrets in it, twice (identical content: one is deduplicated).
const SECRET_KEY = 'sk-proj-' + 'Zx9'.repeat(10);
const SECRET_TASK = `Deploy with key ${SECRET_KEY} and mail ops@example.com`;
const SECRET_TURNS: Turn[] = [
  { calls: [{ id: 'call_d1', name: 'get_time', args: { city: 'Oslo', password: 'hunter22' }, result: 'Authorization: Bearer abcdefghijklmnop0123' }] },
  { text: 'Done.' },
];
await runAgent(SECRET_TASK, SECRET_TURNS);
await runAgent(SECRET_TASK, SECRET_TURNS);
await provider.forceFlush();
await provider.shutdown();
// The Claude Code captures: spans and log events of real runs, with content partly not recorded.
for (const dir of ['tools', 'subagent', 'compaction']) {
  for (const signal of ['traces', 'logs']) {
    const res = await post(`${svc.httpUrl}/v1/${signal}`, readFileSync(join(CLAUDE_CODE_FIXTURES, dir, `${signal}.json`)), { 'content-type': 'application/json' });
    if (res.status !== 200) throw new Error(`${dir}/${signal}: ${res.status}`);
  }
}
await svc.normalizer.flush();

const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const FROM = new Date('2000-01-01T00:00:00Z');

type Rec = { messages: Record<string, unknown>[]; tools?: unknown[] };

t.test('openai-chat: the GenAI runs come back with identical messages, tool calls and results', async (t) => {
  const dir = join(out, 'openai');
  const m = await writeExport(svc.store, { format: 'openai-chat', from: FROM, service: 'genai-agent' }, dir);
  t.ok(ExportManifest.safeParse(m).success, 'the manifest matches its schema');
  const lines = readJsonl(join(dir, 'train.jsonl')) as unknown as Rec[];
  const meta = readJsonl(join(dir, 'train.metadata.jsonl'));
  t.equal(lines.length, meta.length);
  const paris = lines.filter((l) => l.messages[1].content === PARIS);
  t.equal(paris.length, 2, 'both runs of the Paris task');
  const ok = paris.find((l) => l.messages.length === 6);
  t.same(ok?.messages, expectedOpenAi(PARIS, PARIS_TURNS));
  t.same(
    ok?.tools,
    TOOLS.map((x) => ({ type: 'function', function: { name: x.name, description: x.description, parameters: x.parameters } })),
  );
  t.equal((ok as Record<string, unknown> | undefined)?.parallel_tool_calls, true);
  // The failed run: its blamed turn (the call whose tool failed) is kept as context with weight 0.
  const failed = paris.find((l) => l !== ok);
  const exp = expectedOpenAi(PARIS, FAILED_TURNS) as Record<string, unknown>[];
  exp[2].weight = 0;
  t.same(failed?.messages, exp);
  t.equal(m.counts.deduplicated, 1, 'the second secret run is a duplicate');
  t.equal(m.counts.examples, 3);
  t.same(m.counts.partial, 0);
  t.equal(m.blamed, 'weight0');
  // The files listed with their sha256.
  for (const f of m.files) t.equal(f.sha256, createHash('sha256').update(readFileSync(join(dir, f.name))).digest('hex'), f.name);
  t.same(readdirSync(dir).sort(), ['manifest.json', 'train.jsonl', 'train.metadata.jsonl'], 'no temporary file left');
  t.same(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')), JSON.parse(JSON.stringify(m)));
});

t.test('secrets are redacted at export and counted; the stored data keeps them', async (t) => {
  const dir = join(out, 'secrets');
  const m = await writeExport(svc.store, { format: 'openai-chat', from: FROM, service: 'genai-agent', redactPii: true }, dir);
  const text = readFileSync(join(dir, 'train.jsonl'), 'utf8');
  t.notOk(text.includes(SECRET_KEY), 'no API key');
  t.notOk(text.includes('hunter22'), 'no password in tool arguments');
  t.notOk(text.includes('abcdefghijklmnop0123'), 'no bearer token');
  t.notOk(text.includes('ops@example.com'), 'no e-mail with --redact-pii');
  t.ok(text.includes('Deploy with key [REDACTED:openai_key] and mail [REDACTED:email]'));
  t.ok(text.includes('Bearer [REDACTED:bearer_token]'));
  t.same(m.counts.redacted, { openai_key: 1, password: 1, bearer_token: 1, email: 1 });
  const stored = await svc.rows<{ n: string }>("SELECT count() AS n FROM operations FINAL WHERE position(input_messages, {k:String}) > 0", { k: SECRET_KEY });
  t.ok(Number(stored[0].n) > 0, 'the store still has what was sent');
  const off = await writeExport(svc.store, { format: 'openai-chat', from: FROM, service: 'genai-agent', redact: false, dedup: false }, join(out, 'noredact'));
  t.ok(readFileSync(join(out, 'noredact', 'train.jsonl'), 'utf8').includes(SECRET_KEY));
  t.equal(off.counts.examples, 4, 'without dedup both secret runs are written');
  t.same(off.counts.redacted, {});
});

t.test('trl and sharegpt carry the same messages in their own spelling', async (t) => {
  const m = await writeExport(svc.store, { format: 'trl', from: FROM, service: 'genai-agent', blamed: 'keep', gzip: true }, join(out, 'trl'));
  t.same(m.files.map((f) => f.name), ['train.jsonl.gz', 'train.metadata.jsonl']);
  const rows = gunzipSync(readFileSync(join(out, 'trl', 'train.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
  const ok = rows.find((r) => r.messages.length === 6 && r.messages[1].content === PARIS);
  t.same(ok?.messages, [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: PARIS },
    {
      role: 'assistant',
      content: 'Checking both.',
      tool_calls: PARIS_TURNS[0].calls?.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args } })),
    },
    { role: 'tool', tool_call_id: 'call_w1', name: 'get_weather', content: '{"temp_c": 18, "sky": "cloudy"}' },
    { role: 'tool', tool_call_id: 'call_t1', name: 'get_time', content: '14:05' },
    { role: 'assistant', content: PARIS_TURNS[1].text },
  ]);
  const s = await writeExport(svc.store, { format: 'sharegpt', from: FROM, service: 'genai-agent', blamed: 'keep' }, join(out, 'sharegpt'));
  const conv = readJsonl(join(out, 'sharegpt', 'train.jsonl')) as { conversations: { from: string; value: string }[]; tools?: string }[];
  const failed = conv.find((c) => c.conversations.some((x) => x.value.includes('Pariss')));
  t.same(failed?.conversations, [
    { from: 'system', value: SYSTEM },
    { from: 'human', value: PARIS },
    { from: 'function_call', value: JSON.stringify({ name: 'get_weather', arguments: { city: 'Pariss' } }) },
    { from: 'observation', value: 'city not found: Pariss' },
    { from: 'gpt', value: 'Sorry, I could not find that city.' },
  ]);
  t.same(JSON.parse(failed?.tools ?? '[]').map((x: { function: { name: string } }) => x.function.name), ['get_weather', 'get_time']);
  // The successful run has text beside its tool calls, which ShareGPT cannot carry: written without it, counted.
  t.equal(s.counts.lossy.assistant_text_with_tool_calls_dropped, 1);
});

t.test('drop: a blamed turn cuts the example before it', async (t) => {
  const m = await writeExport(svc.store, { format: 'trl', from: FROM, service: 'genai-agent' }, join(out, 'trl-drop'));
  const rows = readJsonl(join(out, 'trl-drop', 'train.jsonl')) as unknown as Rec[];
  t.notOk(rows.some((r) => JSON.stringify(r).includes('Pariss')), 'the failed run has nothing trainable before its blamed turn');
  t.equal(m.counts.skipped.all_turns_blamed, 1);
});

t.test('preference pairs from a failed and a successful run of the same task', async (t) => {
  const m = await writeExport(svc.store, { format: 'openai-preference', from: FROM, service: 'genai-agent' }, join(out, 'dpo'));
  const rows = readJsonl(join(out, 'dpo', 'train.jsonl'));
  t.equal(rows.length, 1, JSON.stringify(m.counts));
  t.same(rows[0], {
    input: {
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: PARIS },
      ],
      tools: TOOLS.map((x) => ({ type: 'function', function: { name: x.name, description: x.description, parameters: x.parameters } })),
      parallel_tool_calls: true,
    },
    preferred_output: [expectedOpenAi(PARIS, PARIS_TURNS).map((x) => ({ ...(x as object) }))[2]].map(({ weight: _w, ...rest }: Record<string, unknown>) => rest),
    non_preferred_output: [{ role: 'assistant', content: null, tool_calls: [{ id: 'call_w9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Pariss"}' } }] }],
  });
  const meta = readJsonl(join(out, 'dpo', 'train.metadata.jsonl'));
  t.equal(meta[0].task_key, PARIS.replace(/\s+/g, ' ').toLowerCase());
  const trlm = await writeExport(svc.store, { format: 'trl-preference', from: FROM, service: 'genai-agent' }, join(out, 'trl-dpo'));
  t.equal(trlm.counts.examples, 1);
  const [row] = readJsonl(join(out, 'trl-dpo', 'train.jsonl'));
  t.same(Object.keys(row), ['prompt', 'chosen', 'rejected', 'tools']);
});

t.test('filters: harness version, failure modes, successful runs, turns, tokens; split by hash', async (t) => {
  const base = { format: 'openai-chat', from: FROM } as const;
  const v = await writeExport(svc.store, { ...base, serviceVersion: '1.4.2' }, join(out, 'f1'));
  t.equal(v.counts.runs, 4);
  const none = await writeExport(svc.store, { ...base, serviceVersion: '9.9' }, join(out, 'f2'));
  t.equal(none.counts.runs, 0);
  const timed = await writeExport(svc.store, { ...base, service: 'genai-agent', tool: 'get_time' }, join(out, 'f11'));
  t.equal(timed.counts.runs, 3, 'the Paris run that asked the time and the two secret runs');
  const errs = await writeExport(svc.store, { ...base, service: 'genai-agent', modesPresent: ['tool_error'] }, join(out, 'f3'));
  t.equal(errs.counts.examples, 1);
  const clean = await writeExport(svc.store, { ...base, service: 'genai-agent', successfulOnly: true }, join(out, 'f4'));
  t.equal(clean.counts.runs, 3);
  const long = await writeExport(svc.store, { ...base, service: 'genai-agent', minTurns: 3 }, join(out, 'f5'));
  t.equal(long.counts.runs, 0);
  const small = await writeExport(svc.store, { ...base, service: 'genai-agent', maxTokens: 50 }, join(out, 'f6'));
  t.equal(small.counts.skipped.over_max_tokens, 4, 'the limit comes before dedup: the duplicate is over it too');
  t.equal(small.token_estimator.name, 'utf8_bytes_div_4');
  const split = await writeExport(svc.store, { ...base, service: 'genai-agent', validationRatio: 0.5 }, join(out, 'f7'));
  const again = await writeExport(svc.store, { ...base, service: 'genai-agent', validationRatio: 0.5 }, join(out, 'f8'));
  t.equal(split.counts.train + split.counts.validation, 3);
  t.same(
    split.files.map((f) => [f.name, f.sha256]),
    again.files.map((f) => [f.name, f.sha256]),
    'the same split twice',
  );
  const later = await writeExport(svc.store, { ...base, settledAfter: new Date() }, join(out, 'f9'));
  t.equal(later.counts.runs, 0, 'nothing settled after now');
  const upto = await writeExport(svc.store, { ...base, service: 'genai-agent', settledUntil: new Date() }, join(out, 'f10'));
  t.equal(upto.counts.runs, 4);
});

t.test('the Claude Code captures export without error, marked partial where content is missing', async (t) => {
  const m = await writeExport(svc.store, { format: 'openai-chat', from: FROM, service: 'claude-code', blamed: 'keep' }, join(out, 'cc'));
  t.ok(m.counts.runs >= 4, `main runs and the subagent: ${JSON.stringify(m.counts)}`);
  const meta = readJsonl(join(out, 'cc', 'train.metadata.jsonl'));
  t.equal(m.counts.examples, meta.length);
  t.equal(m.counts.partial, meta.filter((x) => x.partial).length);
  t.ok(meta.every((x) => x.partial === true && (x.partial_reasons as string[]).includes('llm_input_missing')), 'nothing claims to be complete');
  const sub = meta.find((x) => (x.agent as { depth: number }).depth > 0);
  if (sub) t.match(sub.parent, { tool_call_id: /^toolu_/ });
  t.ok(Object.values(m.counts.skipped).every((n) => n > 0));
  const total = m.counts.examples + Object.values(m.counts.skipped).reduce((a, b) => a + b, 0);
  t.ok(total >= m.counts.runs, 'every run is written or counted as skipped');
});

t.test('records: JSONL of the operations, and Parquet written by ClickHouse', async (t) => {
  const m = await writeExport(svc.store, { format: 'records', from: FROM, service: 'genai-agent' }, join(out, 'rec'));
  const rows = readJsonl(join(out, 'rec', 'train.jsonl'));
  const ops = await svc.rows<{ n: string }>("SELECT count() AS n FROM operations FINAL WHERE service_name = 'genai-agent'");
  t.equal(rows.length, Number(ops[0].n));
  t.ok(rows.some((r) => (r.failures as { mode: string }[]).some((f) => f.mode === 'tool_error')));
  t.notOk(readFileSync(join(out, 'rec', 'train.jsonl'), 'utf8').includes(SECRET_KEY));
  t.equal(m.counts.examples, rows.length);
  const p = await writeExport(svc.store, { format: 'records', from: FROM, service: 'genai-agent', parquet: true }, join(out, 'parquet'));
  const file = readFileSync(join(out, 'parquet', 'records.parquet'));
  t.equal(file.subarray(0, 4).toString(), 'PAR1');
  t.equal(file.subarray(-4).toString(), 'PAR1');
  t.equal(p.counts.examples, rows.length);
  t.ok((p.counts.redacted.openai_key ?? 0) > 0, 'redaction counted in SQL');
  const back = await svc.rows<{ n: string; leaked: string }>(
    `SELECT count() AS n, countIf(position(input_messages, {k:String}) > 0) AS leaked FROM file({f:String}, Parquet)`,
    { f: join(out, 'parquet', 'records.parquet'), k: SECRET_KEY },
  );
  t.same(back[0], { n: String(rows.length), leaked: '0' }, 'ClickHouse reads the file back, without the secret');
});

t.test('bad input is named before any work', async (t) => {
  await t.rejects(writeExport(svc.store, { format: 'alpaca' }, join(out, 'x')), /format: unknown format "alpaca"; the formats are openai-chat, trl, sharegpt/);
  await t.rejects(writeExport(svc.store, { format: 'trl', colour: 'red' } as never, join(out, 'x')), /colour: unknown filter; the filters are format, project/);
  await t.rejects(writeExport(svc.store, { format: 'trl', blamed: 'weight0' }, join(out, 'x')), /blamed: trl has no per-turn weight/);
  const file = join(out, 'a-file');
  writeFileSync(file, '');
  await t.rejects(writeExport(svc.store, { format: 'trl' }, join(file, 'sub')), /out: cannot write to .*a-file\/sub: ENOTDIR/);
});

t.test('HTTP: the export streams as JSONL with the manifest in the last line', async (t) => {
  const res = await fetch(`${svc.httpUrl}/api/v1/export/openai-chat?from=2000-01-01T00:00:00Z&service=genai-agent&blamed=keep`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /application\/x-ndjson/);
  const lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines.pop() as { tracemill_manifest: { complete: boolean; counts: { examples: number } } };
  t.equal(last.tracemill_manifest.complete, true);
  t.equal(last.tracemill_manifest.counts.examples, lines.length);
  t.same((lines.find((l) => (l as unknown as Rec).messages.length === 6) as unknown as Rec).messages, expectedOpenAi(PARIS, PARIS_TURNS));
  const bad = await fetch(`${svc.httpUrl}/api/v1/export/alpaca`);
  t.equal(bad.status, 400);
  t.match(await bad.json(), { error: 'invalid', message: /format: unknown format "alpaca"; the formats are openai-chat/ });
  const unknown = await fetch(`${svc.httpUrl}/api/v1/export/trl?colour=red`);
  t.equal(unknown.status, 400);
  t.match(await unknown.json(), { message: /colour: unknown filter; the filters are from, to, service/ });
  const spec = (await (await fetch(`${svc.httpUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  t.ok(spec.paths['/api/v1/export/{format}'], 'in the OpenAPI document');
});
