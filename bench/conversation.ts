// A 50-turn agent conversation, the way agents export it: every LLM call's span carries the whole history so far
// in gen_ai.input.messages (system prompt, then user / assistant / tool result messages), one trace per turn.
// Stored twice in scratch stores, as sent (naive) and content-addressed (src/store/rows/messages.ts), and
// measured in bytes on disk after OPTIMIZE FINAL against the OTLP protobuf bytes sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { decodeTracesProto } from '../src/receivers/otlp/traces.js';
import { openStore, type Store } from '../src/store/clickhouse.js';
import { migrate } from '../src/store/migrate.js';
import { nativeChunks } from '../src/store/native.js';
import { RAW_SPAN_SELECT, type RawSpanRow, restoreMessages } from '../src/store/read/spans.js';
import { encodeSpans, spanTables } from '../src/store/rows/spans.js';
import type { TableRows } from '../src/store/writer.js';
import { CONVERSATION_KEYS, SESSION_KEYS } from '../src/normalize/dialects/index.js';

export interface ConversationFigures {
  storage: string;
  turns: number;
  otlp_bytes: number;
  disk_bytes: number;
  spans_disk_bytes: number;
  messages_disk_bytes: number;
}

/** Deterministic text that compresses like prose, not like a repeated sentence (a 4096-word vocabulary). */
function prose(bytes: number, seed: number): string {
  let x = (seed * 2654435761) >>> 0;
  const next = () => (x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0);
  let s = '';
  while (s.length < bytes) {
    const w = next();
    const len = 2 + (w % 9);
    let word = '';
    for (let i = 0; i < len; i++) word += String.fromCharCode(97 + ((w >>> (i * 3)) % 26));
    s += word + (next() % 17 === 0 ? '. ' : ' ');
  }
  return s.slice(0, bytes);
}

/** OTLP protobuf requests, one per turn (the LLM call with the history so far, and the tool call it made). */
export function conversationRequests(turns: number): Uint8Array[] {
  const mem = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'my-agent', 'service.version': '1.0.0' }),
    spanProcessors: [new SimpleSpanProcessor(mem)],
  });
  const tracer = provider.getTracer('agent');
  const session = 'conversation-50-turns';
  const history: unknown[] = [{ role: 'system', parts: [{ type: 'text', content: prose(3000, 1) }] }];
  const requests: Uint8Array[] = [];
  for (let turn = 0; turn < turns; turn++) {
    history.push({ role: 'user', parts: [{ type: 'text', content: prose(200 + ((turn * 131) % 800), 100 + turn) }] });
    const root = tracer.startSpan('invoke_agent my-agent', { attributes: { 'session.id': session, 'gen_ai.operation.name': 'invoke_agent' } });
    const ctx = trace.setSpan(context.active(), root);
    const answer = { role: 'assistant', parts: [{ type: 'text', content: prose(300 + ((turn * 977) % 1500), 200 + turn) }, { type: 'tool_call', id: `call_${turn}`, name: 'read_file', arguments: { path: `src/file${turn}.ts` } }] };
    const llm = tracer.startSpan(
      'chat claude-opus-5-5',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'session.id': session,
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'claude-opus-5-5',
          'gen_ai.usage.input_tokens': 1000 * (turn + 1),
          'gen_ai.usage.output_tokens': 200,
          'gen_ai.input.messages': JSON.stringify(history),
          'gen_ai.output.messages': JSON.stringify([answer]),
        },
      },
      ctx,
    );
    llm.end();
    const result = prose(1000 + ((turn * 7919) % 7000), 300 + turn);
    const tool = tracer.startSpan('execute_tool read_file', { attributes: { 'session.id': session, 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call.id': `call_${turn}` } }, ctx);
    tool.end();
    root.end();
    history.push(answer, { role: 'tool', parts: [{ type: 'tool_call_response', id: `call_${turn}`, response: result }] });
    requests.push(ProtobufTraceSerializer.serializeRequest(mem.getFinishedSpans())!);
    mem.reset();
  }
  return requests;
}

async function partsBytes(store: Store, table: string): Promise<number> {
  await store.command(`OPTIMIZE TABLE ${table} FINAL`);
  const [r] = await store.query<{ b: string }>('SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE active AND database = currentDatabase() AND table = {t:String}', { t: table });
  return Number(r.b);
}

async function insertAll(store: Store, tables: TableRows[]): Promise<void> {
  // One INSERT per table, messages first (as the writer does).
  const byTable = new Map<string, TableRows[]>();
  for (const t of [...tables].sort((a, b) => a.schema.priority - b.schema.priority)) byTable.set(t.schema.table, [...(byTable.get(t.schema.table) ?? []), t]);
  for (const [table, list] of byTable) await store.insertNative(table, list[0].schema.names, nativeChunks(list[0].schema, list.map((t) => t.block)));
  for (const t of tables) t.onCommit?.();
}

export async function conversationBench(turns: number): Promise<ConversationFigures[]> {
  const requests = conversationRequests(turns);
  const otlp = requests.reduce((n, r) => n + r.length, 0);
  const out: ConversationFigures[] = [];
  for (const storage of ['naive', 'content-addressed'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'tracemill-bench-conversation-'));
    const store = openStore({ dataDir: dir, clickhouseUrl: undefined, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
    try {
      await migrate(store);
      const tables: TableRows[] = [];
      for (const r of requests) {
        const spans = decodeTracesProto(Buffer.from(r)).items;
        if (storage === 'naive') tables.push(encodeSpans('bench', spans, SESSION_KEYS));
        else tables.push(...spanTables('bench', spans, CONVERSATION_KEYS));
      }
      await insertAll(store, tables);
      if (storage === 'content-addressed') {
        // The round trip is lossless: every stored history expands to the text that was sent.
        const rows = await store.query<RawSpanRow>(`SELECT ${RAW_SPAN_SELECT} FROM spans FINAL WHERE name LIKE 'chat%' ORDER BY start_time`);
        await restoreMessages(store, 'bench', rows);
        const sent = requests.flatMap((r) => decodeTracesProto(Buffer.from(r)).items.filter((s) => s.name.startsWith('chat')));
        for (let i = 0; i < sent.length; i++) {
          if (rows[i].attributes['gen_ai.input.messages'] !== sent[i].attributes.values['gen_ai.input.messages']) throw new Error(`turn ${i}: the restored history differs from what was sent`);
        }
      }
      const spansBytes = await partsBytes(store, 'spans');
      const messagesBytes = await partsBytes(store, 'messages');
      out.push({ storage, turns, otlp_bytes: otlp, disk_bytes: spansBytes + messagesBytes, spans_disk_bytes: spansBytes, messages_disk_bytes: messagesBytes });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
