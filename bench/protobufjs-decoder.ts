// The protobufjs candidate for the decoder comparison: a reflection schema of the trace messages
// (written here; no .proto files ship on npm) plus conversion to the same Span records the hand decoder makes.
import protobuf from 'protobufjs';
import type { Attributes, Resource, Scope, Span, ValueType } from '../src/model/otlp.js';
import { emptyAttributes } from '../src/model/otlp.js';

const rep = (type: string, id: number) => ({ rule: 'repeated', type, id });
const root = protobuf.Root.fromJSON({
  nested: {
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
      fields: { stringValue: { type: 'string', id: 1 }, boolValue: { type: 'bool', id: 2 }, intValue: { type: 'int64', id: 3 }, doubleValue: { type: 'double', id: 4 }, arrayValue: { type: 'ArrayValue', id: 5 }, kvlistValue: { type: 'KeyValueList', id: 6 }, bytesValue: { type: 'bytes', id: 7 } },
    },
    ArrayValue: { fields: { values: rep('AnyValue', 1) } },
    KeyValueList: { fields: { values: rep('KeyValue', 1) } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    Resource: { fields: { attributes: rep('KeyValue', 1), droppedAttributesCount: { type: 'uint32', id: 2 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: rep('KeyValue', 3), droppedAttributesCount: { type: 'uint32', id: 4 } } },
    Event: { fields: { timeUnixNano: { type: 'fixed64', id: 1 }, name: { type: 'string', id: 2 }, attributes: rep('KeyValue', 3), droppedAttributesCount: { type: 'uint32', id: 4 } } },
    Link: { fields: { traceId: { type: 'bytes', id: 1 }, spanId: { type: 'bytes', id: 2 }, traceState: { type: 'string', id: 3 }, attributes: rep('KeyValue', 4), droppedAttributesCount: { type: 'uint32', id: 5 }, flags: { type: 'fixed32', id: 6 } } },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 }, spanId: { type: 'bytes', id: 2 }, traceState: { type: 'string', id: 3 }, parentSpanId: { type: 'bytes', id: 4 }, name: { type: 'string', id: 5 }, kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 }, endTimeUnixNano: { type: 'fixed64', id: 8 }, attributes: rep('KeyValue', 9), droppedAttributesCount: { type: 'uint32', id: 10 },
        events: rep('Event', 11), droppedEventsCount: { type: 'uint32', id: 12 }, links: rep('Link', 13), droppedLinksCount: { type: 'uint32', id: 14 }, status: { type: 'Status', id: 15 }, flags: { type: 'fixed32', id: 16 },
      },
    },
    ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: rep('Span', 2), schemaUrl: { type: 'string', id: 3 } } },
    ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: rep('ScopeSpans', 2), schemaUrl: { type: 'string', id: 3 } } },
    ExportTraceServiceRequest: { fields: { resourceSpans: rep('ResourceSpans', 1) } },
  },
});
const Request = root.lookupType('ExportTraceServiceRequest');

type Any = { stringValue?: string; boolValue?: boolean; intValue?: { toString(): string }; doubleValue?: number; arrayValue?: unknown; kvlistValue?: unknown; bytesValue?: Uint8Array; value?: string };
type KV = { key: string; value?: Any };

function attrs(list: KV[] | undefined): Attributes {
  const a = emptyAttributes();
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    let value = '';
    let type: ValueType | undefined = 'empty';
    switch (v.value) {
      case 'stringValue': value = v.stringValue!; type = undefined; break;
      case 'boolValue': value = String(v.boolValue); type = 'bool'; break;
      case 'intValue': value = v.intValue!.toString(); type = 'int'; break;
      case 'doubleValue': value = String(v.doubleValue); type = 'double'; break;
      case 'bytesValue': value = Buffer.from(v.bytesValue!).toString('base64'); type = 'bytes'; break;
      case 'arrayValue': value = JSON.stringify(v.arrayValue); type = 'array'; break;
      case 'kvlistValue': value = JSON.stringify(v.kvlistValue); type = 'kvlist'; break;
    }
    a.values[kv.key] = value;
    if (type) a.types[kv.key] = type;
  }
  return a;
}
const hex = (b: Uint8Array | undefined) => (!b || b.length === 0 ? '' : Buffer.isBuffer(b) ? b.toString('hex') : Buffer.from(b).toString('hex'));

export function decodeWithProtobufjs(buf: Uint8Array): Span[] {
  const msg = Request.decode(buf) as unknown as { resourceSpans: any[] };
  const out: Span[] = [];
  for (const rs of msg.resourceSpans) {
    const a = attrs(rs.resource?.attributes);
    const resource: Resource = { attributes: a, droppedAttributesCount: rs.resource?.droppedAttributesCount ?? 0, schemaUrl: rs.schemaUrl ?? '', serviceName: a.values['service.name'] ?? '' };
    for (const ss of rs.scopeSpans ?? []) {
      const scope: Scope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '', attributes: attrs(ss.scope?.attributes), droppedAttributesCount: 0, schemaUrl: ss.schemaUrl ?? '' };
      for (const s of ss.spans ?? []) {
        out.push({
          resource, scope, traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId), traceState: s.traceState ?? '', flags: s.flags ?? 0, name: s.name, kind: s.kind ?? 0,
          startTimeUnixNano: s.startTimeUnixNano.toString(), endTimeUnixNano: s.endTimeUnixNano.toString(), attributes: attrs(s.attributes), droppedAttributesCount: s.droppedAttributesCount ?? 0,
          events: (s.events ?? []).map((e: any) => ({ timeUnixNano: e.timeUnixNano.toString(), name: e.name, attributes: attrs(e.attributes), droppedAttributesCount: e.droppedAttributesCount ?? 0 })),
          droppedEventsCount: s.droppedEventsCount ?? 0,
          links: (s.links ?? []).map((l: any) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId), traceState: l.traceState ?? '', attributes: attrs(l.attributes), droppedAttributesCount: l.droppedAttributesCount ?? 0, flags: l.flags ?? 0 })),
          droppedLinksCount: s.droppedLinksCount ?? 0, statusCode: s.status?.code ?? 0, statusMessage: s.status?.message ?? '',
        });
      }
    }
  }
  return out;
}
