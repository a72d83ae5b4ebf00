// LogRecord -> row of the logs table, encoded as a JSONCompactEachRow line.
import { hash } from 'node:crypto';
import type { LogRecord } from '../../receivers/otlp/model.js';
import type { TableRows } from '../writer.js';
import { ENVELOPE_COLUMNS, envelopeColumns } from './envelope.js';
import { sessionIdOf } from './session.js';

// `timestamp` is MATERIALIZED in the table (time, or observed time when time is unset) and not inserted.
export const LOG_COLUMNS = [
  'project_id',
  'time',
  'observed_time',
  'trace_id',
  'span_id',
  'flags',
  'severity_number',
  'severity_text',
  'event_name',
  'session_id',
  'body',
  'body_type',
  'service_name',
  'attributes',
  'attribute_types',
  'dropped_attributes_count',
  ...ENVELOPE_COLUMNS,
  'record_hash',
] as const;

/**
 * 64 bits of MD5 over a row's content, as a decimal UInt64. Log records and data points have no id, so the
 * hash stands in for one in ORDER BY: an exporter retry (same bytes) collapses, two different records never do.
 * MD5 because node's one-shot hash of it is the fastest native digest here; nothing depends on it being secure.
 */
export function contentHash(content: string): string {
  return hash('md5', content, 'buffer').readBigUInt64LE(0).toString();
}

export function encodeLogs(project: string, records: LogRecord[]): TableRows {
  let body = '';
  const projectJson = JSON.stringify(project);
  for (const l of records) {
    const head = JSON.stringify([
      l.traceId,
      l.spanId,
      l.flags,
      l.severityNumber,
      l.severityText,
      l.eventName,
      sessionIdOf(l.attributes),
      l.body.value,
      l.body.type ?? 'string',
      l.resource.serviceName,
      l.attributes.values,
      l.attributes.types,
      l.droppedAttributesCount,
    ]);
    // Nanosecond timestamps go in as bare integers (validated digits): DateTime64(9) reads them as ticks.
    const content = `${l.timeUnixNano},${l.observedTimeUnixNano},${head.slice(1, -1)},${envelopeColumns(l.resource, l.scope)}`;
    body += `[${projectJson},${content},${contentHash(content)}]\n`;
  }
  return { table: 'logs', columns: LOG_COLUMNS, body, rows: records.length };
}
