// Test inputs: OTLP/JSON documents -> decoded Span / LogRecord, small builders for dialect fixtures, and the
// real Claude Code captures in tests/fixtures/claude-code.
import { readFileSync } from 'node:fs';
import { attributesFromJson, anyValueFromJson } from '../../src/model/values.js';
import { field, isObj, jsonId, jsonNanos, jsonStr, jsonUint, walkJsonEnvelope } from '../../src/receivers/otlp/common.js';
import type { LogRecord, Span } from '../../src/model/otlp.js';
import { decodeTracesJson } from '../../src/receivers/otlp/traces.js';
import { CLAUDE_CODE_FIXTURES_URL } from '../helpers/fixtures.js';

export function spansFromJson(doc: unknown): Span[] {
  const d = decodeTracesJson(doc);
  if (d.rejected.length) throw new Error(`rejected spans: ${JSON.stringify(d.rejected)}`);
  return d.items;
}

/** Minimal OTLP/JSON logs decoder for tests (the receiver's own decoder is written elsewhere). */
export function logsFromJson(doc: unknown): LogRecord[] {
  const out: LogRecord[] = [];
  walkJsonEnvelope(doc, 'resourceLogs', 'scopeLogs', 'logRecords', (item, resource, scope) => {
    if (!isObj(item)) throw new Error('logRecords[] entries must be objects');
    const attributes = attributesFromJson(field(item, 'attributes'));
    out.push({
      resource,
      scope,
      timeUnixNano: jsonNanos(item, 'timeUnixNano'),
      observedTimeUnixNano: jsonNanos(item, 'observedTimeUnixNano'),
      severityNumber: jsonUint(item, 'severityNumber'),
      severityText: jsonStr(item, 'severityText'),
      body: anyValueFromJson(field(item, 'body'), 0),
      attributes,
      droppedAttributesCount: 0,
      flags: jsonUint(item, 'flags'),
      traceId: jsonId(field(item, 'traceId'), 16),
      spanId: jsonId(field(item, 'spanId'), 8),
      eventName: jsonStr(item, 'eventName') || (attributes.values['event.name'] ?? ''),
    });
  });
  return out;
}

/** JS value -> OTLP/JSON AnyValue (integers as intValue strings, other numbers as doubles). */
export function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: kv(v as Record<string, unknown>) } };
  return {};
}

export function kv(o: Record<string, unknown>): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(o).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export interface SpanSpec {
  name: string;
  attrs?: Record<string, unknown>;
  traceId?: string;
  spanId: string;
  parentSpanId?: string;
  kind?: number;
  status?: { code: number; message?: string };
  events?: { name: string; attrs?: Record<string, unknown> }[];
  start?: string;
  end?: string;
}

const T0 = 1760000000000000000n;

/** Spans of one resource/scope as a decoded batch. Default times: span i runs [T0+i s, T0+i s+500ms]. */
export function makeSpans(specs: SpanSpec[], opts: { scope?: string; service?: string; resource?: Record<string, unknown> } = {}): Span[] {
  const doc = {
    resourceSpans: [
      {
        resource: { attributes: kv({ ...(opts.service ? { 'service.name': opts.service } : {}), ...(opts.resource ?? {}) }) },
        scopeSpans: [
          {
            scope: { name: opts.scope ?? 'test' },
            spans: specs.map((s, i) => ({
              traceId: s.traceId ?? '0af7651916cd43dd8448eb211c80319c',
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: s.start ?? String(T0 + BigInt(i) * 1_000_000_000n),
              endTimeUnixNano: s.end ?? String(T0 + BigInt(i) * 1_000_000_000n + 500_000_000n),
              attributes: kv(s.attrs ?? {}),
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: String(T0), attributes: kv(e.attrs ?? {}) })),
              status: s.status ?? { code: 0 },
            })),
          },
        ],
      },
    ],
  };
  return spansFromJson(doc);
}

export interface LogSpec {
  attrs?: Record<string, unknown>;
  body?: unknown;
  eventName?: string;
  traceId?: string;
  spanId?: string;
  time?: string;
}

export function makeLogs(specs: LogSpec[], opts: { scope?: string; service?: string } = {}): LogRecord[] {
  const doc = {
    resourceLogs: [
      {
        resource: { attributes: kv(opts.service ? { 'service.name': opts.service } : {}) },
        scopeLogs: [
          {
            scope: { name: opts.scope ?? 'test' },
            logRecords: specs.map((s, i) => ({
              timeUnixNano: s.time ?? String(T0 + BigInt(i) * 1_000_000_000n),
              ...(s.eventName ? { eventName: s.eventName } : {}),
              ...(s.body !== undefined ? { body: anyValue(s.body) } : {}),
              traceId: s.traceId ?? '',
              spanId: s.spanId ?? '',
              attributes: kv(s.attrs ?? {}),
            })),
          },
        ],
      },
    ],
  };
  return logsFromJson(doc);
}

const FIXTURES = CLAUDE_CODE_FIXTURES_URL;

export function claudeCodeFixture(dir: 'tools' | 'subagent' | 'compaction'): { spans: Span[]; logs: LogRecord[] } {
  const read = (f: string): unknown => JSON.parse(readFileSync(new URL(`${dir}/${f}`, FIXTURES), 'utf8'));
  return { spans: spansFromJson(read('traces.json')), logs: logsFromJson(read('logs.json')) };
}

/** An example payload (tests/normalize/fixtures/<name>.json, described in its README). */
export function example(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8'));
}

export function exampleSpans(name: string): Span[] {
  return spansFromJson(example(name));
}

export function exampleLogs(name: string): LogRecord[] {
  return logsFromJson(example(name));
}
