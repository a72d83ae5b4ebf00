// LogRecord -> row of the logs table, encoded into a Native block (src/store/native.ts).
import { hash } from 'node:crypto';
import type { LogRecord } from '../../model/otlp.js';
import { MapColumn, StringColumn, block, fixedColumn, nativeSchema, setDecimalU64 } from '../native.js';
import type { TableRows } from '../writer.js';
import { ENVELOPE_SPECS, EnvelopeColumns, envelopeJson, projectValue } from './envelope.js';
import { sessionIdOf } from './session.js';

// `timestamp` is MATERIALIZED in the table (time, or observed time when time is unset) and not inserted.
export const LOGS = nativeSchema('logs', [
  { name: 'project_id', type: 'String' },
  { name: 'time', type: "DateTime64(9, 'UTC')" },
  { name: 'observed_time', type: "DateTime64(9, 'UTC')" },
  { name: 'trace_id', type: 'String' },
  { name: 'span_id', type: 'String' },
  { name: 'flags', type: 'UInt32' },
  { name: 'severity_number', type: 'Int32' },
  { name: 'severity_text', type: 'String' },
  { name: 'event_name', type: 'String' },
  { name: 'session_id', type: 'String' },
  { name: 'body', type: 'String' },
  { name: 'body_type', type: 'String' },
  { name: 'service_name', type: 'String' },
  { name: 'attributes', type: 'Map(String, String)' },
  { name: 'attribute_types', type: 'Map(String, String)' },
  { name: 'dropped_attributes_count', type: 'UInt32' },
  ...ENVELOPE_SPECS,
  { name: 'record_hash', type: 'UInt64' },
]);

/**
 * 64 bits of MD5 over a row's content, little-endian (as a UInt64). Log records and data points have no id,
 * so the hash stands in for one in ORDER BY: an exporter retry (same bytes) collapses, two different records
 * never do. The content is the record's JSON text (the row format these tables were first written in, kept
 * so a hash never changes). MD5 because node's one-shot hash of it is the fastest native digest here;
 * nothing depends on it being secure.
 */
export function contentDigest(content: string): Buffer {
  return hash('md5', content, 'buffer');
}

/** Copies the hash's low 8 bytes into row i of a UInt64 column held as a Uint32Array. */
export function setDigest(u32: Uint32Array, i: number, digest: Buffer): void {
  u32[2 * i] = digest.readUInt32LE(0);
  u32[2 * i + 1] = digest.readUInt32LE(4);
}

export function encodeLogs(project: string, records: LogRecord[], sessionKeys: readonly string[]): TableRows {
  const n = records.length;
  const projectId = new StringColumn(n * 8);
  const time = new Uint32Array(n * 2);
  const observed = new Uint32Array(n * 2);
  const traceId = new StringColumn(n * 33);
  const spanId = new StringColumn(n * 17);
  const flags = new Uint32Array(n);
  const severityNumber = new Int32Array(n);
  const severityText = new StringColumn(n * 6);
  const eventName = new StringColumn(n * 24);
  const sessionId = new StringColumn(n * 37);
  const body = new StringColumn(n * 64);
  const bodyType = new StringColumn(n * 7);
  const serviceName = new StringColumn(n * 12);
  const attributes = new MapColumn(n, n * 256);
  const attributeTypes = new MapColumn(n, n * 8);
  const dropped = new Uint32Array(n);
  const envelope = new EnvelopeColumns(n);
  const hashes = new Uint32Array(n * 2);
  const project_ = projectValue(project);
  for (let i = 0; i < n; i++) {
    const l = records[i];
    const session = sessionIdOf(l.attributes, sessionKeys);
    const type = l.body.type ?? 'string';
    projectId.sink.bytes(project_);
    setDecimalU64(time, i, l.timeUnixNano);
    setDecimalU64(observed, i, l.observedTimeUnixNano);
    traceId.sink.str(l.traceId);
    spanId.sink.str(l.spanId);
    flags[i] = l.flags;
    severityNumber[i] = l.severityNumber;
    severityText.sink.str(l.severityText);
    eventName.sink.str(l.eventName);
    sessionId.sink.str(session);
    body.sink.str(l.body.value);
    bodyType.sink.str(type);
    serviceName.sink.str(l.resource.serviceName);
    attributes.map(l.attributes.values);
    attributeTypes.map(l.attributes.types);
    dropped[i] = l.droppedAttributesCount;
    envelope.add(l.resource, l.scope);
    const head = JSON.stringify([
      l.traceId,
      l.spanId,
      l.flags,
      l.severityNumber,
      l.severityText,
      l.eventName,
      session,
      l.body.value,
      type,
      l.resource.serviceName,
      l.attributes.values,
      l.attributes.types,
      l.droppedAttributesCount,
    ]);
    setDigest(hashes, i, contentDigest(`${l.timeUnixNano},${l.observedTimeUnixNano},${head.slice(1, -1)},${envelopeJson(l.resource, l.scope)}`));
  }
  return {
    schema: LOGS,
    block: block(n, [
      projectId.done(),
      fixedColumn(time),
      fixedColumn(observed),
      traceId.done(),
      spanId.done(),
      fixedColumn(flags),
      fixedColumn(severityNumber),
      severityText.done(),
      eventName.done(),
      sessionId.done(),
      body.done(),
      bodyType.done(),
      serviceName.done(),
      attributes.done(),
      attributeTypes.done(),
      fixedColumn(dropped),
      ...envelope.done(),
      fixedColumn(hashes),
    ]),
  };
}
