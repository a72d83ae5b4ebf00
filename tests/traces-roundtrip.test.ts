// Spans sent by the real OTel exporters (JSON and protobuf, with and without gzip) over real sockets
// are stored and read back equal, field by field, to what the official serializer says was sent.
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import t from 'tap';
import { attributesToJson } from '../src/model/values.js';
import type { Span } from '../src/model/otlp.js';
import { decodeTracesJson } from '../src/receivers/otlp/traces.js';
import { RAW_SPAN_SELECT, type RawSpanRow, spanJson } from '../src/store/read/spans.js';
import { startTestService } from './helpers/service.js';
import { exportWith, hrToNanos, makeSpans } from './helpers/spans.js';

/** Canonical view of a decoded span: the same shape spanJson() rebuilds from rows, plus resource and scope. */
function canonical(s: Span) {
  return {
    resource: { attributes: attributesToJson(s.resource.attributes), dropped: s.resource.droppedAttributesCount, schemaUrl: s.resource.schemaUrl },
    scope: { name: s.scope.name, version: s.scope.version, attributes: attributesToJson(s.scope.attributes), schemaUrl: s.scope.schemaUrl },
    span: {
      traceId: s.traceId,
      spanId: s.spanId,
      ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
      ...(s.traceState ? { traceState: s.traceState } : {}),
      flags: s.flags,
      name: s.name,
      kind: s.kind,
      startTimeUnixNano: s.startTimeUnixNano,
      endTimeUnixNano: s.endTimeUnixNano,
      attributes: attributesToJson(s.attributes),
      droppedAttributesCount: s.droppedAttributesCount,
      events: s.events.map((e) => ({ timeUnixNano: e.timeUnixNano, name: e.name, attributes: attributesToJson(e.attributes), droppedAttributesCount: e.droppedAttributesCount })),
      droppedEventsCount: s.droppedEventsCount,
      links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, attributes: attributesToJson(l.attributes), droppedAttributesCount: l.droppedAttributesCount, flags: l.flags })),
      droppedLinksCount: s.droppedLinksCount,
      status: { code: s.statusCode, ...(s.statusMessage ? { message: s.statusMessage } : {}) },
    },
  };
}

function fromRow(r: RawSpanRow) {
  return {
    resource: { attributes: attributesToJson({ values: r.resource_attributes, types: r.resource_attribute_types as never }), dropped: Number(r.resource_dropped_attributes_count), schemaUrl: r.resource_schema_url },
    scope: { name: r.scope_name, version: r.scope_version, attributes: attributesToJson({ values: r.scope_attributes, types: r.scope_attribute_types as never }), schemaUrl: r.scope_schema_url },
    span: spanJson(r),
  };
}

const byId = <T extends { span: { spanId?: unknown } }>(a: T, b: T) => String(a.span.spanId).localeCompare(String(b.span.spanId));

t.test('real exporters round-trip every OTLP field', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const url = `${svc.httpUrl}/v1/traces`;

  const cases: [string, () => JsonExporter | ProtoExporter][] = [
    ['http/json', () => new JsonExporter({ url })],
    ['http/json + gzip', () => new JsonExporter({ url, compression: 'gzip' as never })],
    ['http/protobuf', () => new ProtoExporter({ url })],
    ['http/protobuf + gzip', () => new ProtoExporter({ url, compression: 'gzip' as never })],
  ];

  for (const [name, make] of cases) {
    await t.test(name, async (t) => {
      const spans: ReadableSpan[] = makeSpans(`svc ${name}`);
      const exporter = make();
      await exportWith(exporter, spans);
      await exporter.shutdown();

      const traceId = spans[0].spanContext().traceId;
      const rows = await svc.rows<RawSpanRow>(`SELECT ${RAW_SPAN_SELECT} FROM spans FINAL WHERE trace_id = {t:String}`, { t: traceId });
      t.equal(rows.length, spans.length, 'every span stored once');

      // Independent checks against the SDK's own span objects.
      for (const s of spans) {
        const row = rows.find((r) => r.span_id === s.spanContext().spanId);
        t.ok(row, `span ${s.name} stored`);
        if (!row) continue;
        t.equal(row.name, s.name);
        t.equal(row.start_ns, hrToNanos(s.startTime), 'start time to the nanosecond');
        t.equal(row.end_ns, hrToNanos(s.endTime));
        t.equal(row.parent_span_id, s.parentSpanContext?.spanId ?? '');
      }
      const chat = rows.find((r) => r.name.startsWith('chat'))!;
      t.equal(chat.attribute_types['gen_ai.usage.input_tokens'], 'int');
      t.equal(chat.attribute_types['gen_ai.request.temperature'], 'double');
      t.equal(chat.attribute_types['payload.bytes'], 'bytes');
      t.equal(chat.attributes['payload.bytes'], Buffer.from([0, 1, 2, 250, 255]).toString('base64'));
      t.equal(chat.attribute_types['gen_ai.input.messages.raw'], 'kvlist');
      t.equal(chat.attributes['unicode'], 'héllo ✓ 日本');
      t.equal(chat.attributes['big.int'], String(Number.MAX_SAFE_INTEGER));

      // Field-by-field against the official JSON serializer's encoding of the same spans.
      const oracle = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString());
      const expected = decodeTracesJson(oracle).items.map(canonical).sort(byId);
      const actual = rows.map(fromRow).sort(byId);
      t.same(actual, expected, 'stored spans equal what was sent');
    });
  }

  await t.test('an exporter retry of the same spans is not double-counted', async (t) => {
    const spans = makeSpans('retry-svc', { count: 3 });
    const exporter = new ProtoExporter({ url });
    await exportWith(exporter, spans);
    await exportWith(exporter, spans);
    await exporter.shutdown();
    const [{ n, raw }] = await svc.rows<{ n: string; raw: string }>(
      `SELECT (SELECT count() FROM spans FINAL WHERE service_name = 'retry-svc') AS n, (SELECT count() FROM spans WHERE service_name = 'retry-svc') AS raw`,
    );
    t.equal(Number(n), spans.length, 'FINAL collapses the re-sent rows');
    t.ok(Number(raw) >= spans.length, 'raw rows exist');
  });
});
