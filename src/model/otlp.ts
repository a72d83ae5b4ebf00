// The decoded form of OTLP data, shared by the protobuf and JSON decoders and by all three signals.
//
// Attributes are kept in the form they are stored in: every value rendered as a string (what queries and
// ClickHouse Map columns want), plus the type of every value that is not a string. That keeps the
// round trip lossless (int vs double vs string, bytes, nested arrays and kvlists) without a second
// representation on the hot path.

export type ValueType = 'bool' | 'int' | 'double' | 'bytes' | 'array' | 'kvlist' | 'empty';

export interface Attributes {
  /** key -> value rendered as a string (string values verbatim; arrays/kvlists as OTLP/JSON AnyValue). */
  values: Record<string, string>;
  /** key -> type, only for values that are not strings. */
  types: Record<string, ValueType>;
}

export function emptyAttributes(): Attributes {
  return { values: Object.create(null), types: Object.create(null) };
}

export interface Resource {
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
  /** resource attribute service.name, kept separately because every query filters on it. */
  serviceName: string;
}

export interface Scope {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

export interface Span {
  resource: Resource;
  scope: Scope;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  statusCode: number;
  statusMessage: string;
}

/** A decoded AnyValue in storage form: rendering plus type (undefined type = string). */
export interface TypedValue {
  value: string;
  type: ValueType | undefined;
}

/** Items the decoder refused, with the reason, reported back as partial success. */
export interface Rejection {
  count: number;
  reason: string;
}

export interface Decoded<T> {
  items: T[];
  rejected: Rejection[];
}

/** The request holds more items than the limit allows (413 / RESOURCE_EXHAUSTED); decoding stopped there. */
/** The request's data is malformed (protobuf wire format or OTLP/JSON): the client's mistake, never retryable. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

export class TooManyItemsError extends Error {
  override name = 'TooManyItemsError';
  constructor(readonly limit: number) {
    super(`more than ${limit} items in one request`);
  }
}

/** Decoder state: the result plus the request's item budget (valid and rejected items both count). */
export interface Decoding<T> extends Decoded<T> {
  seen: number;
  max: number;
}

export function startDecoding<T>(maxItems = Infinity): Decoding<T> {
  return { items: [], rejected: [], seen: 0, max: maxItems };
}

/**
 * Counts one more item of the request. Stopping at the limit bounds a request's memory by the item limit
 * rather than by its size: a 64 MiB body of empty spans would otherwise decode into millions of records.
 */
export function countItem(out: Decoding<unknown>): void {
  if (++out.seen > out.max) throw new TooManyItemsError(out.max);
}

// Distinct reasons kept per request; the rest are counted under one entry.
const MAX_REASONS = 32;

/** Records `count` rejected items, merged with earlier ones of the same reason (the list stays short). */
export function addRejection(rejected: Rejection[], reason: string, count = 1): void {
  for (let i = rejected.length - 1; i >= 0; i--) {
    if (rejected[i].reason === reason) {
      rejected[i].count += count;
      return;
    }
  }
  if (rejected.length < MAX_REASONS - 1) rejected.push({ count, reason });
  else if (rejected.length === MAX_REASONS - 1) rejected.push({ count, reason: 'other reasons' });
  else rejected[rejected.length - 1].count += count;
}

/** Nanosecond timestamps must fit ClickHouse DateTime64(9): [1900-01-01, 2262-04-11]. */
export const MAX_NANOS = 9223372036854775807n;

export function rejectedCount(rejected: Rejection[]): number {
  let n = 0;
  for (const r of rejected) n += r.count;
  return n;
}

/** English summary of rejections for partial_success.error_message. */
export function rejectionMessage(rejected: Rejection[]): string {
  const byReason = new Map<string, number>();
  for (const r of rejected) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + r.count);
  return [...byReason].map(([reason, n]) => `${n} rejected: ${reason}`).join('; ');
}

export interface LogRecord {
  resource: Resource;
  scope: Scope;
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  /** The body in storage form (string verbatim, anything else typed; kvlists as OTLP/JSON). */
  body: TypedValue;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
  traceId: string;
  spanId: string;
  /** LogRecord.event_name (field 12); decoders fall back to the event.name attribute. */
  eventName: string;
}
