// A metric data point as decoded from OTLP: one flat record per point. Every point type (gauge, sum, histogram,
// exponential histogram, summary) uses the same record, with the fields of the other types left at their zero
// values: one table, one row encoder, one query shape.
import type { Attributes, Resource, Scope } from './otlp.js';

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** What the Metric message says about all its points; shared by reference, like resource and scope. */
export interface MetricDescriptor {
  name: string;
  description: string;
  unit: string;
  type: MetricType;
  /** OTLP AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative (gauges and summaries have none). */
  aggregationTemporality: number;
  isMonotonic: boolean;
  metadata: Attributes;
}

/** 'int' keeps the exact int64 in valueInt; '' = the point carries no value (oneof unset). */
export type NumberKind = 'double' | 'int' | '';

export interface Exemplar {
  filteredAttributes: Attributes;
  timeUnixNano: string;
  valueType: NumberKind;
  value: number;
  valueInt: string;
  traceId: string;
  spanId: string;
}

export interface ExpBuckets {
  offset: number;
  /** uint64 counts as decimal strings. */
  bucketCounts: string[];
}

export interface MetricPoint {
  resource: Resource;
  scope: Scope;
  metric: MetricDescriptor;
  attributes: Attributes;
  startTimeUnixNano: string;
  timeUnixNano: string;
  flags: number;
  // gauge and sum
  valueType: NumberKind;
  /** The value as a double (as_int converted too, so sum(value) works for both). */
  value: number;
  /** as_int exactly, as a decimal string; '' unless valueType is 'int'. */
  valueInt: string;
  // histogram, exponential histogram, summary (uint64 as decimal strings; optional doubles as null)
  count: string;
  sum: number | null;
  min: number | null;
  max: number | null;
  bucketCounts: string[];
  explicitBounds: number[];
  scale: number;
  zeroCount: string;
  zeroThreshold: number;
  positive: ExpBuckets;
  negative: ExpBuckets;
  quantiles: { quantile: number; value: number }[];
  exemplars: Exemplar[];
}
