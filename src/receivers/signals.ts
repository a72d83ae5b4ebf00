// The OTLP signals tracemill receives, each described once for both transports.
import type { Signal } from './export.js';
import type { Span } from './otlp/model.js';
import { decodeTracesJson, decodeTracesProto } from './otlp/traces.js';

export const tracesSignal: Signal<Span> = {
  name: 'traces',
  httpPath: '/v1/traces',
  grpcService: 'opentelemetry.proto.collector.trace.v1.TraceService',
  rejectedField: 'rejectedSpans',
  noun: 'span',
  decodeProto: decodeTracesProto,
  decodeJson: decodeTracesJson,
};

export const SIGNALS: Signal<unknown>[] = [tracesSignal as Signal<unknown>];
