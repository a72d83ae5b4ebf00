// ExportLogsServiceRequest decoders (protobuf and OTLP/JSON) into LogRecord records.
import { addDropped, attrOverflow, readAnyValue, readAttr } from './anyvalue.js';
import { anyValueFromJson, attributesFromJson } from '../../model/values.js';
import { checkNanos, checkOptionalTraceId, checkSpanId, field, isObj, jsonEnum, jsonId, jsonNanos, jsonStr, jsonUint, walkEnvelope, walkJsonEnvelope } from './common.js';
import { DecodeError, type Decoded, type Decoding, type LogRecord, type Resource, type Scope, addRejection, countItem, emptyAttributes, startDecoding } from '../../model/otlp.js';
import { Reader } from './wire.js';

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

function newLogRecord(resource: Resource, scope: Scope): LogRecord {
  return {
    resource,
    scope,
    timeUnixNano: '0',
    observedTimeUnixNano: '0',
    severityNumber: 0,
    severityText: '',
    body: { value: '', type: 'empty' },
    attributes: emptyAttributes(),
    droppedAttributesCount: 0,
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
  };
}

/** Returns why a log record cannot be stored, or '' when it is valid. Ids are optional on logs. */
export function validateLogRecord(l: LogRecord): string {
  return (
    checkOptionalTraceId(l.traceId) ||
    checkSpanId(l.spanId, 'span_id', true) ||
    checkNanos(l.timeUnixNano, 'time_unix_nano') ||
    checkNanos(l.observedTimeUnixNano, 'observed_time_unix_nano') ||
    ''
  );
}

function collect(out: Decoding<LogRecord>, read: () => LogRecord): void {
  countItem(out);
  let l: LogRecord;
  try {
    l = read();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    addRejection(out.rejected, `malformed log record: ${e.message}`);
    return;
  }
  const reason = validateLogRecord(l);
  if (reason) {
    addRejection(out.rejected, reason);
    return;
  }
  // All-zero ids mean "no trace context" (the SDKs send them that way); store them as absent.
  if (l.traceId === ZERO_TRACE) l.traceId = '';
  if (l.spanId === ZERO_SPAN) l.spanId = '';
  // Newer SDKs set LogRecord.event_name; Claude Code, Codex and Gemini CLI send the event.name attribute.
  // The body is left alone: Gemini CLI puts a sentence there, so it is no event name.
  if (!l.eventName) l.eventName = l.attributes.values['event.name'] ?? '';
  out.items.push(l);
}

// ---------- protobuf ----------

export function decodeLogsProto(buf: Buffer, maxItems?: number): Decoded<LogRecord> {
  const out = startDecoding<LogRecord>(maxItems);
  walkEnvelope(buf, (r, resource, scope) => collect(out, () => readLogRecord(r, resource, scope)));
  return out;
}

function readLogRecord(r: Reader, resource: Resource, scope: Scope): LogRecord {
  const l = newLogRecord(resource, scope);
  let n = 0;
  while (!r.done()) {
    const tag = r.varint32();
    switch (tag) {
      case 9:
        l.timeUnixNano = r.fixed64();
        break;
      case 16:
        l.severityNumber = r.varint32() | 0;
        break;
      case 26:
        l.severityText = r.string();
        break;
      case 42:
        l.body = readAnyValue(r.sub(), 0);
        break;
      case 50:
        n = readAttr(r, l.attributes, n);
        break;
      case 56:
        l.droppedAttributesCount = r.varint32();
        break;
      case 69:
        l.flags = r.fixed32();
        break;
      case 74:
        l.traceId = r.hex();
        break;
      case 82:
        l.spanId = r.hex();
        break;
      case 89:
        l.observedTimeUnixNano = r.fixed64();
        break;
      case 98:
        l.eventName = r.string();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  l.droppedAttributesCount = addDropped(l.droppedAttributesCount, attrOverflow(n));
  return l;
}

// ---------- JSON ----------

const SEVERITY_NAMES: Record<string, number> = Object.fromEntries(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((name, i) => [
    [`SEVERITY_NUMBER_${name}`, i * 4 + 1],
    ...[2, 3, 4].map((n) => [`SEVERITY_NUMBER_${name}${n}`, i * 4 + n]),
  ]),
);
SEVERITY_NAMES.SEVERITY_NUMBER_UNSPECIFIED = 0;

export function decodeLogsJson(doc: unknown, maxItems?: number): Decoded<LogRecord> {
  const out = startDecoding<LogRecord>(maxItems);
  walkJsonEnvelope(doc, 'resourceLogs', 'scopeLogs', 'logRecords', (item, resource, scope) => {
    collect(out, () => {
      if (!isObj(item)) throw new DecodeError('logRecords[] entries must be objects');
      return logRecordFromJson(item, resource, scope);
    });
  });
  return out;
}

function logRecordFromJson(o: Record<string, unknown>, resource: Resource, scope: Scope): LogRecord {
  const l = newLogRecord(resource, scope);
  l.timeUnixNano = jsonNanos(o, 'timeUnixNano');
  l.observedTimeUnixNano = jsonNanos(o, 'observedTimeUnixNano');
  l.severityNumber = jsonEnum(o, 'severityNumber', SEVERITY_NAMES);
  l.severityText = jsonStr(o, 'severityText');
  l.body = anyValueFromJson(field(o, 'body'), 0);
  l.attributes = attributesFromJson(field(o, 'attributes'), 'logRecord.attributes');
  l.droppedAttributesCount = addDropped(jsonUint(o, 'droppedAttributesCount'), attrOverflow(field(o, 'attributes')));
  l.flags = jsonUint(o, 'flags');
  l.traceId = jsonId(field(o, 'traceId'), 16);
  l.spanId = jsonId(field(o, 'spanId'), 8);
  l.eventName = jsonStr(o, 'eventName');
  return l;
}
