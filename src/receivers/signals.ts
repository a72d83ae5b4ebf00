// The OTLP signals tracemill receives, each described once for both transports.
import type { Signal } from './export.js';
import { decodeLogsJson, decodeLogsProto } from './otlp/logs.js';
import { decodeMetricsJson, decodeMetricsProto } from './otlp/metrics.js';
import { type MetricPoint } from '../model/metrics.js';
import type { LogRecord, Span } from '../model/otlp.js';
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

export const logsSignal: Signal<LogRecord> = {
  name: 'logs',
  httpPath: '/v1/logs',
  grpcService: 'opentelemetry.proto.collector.logs.v1.LogsService',
  rejectedField: 'rejectedLogRecords',
  noun: 'log record',
  decodeProto: decodeLogsProto,
  decodeJson: decodeLogsJson,
};

export const metricsSignal: Signal<MetricPoint> = {
  name: 'metrics',
  httpPath: '/v1/metrics',
  grpcService: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  rejectedField: 'rejectedDataPoints',
  noun: 'data point',
  decodeProto: decodeMetricsProto,
  decodeJson: decodeMetricsJson,
};

export const SIGNALS: Signal<unknown>[] = [tracesSignal, logsSignal, metricsSignal] as Signal<unknown>[];
