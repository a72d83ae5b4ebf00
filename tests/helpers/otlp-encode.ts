// Encodes decoded OTLP records (the model in src/receivers/otlp) back into Export*ServiceRequest protobuf with the
// Writer from wire.ts. Used to re-send JSON captures as protobuf; decode(encode(x)) must equal x.
// Items are regrouped by their shared resource / scope (and metric descriptor) objects, as the decoders share them.
import { typedToTree } from '../../src/model/values.js';
import type { Exemplar, MetricDescriptor, MetricPoint } from '../../src/model/metrics.js';
import type { Attributes, LogRecord, Resource, Scope, Span, TypedValue } from '../../src/model/otlp.js';
import { Writer, hexToBytes } from '../../src/receivers/otlp/wire.js';

type Tree = Record<string, unknown>;

function writeTree(w: Writer, t: Tree): void {
  if ('stringValue' in t) w.stringField(1, t.stringValue as string);
  else if ('boolValue' in t) w.varintField(2, t.boolValue ? 1 : 0);
  else if ('intValue' in t) w.varintField(3, BigInt(t.intValue as string));
  else if ('doubleValue' in t) w.doubleField(4, Number(t.doubleValue));
  else if ('arrayValue' in t) {
    const values = (t.arrayValue as { values: Tree[] }).values;
    w.messageField(5, (a) => values.forEach((v) => a.messageField(1, (x) => writeTree(x, v))));
  } else if ('kvlistValue' in t) {
    const values = (t.kvlistValue as { values: { key: string; value: Tree }[] }).values;
    w.messageField(6, (l) =>
      values.forEach((kv) =>
        l.messageField(1, (x) => {
          x.stringField(1, kv.key);
          x.messageField(2, (v) => writeTree(v, kv.value));
        }),
      ),
    );
  } else if ('bytesValue' in t) w.bytesField(7, Buffer.from(t.bytesValue as string, 'base64'));
}

export function writeAnyValue(w: Writer, field: number, tv: TypedValue): void {
  w.messageField(field, (x) => writeTree(x, typedToTree(tv)));
}

export function writeAttributes(w: Writer, field: number, attrs: Attributes): void {
  for (const key of Object.keys(attrs.values)) {
    w.messageField(field, (kv) => {
      kv.stringField(1, key);
      writeAnyValue(kv, 2, { value: attrs.values[key], type: attrs.types[key] });
    });
  }
}

function writeResource(w: Writer, r: Resource): void {
  w.messageField(1, (x) => {
    writeAttributes(x, 1, r.attributes);
    if (r.droppedAttributesCount) x.varintField(2, r.droppedAttributesCount);
  });
  if (r.schemaUrl) w.stringField(3, r.schemaUrl);
}

function writeScope(w: Writer, s: Scope): void {
  w.messageField(1, (x) => {
    if (s.name) x.stringField(1, s.name);
    if (s.version) x.stringField(2, s.version);
    writeAttributes(x, 3, s.attributes);
    if (s.droppedAttributesCount) x.varintField(4, s.droppedAttributesCount);
  });
  if (s.schemaUrl) w.stringField(3, s.schemaUrl);
}

/** Groups items by resource then scope (object identity, first-seen order). */
function group<T extends { resource: Resource; scope: Scope }>(items: T[]): Map<Resource, Map<Scope, T[]>> {
  const out = new Map<Resource, Map<Scope, T[]>>();
  for (const it of items) {
    let scopes = out.get(it.resource);
    if (!scopes) out.set(it.resource, (scopes = new Map()));
    let list = scopes.get(it.scope);
    if (!list) scopes.set(it.scope, (list = []));
    list.push(it);
  }
  return out;
}

function envelope<T extends { resource: Resource; scope: Scope }>(items: T[], writeItems: (w: Writer, items: T[]) => void): Buffer {
  const w = new Writer();
  for (const [resource, scopes] of group(items)) {
    w.messageField(1, (rs) => {
      writeResource(rs, resource);
      for (const [scope, list] of scopes) rs.messageField(2, (ss) => {
        writeScope(ss, scope);
        writeItems(ss, list);
      });
    });
  }
  return w.finish();
}

const id = (hex: string): Buffer => hexToBytes(hex);

// ---------- traces ----------

export function encodeTraces(spans: Span[]): Buffer {
  return envelope(spans, (w, list) => {
    for (const s of list) {
      w.messageField(2, (x) => {
        x.bytesField(1, id(s.traceId));
        x.bytesField(2, id(s.spanId));
        if (s.traceState) x.stringField(3, s.traceState);
        if (s.parentSpanId) x.bytesField(4, id(s.parentSpanId));
        x.stringField(5, s.name);
        if (s.kind) x.varintField(6, s.kind);
        x.fixed64Field(7, s.startTimeUnixNano);
        x.fixed64Field(8, s.endTimeUnixNano);
        writeAttributes(x, 9, s.attributes);
        if (s.droppedAttributesCount) x.varintField(10, s.droppedAttributesCount);
        for (const e of s.events) {
          x.messageField(11, (ev) => {
            ev.fixed64Field(1, e.timeUnixNano);
            ev.stringField(2, e.name);
            writeAttributes(ev, 3, e.attributes);
            if (e.droppedAttributesCount) ev.varintField(4, e.droppedAttributesCount);
          });
        }
        if (s.droppedEventsCount) x.varintField(12, s.droppedEventsCount);
        for (const l of s.links) {
          x.messageField(13, (lk) => {
            lk.bytesField(1, id(l.traceId));
            lk.bytesField(2, id(l.spanId));
            if (l.traceState) lk.stringField(3, l.traceState);
            writeAttributes(lk, 4, l.attributes);
            if (l.droppedAttributesCount) lk.varintField(5, l.droppedAttributesCount);
            if (l.flags) lk.fixed32Field(6, l.flags);
          });
        }
        if (s.droppedLinksCount) x.varintField(14, s.droppedLinksCount);
        x.messageField(15, (st) => {
          if (s.statusMessage) st.stringField(2, s.statusMessage);
          if (s.statusCode) st.varintField(3, s.statusCode);
        });
        if (s.flags) x.fixed32Field(16, s.flags);
      });
    }
  });
}

// ---------- logs ----------

/** `eventNameField`: also write event_name (field 12); off by default because captures carry it as an attribute. */
export function encodeLogs(records: LogRecord[], opts: { eventNameField?: boolean } = {}): Buffer {
  return envelope(records, (w, list) => {
    for (const l of list) {
      w.messageField(2, (x) => {
        x.fixed64Field(1, l.timeUnixNano);
        if (l.severityNumber) x.varintField(2, l.severityNumber);
        if (l.severityText) x.stringField(3, l.severityText);
        if (l.body.type !== 'empty') writeAnyValue(x, 5, l.body);
        writeAttributes(x, 6, l.attributes);
        if (l.droppedAttributesCount) x.varintField(7, l.droppedAttributesCount);
        if (l.flags) x.fixed32Field(8, l.flags);
        if (l.traceId) x.bytesField(9, id(l.traceId));
        if (l.spanId) x.bytesField(10, id(l.spanId));
        x.fixed64Field(11, l.observedTimeUnixNano);
        if (opts.eventNameField && l.eventName) x.stringField(12, l.eventName);
      });
    }
  });
}

// ---------- metrics ----------

// Metric.data oneof field per type.
const DATA_FIELD: Record<MetricDescriptor['type'], number> = { gauge: 5, sum: 7, histogram: 9, exponential_histogram: 10, summary: 11 };

function writeNumber(w: Writer, doubleField: number, intField: number, v: { valueType: string; value: number; valueInt: string }): void {
  if (v.valueType === 'double') w.doubleField(doubleField, v.value);
  else if (v.valueType === 'int') w.fixed64Field(intField, BigInt(v.valueInt)); // sfixed64: same bytes as fixed64 of the two's complement
}

function writeExemplar(w: Writer, field: number, e: Exemplar): void {
  w.messageField(field, (x) => {
    writeAttributes(x, 7, e.filteredAttributes);
    x.fixed64Field(2, e.timeUnixNano);
    writeNumber(x, 3, 6, e);
    if (e.spanId) x.bytesField(4, id(e.spanId));
    if (e.traceId) x.bytesField(5, id(e.traceId));
  });
}

// Repeated scalars packed, as proto3 encoders write them.
function packedFixed64(w: Writer, field: number, values: string[]): void {
  const b = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 8 * i));
  if (values.length) w.bytesField(field, b);
}

function packedDouble(w: Writer, field: number, values: number[]): void {
  const b = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => b.writeDoubleLE(v, 8 * i));
  if (values.length) w.bytesField(field, b);
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function writePoint(w: Writer, p: MetricPoint): void {
  w.messageField(1, (x) => {
    const t = p.metric.type;
    const attrField = t === 'histogram' ? 9 : t === 'exponential_histogram' ? 1 : 7;
    writeAttributes(x, attrField, p.attributes);
    x.fixed64Field(2, p.startTimeUnixNano);
    x.fixed64Field(3, p.timeUnixNano);
    if (t === 'gauge' || t === 'sum') {
      writeNumber(x, 4, 6, p);
      p.exemplars.forEach((e) => writeExemplar(x, 5, e));
      if (p.flags) x.varintField(8, p.flags);
      return;
    }
    x.fixed64Field(4, p.count);
    if (p.sum !== null) x.doubleField(5, p.sum);
    if (t === 'summary') {
      for (const q of p.quantiles) x.messageField(6, (v) => v.doubleField(1, q.quantile).doubleField(2, q.value));
      if (p.flags) x.varintField(8, p.flags);
      return;
    }
    if (t === 'histogram') {
      packedFixed64(x, 6, p.bucketCounts);
      packedDouble(x, 7, p.explicitBounds);
      p.exemplars.forEach((e) => writeExemplar(x, 8, e));
      if (p.flags) x.varintField(10, p.flags);
      if (p.min !== null) x.doubleField(11, p.min);
      if (p.max !== null) x.doubleField(12, p.max);
      return;
    }
    x.varintField(6, zigzag(p.scale));
    x.fixed64Field(7, p.zeroCount);
    for (const [field, b] of [[8, p.positive], [9, p.negative]] as const) {
      x.messageField(field, (bx) => {
        bx.varintField(1, zigzag(b.offset));
        if (b.bucketCounts.length) bx.messageField(2, (c) => b.bucketCounts.forEach((n) => c.varint(BigInt(n))));
      });
    }
    if (p.flags) x.varintField(10, p.flags);
    p.exemplars.forEach((e) => writeExemplar(x, 11, e));
    if (p.min !== null) x.doubleField(12, p.min);
    if (p.max !== null) x.doubleField(13, p.max);
    if (p.zeroThreshold) x.doubleField(14, p.zeroThreshold);
  });
}

export function encodeMetrics(points: MetricPoint[]): Buffer {
  return envelope(points, (w, list) => {
    // Consecutive points of one descriptor go back into one Metric message.
    for (let i = 0; i < list.length; ) {
      const m = list[i].metric;
      let j = i;
      while (j < list.length && list[j].metric === m) j++;
      const pts = list.slice(i, j);
      w.messageField(2, (x) => {
        x.stringField(1, m.name);
        if (m.description) x.stringField(2, m.description);
        if (m.unit) x.stringField(3, m.unit);
        x.messageField(DATA_FIELD[m.type], (d) => {
          pts.forEach((p) => writePoint(d, p));
          if (m.aggregationTemporality) d.varintField(2, m.aggregationTemporality);
          if (m.isMonotonic) d.varintField(3, 1);
        });
        writeAttributes(x, 12, m.metadata);
      });
      i = j;
    }
  });
}
