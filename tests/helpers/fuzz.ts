// Seeded generators of malformed OTLP: random bytes, structure-aware protobuf and JSON mutations of valid
// requests, deep nesting, huge and invalid UTF-8 strings, wrong id lengths, wrong JSON types. The same seed
// gives the same inputs, so a failure reproduces with TRACEMILL_FUZZ_SEED=<seed>.
import { decodeLogsJson } from '../../src/receivers/otlp/logs.js';
import { decodeMetricsJson } from '../../src/receivers/otlp/metrics.js';
import { decodeTracesJson } from '../../src/receivers/otlp/traces.js';
import { Writer } from '../../src/receivers/otlp/wire.js';
import { encodeLogs, encodeMetrics, encodeTraces } from './otlp-encode.js';

/** mulberry32: small, fast, good enough to spread inputs; reproducible from one 32-bit seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

export type SignalName = 'traces' | 'logs' | 'metrics';

const NOW = '1795582931000000000';
const kv = (key: string, value: unknown) => ({ key, value });

/** One valid OTLP/JSON request per signal touching every field the decoders read. */
export function baseJson(signal: SignalName, tag: string): Record<string, unknown> {
  const resource = {
    attributes: [kv('service.name', { stringValue: 'fuzz' }), kv('host.cores', { intValue: '2' })],
    droppedAttributesCount: 1,
  };
  const scope = { name: 'fuzz-scope', version: '1.0', attributes: [kv('s', { boolValue: true })], droppedAttributesCount: 0 };
  const attrs = [
    kv('str', { stringValue: `value ${tag}` }),
    kv('int', { intValue: '-42' }),
    kv('dbl', { doubleValue: 1.5 }),
    kv('bool', { boolValue: false }),
    kv('bytes', { bytesValue: 'AAEC' }),
    kv('arr', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 7 }] } }),
    kv('map', { kvlistValue: { values: [kv('k', { stringValue: 'v' }), kv('n', { kvlistValue: { values: [kv('d', { doubleValue: 2 })] } })] } }),
  ];
  if (signal === 'traces') {
    return {
      resourceSpans: [
        {
          resource,
          schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
          scopeSpans: [
            {
              scope,
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  parentSpanId: 'eee19b7ec3c1b173',
                  traceState: 'a=b',
                  flags: 257,
                  name: `span ${tag}`,
                  kind: 3,
                  startTimeUnixNano: NOW,
                  endTimeUnixNano: '1795582931000001000',
                  attributes: attrs,
                  droppedAttributesCount: 0,
                  events: [{ timeUnixNano: NOW, name: 'ev', attributes: [kv('e', { intValue: 1 })], droppedAttributesCount: 0 }],
                  droppedEventsCount: 0,
                  links: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175', traceState: '', attributes: [kv('l', { stringValue: 'x' })], flags: 1 }],
                  droppedLinksCount: 0,
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    };
  }
  if (signal === 'logs') {
    return {
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            {
              scope,
              logRecords: [
                {
                  timeUnixNano: NOW,
                  observedTimeUnixNano: NOW,
                  severityNumber: 9,
                  severityText: 'INFO',
                  body: { kvlistValue: { values: [kv('msg', { stringValue: `hello ${tag}` })] } },
                  attributes: attrs,
                  droppedAttributesCount: 0,
                  flags: 1,
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  eventName: 'fuzz.event',
                },
              ],
            },
          ],
        },
      ],
    };
  }
  const point = { attributes: attrs, startTimeUnixNano: NOW, timeUnixNano: NOW, flags: 0 };
  const exemplar = { filteredAttributes: [kv('f', { stringValue: 'x' })], timeUnixNano: NOW, asDouble: 1.25, spanId: 'eee19b7ec3c1b174', traceId: '5b8efff798038103d269b633813fc60c' };
  return {
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            scope,
            metrics: [
              { name: `gauge_${tag}`, unit: '1', gauge: { dataPoints: [{ ...point, asDouble: 3.5, exemplars: [exemplar] }] } },
              { name: 'sum', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ ...point, asInt: '12' }] } },
              {
                name: 'hist',
                histogram: { aggregationTemporality: 1, dataPoints: [{ ...point, count: '3', sum: 6, min: 1, max: 3, bucketCounts: ['1', '2'], explicitBounds: [2] }] },
              },
              {
                name: 'exp',
                exponentialHistogram: {
                  aggregationTemporality: 1,
                  dataPoints: [{ ...point, count: '3', sum: 6, scale: -2, zeroCount: '1', zeroThreshold: 0.001, positive: { offset: -1, bucketCounts: ['1', '1'] }, negative: { offset: 0, bucketCounts: [] } }],
                },
              },
              { name: 'summary', summary: { dataPoints: [{ ...point, count: '2', sum: 4, quantileValues: [{ quantile: 0.5, value: 2 }] }] } },
            ],
            metadata: [kv('m', { stringValue: 'meta' })],
          },
        ],
      },
    ],
  };
}

/** The same request as protobuf, through the decoders and the test encoder (decode(encode(x)) = x is tested elsewhere). */
export function baseProto(signal: SignalName, tag: string): Buffer {
  const doc = baseJson(signal, tag);
  if (signal === 'traces') return encodeTraces(decodeTracesJson(doc).items);
  if (signal === 'logs') return encodeLogs(decodeLogsJson(doc).items, { eventNameField: true });
  return encodeMetrics(decodeMetricsJson(doc).items);
}

// ---------- protobuf, structure-aware ----------

interface PField {
  num: number;
  wt: number;
  /** varint / fixed: bigint; length-delimited: bytes or (if it parsed as one) a message. */
  v: bigint | Buffer | PField[];
}

function readVarint(b: Buffer, pos: number): [bigint, number] | undefined {
  let v = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) return undefined;
    const byte = b[pos++];
    v |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) return [v, pos];
  }
  return undefined;
}

/** Parses bytes as a protobuf message, or undefined when they are not one. */
export function parseMessage(b: Buffer, depth = 0): PField[] | undefined {
  const out: PField[] = [];
  let pos = 0;
  while (pos < b.length) {
    const t = readVarint(b, pos);
    if (!t) return undefined;
    pos = t[1];
    const num = Number(t[0] >> 3n);
    const wt = Number(t[0] & 7n);
    if (num === 0) return undefined;
    if (wt === 0) {
      const v = readVarint(b, pos);
      if (!v) return undefined;
      out.push({ num, wt, v: v[0] });
      pos = v[1];
    } else if (wt === 1 || wt === 5) {
      const n = wt === 1 ? 8 : 4;
      if (pos + n > b.length) return undefined;
      out.push({ num, wt, v: wt === 1 ? b.readBigUInt64LE(pos) : BigInt(b.readUInt32LE(pos)) });
      pos += n;
    } else if (wt === 2) {
      const l = readVarint(b, pos);
      if (!l || l[1] + Number(l[0]) > b.length) return undefined;
      const body = b.subarray(l[1], l[1] + Number(l[0]));
      pos = l[1] + Number(l[0]);
      const sub = depth < 12 && body.length > 0 ? parseMessage(body, depth + 1) : undefined;
      out.push({ num, wt, v: sub ?? Buffer.from(body) });
    } else return undefined;
  }
  return out;
}

export function serialize(fields: PField[]): Buffer {
  const w = new Writer();
  for (const f of fields) {
    w.tag(f.num, f.wt);
    if (f.wt === 0) w.varint(f.v as bigint);
    else if (f.wt === 1) {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, f.v as bigint));
      w.raw(b);
    } else if (f.wt === 5) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(Number(BigInt.asUintN(32, f.v as bigint)));
      w.raw(b);
    } else if (f.wt === 2) {
      const body = Array.isArray(f.v) ? serialize(f.v) : (f.v as Buffer);
      w.varint(body.length).raw(body);
    }
  }
  return w.finish();
}

/** Every field of a parsed message tree, with its parent list, for picking mutation sites. */
function sites(fields: PField[], out: { list: PField[]; i: number }[] = []): { list: PField[]; i: number }[] {
  fields.forEach((f, i) => {
    out.push({ list: fields, i });
    if (Array.isArray(f.v)) sites(f.v, out);
  });
  return out;
}

const BAD_UTF8 = [
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0x80]), // overlong NUL
  Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate in UTF-8
  Buffer.from([0xf4, 0x90, 0x80, 0x80]), // beyond U+10FFFF
  Buffer.from([0xe2, 0x82]), // truncated sequence
  Buffer.from('\u0000nul\u0000'),
];

function weirdBytes(r: Rng): Buffer {
  switch (r.int(7)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return r.bytes(r.int(40)); // ids of every wrong length, random text
    case 2:
      return Buffer.concat([Buffer.from('text '), r.pick(BAD_UTF8), Buffer.from(' more')]);
    case 3:
      return Buffer.alloc(r.chance(0.1) ? 300_000 + r.int(200_000) : 1000 + r.int(20_000), r.pick(['a', 'é', '日', '\u0000']));
    case 4:
      return r.bytes(r.pick([8, 16]));
    case 5:
      return Buffer.alloc(r.pick([8, 16]), 0); // all-zero ids
    default:
      return Buffer.from('{"stringValue": "not protobuf"}');
  }
}

/** An AnyValue message nested `depth` levels through kvlists and arrays. */
export function nestedAnyValue(depth: number, r: Rng): Buffer {
  let inner = new Writer().stringField(1, 'leaf').finish();
  for (let i = 0; i < depth; i++) {
    const value = inner;
    inner = r.chance(0.5)
      ? new Writer().messageField(6, (l) => l.messageField(1, (k) => k.stringField(1, `k${i}`).bytesField(2, value))).finish()
      : new Writer().messageField(5, (a) => a.bytesField(1, value)).finish();
  }
  return inner;
}

function mutateField(list: PField[], i: number, r: Rng): void {
  const f = list[i];
  switch (r.int(12)) {
    case 0: {
      // wrong wire type
      const wt = r.pick([0, 1, 2, 5]);
      list[i] = { num: f.num, wt, v: wt === 2 ? r.bytes(r.int(12)) : BigInt(r.int(1 << 30)) };
      return;
    }
    case 1: // extreme scalars
      if (f.wt !== 2) f.v = r.pick([0n, 1n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, (1n << 32n) - 1n, 1n << 32n, BigInt(r.int(1 << 30))]);
      else f.v = weirdBytes(r);
      return;
    case 2:
    case 3: // replace bytes or a whole submessage
      list[i] = { num: f.num, wt: 2, v: weirdBytes(r) };
      return;
    case 4: // delete
      list.splice(i, 1);
      return;
    case 5: // duplicate (a span, an attribute, a resource...)
      list.splice(i, 0, ...Array.from({ length: 1 + r.int(r.chance(0.1) ? 500 : 4) }, () => structuredClone(f)));
      return;
    case 6: // another field number
      f.num = 1 + r.int(20);
      return;
    case 7: // deep nesting where an AnyValue may be
      list[i] = { num: f.num, wt: 2, v: nestedAnyValue(r.pick([5, 31, 33, 40, 200, 2000]), r) };
      return;
    case 8: // a field no version of OTLP has
      list.splice(i, 0, r.chance(0.5) ? { num: 1000 + r.int(100_000), wt: 0, v: 7n } : { num: 1000 + r.int(100_000), wt: 2, v: r.bytes(5) });
      return;
    case 9: // groups (wire types 3/4) and invalid wire types 6/7
      list.splice(i, 0, { num: f.num, wt: r.pick([3, 4, 6, 7]), v: 0n });
      return;
    case 10: // NaN / infinities / -0 in doubles
      if (f.wt === 1) {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(r.pick([NaN, Infinity, -Infinity, -0, 1e308, 5e-324]));
        f.v = b.readBigUInt64LE(0);
      }
      return;
    default: // many empty children
      if (Array.isArray(f.v)) f.v.push(...Array.from({ length: r.int(2000) }, () => ({ num: 2, wt: 2, v: Buffer.alloc(0) })));
  }
}

/** A malformed protobuf request derived from `base` (or pure noise). */
export function mutateProto(base: Buffer, r: Rng): Buffer {
  const kind = r.int(10);
  if (kind === 0) return r.bytes(r.int(2048));
  if (kind === 1) return base.subarray(0, r.int(base.length)); // truncated
  if (kind === 2) {
    const b = Buffer.from(base);
    for (let n = 1 + r.int(8); n > 0; n--) b[r.int(b.length)] ^= 1 << r.int(8);
    return b;
  }
  const tree = parseMessage(base)!;
  const all = sites(tree);
  for (let n = 1 + r.int(3); n > 0; n--) {
    const s = r.pick(all);
    if (s.i < s.list.length) mutateField(s.list, s.i, r);
  }
  let out = serialize(tree);
  if (r.chance(0.1)) out = Buffer.concat([out, r.bytes(1 + r.int(8))]); // trailing garbage
  return out;
}

// ---------- JSON ----------

const LONE = ['\ud800', '\udfff', 'a\ud83d', '\u0000', '\u202e', '\ufeff'];

export function randomJson(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 9 : 12)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 2 ** 64, -(2 ** 63), 4294967296, 0x7fffffff + 1]);
    case 3:
      return r.pick(['', 'NaN', 'Infinity', '-0', '1e400', '18446744073709551616', '-9223372036854775809', '0x10', ' 12 ', '12a', '٣']);
    case 4:
      return 'x'.repeat(r.chance(0.05) ? 200_000 : r.int(64));
    case 5:
      return r.pick(LONE) + 'text';
    case 6:
      return r.pick(['5b8efff798038103d269b633813fc60c', 'W47/95gDgQPSabYzgT/GDA==', 'eee19b7ec3c1b174', '7uGbfsPBsXQ=', 'zz', '0'.repeat(32), 'ab'.repeat(17)]);
    case 7:
      return { stringValue: r.chance(0.5) ? 1 : r.pick(LONE) };
    case 8:
      return [];
    case 9:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    case 10:
      return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(['values', 'key', 'value', 'intValue', 'arrayValue', 'kvlistValue', '__proto__', 'constructor', 'x']), randomJson(r, depth + 1)]));
    default:
      return nestedJsonAny(r.pick([3, 31, 33, 100, 400]));
  }
}

export function nestedJsonAny(depth: number): unknown {
  let v: unknown = { stringValue: 'leaf' };
  for (let i = 0; i < depth; i++) v = i % 2 ? { arrayValue: { values: [v] } } : { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
  return v;
}

function jsonSites(v: unknown, out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []) {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      jsonSites(x, out);
    });
  } else if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      jsonSites((v as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/** A malformed OTLP/JSON request (bytes) derived from `doc`. */
export function mutateJson(doc: Record<string, unknown>, r: Rng): Buffer {
  const kind = r.int(10);
  if (kind === 0) return r.bytes(r.int(512));
  const d = structuredClone(doc);
  if (kind === 1) {
    const text = JSON.stringify(d);
    return Buffer.from(text.slice(0, r.int(text.length)));
  }
  const all = jsonSites(d);
  for (let n = 1 + r.int(3); n > 0; n--) {
    const s = r.pick(all);
    const p = s.parent as Record<string | number, unknown>;
    const op = r.int(6);
    if (op === 0) delete p[s.key];
    else if (op === 1 && Array.isArray(s.parent)) s.parent.push(...Array.from({ length: r.int(r.chance(0.1) ? 1000 : 5) }, () => structuredClone(p[s.key])));
    else if (op === 2 && typeof s.key === 'string') {
      // snake_case and unknown keys
      p[s.key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = p[s.key];
      p[`unknown_${r.int(100)}`] = randomJson(r);
    } else p[s.key] = randomJson(r);
  }
  let bytes = Buffer.from(JSON.stringify(d));
  if (kind === 2) {
    // invalid UTF-8 inside the text
    const at = r.int(bytes.length);
    bytes = Buffer.concat([bytes.subarray(0, at), r.pick(BAD_UTF8), bytes.subarray(at)]);
  }
  return bytes;
}

// ---------- query API parameters ----------

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const HEX32 = '5b8efff798038103d269b633813fc60c';
const HEX16 = 'eee19b7ec3c1b174';

/** A value for a query parameter: plausible, at an edge, malformed or hostile. */
export function queryValue(r: Rng, param: string): string {
  switch (r.int(10)) {
    case 0: // times at and past the edges, and off the calendar
      return r.pick(['30d', '1h', '0s', '2026-11-25T10:00:00Z', '1970-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '2149-06-07', '2262-04-11T23:47:16Z', '2262-04-12', '2300-01-01T00:00:00Z', '9999999999999999999d', '21000d', '100000d', '2026-02-30', '2026-13-01', '2026-01-01T25:00:00Z', '1e3d', '-1d', '1.5h', 'now', '2026-11-25T10:00:00+25:00']);
    case 1: // numbers every which way
      return r.pick(['0', '1', '-1', '1.5', '1e2', '1e400', '0x10', '0b1', '00012', ' 5', '5 ', '9999999999', '18446744073709551616', 'NaN', 'Infinity', '']);
    case 2: // cursors: not base64, wrong shapes, right shapes with bad parts
      return r.pick([
        'not-a-cursor',
        b64url(['abc', 'x']),
        b64url(['1795586173636000000', HEX32]),
        b64url(['1795586173636000000', HEX32, HEX16, 1]),
        b64url('["1795586173636000000","' + HEX32 + '","' + HEX16 + '",1e400]'),
        b64url(['1795586173636000000', HEX32, HEX16, -1]),
        b64url(['1795586173636000000', HEX32, HEX16, 1.5]),
        b64url(['99999999999999999999', HEX32]),
        b64url(["1' OR '1'='1", HEX32]),
        b64url({ a: 1 }),
        b64url([null, null]),
        b64url('[' + '['.repeat(5000) + ']'.repeat(5000) + ']'),
        '%%%',
      ]);
    case 3: // SQL and parameter syntax
      return r.pick(["x' OR 1=1 --", "'); DROP TABLE spans; --", '{project:String}', '\\', "' UNION SELECT * FROM system.tables --", '`', '"', 'a\u0000b']);
    case 4: // enum-ish and list-ish values
      return r.pick(['mode', 'tool,model', 'day,hour,mode', 'colour', ',,,', 'previous', 'next', 'error', 'ok', '1', 'true', 'tool_error', 'bad_mode', 'MODE']);
    case 5: // long and odd strings
      return r.pick(['x'.repeat(r.pick([256, 257, 512, 513, 2000])), '\ud800', '日本語', '\u202e', ' ', '\t\n']);
    case 6: // ids
      return r.pick([HEX32, HEX16, HEX32.toUpperCase(), 'zz', '0'.repeat(32), HEX32 + '0']);
    default: // something that fits the parameter, so the other parameters are reached
      return (
        {
          from: '3650d',
          to: '1h',
          limit: '5',
          group_by: 'tool,mode',
          compare: 'previous',
          mode: 'tool_error',
          status: 'error',
          raw: '1',
          a: 'service.version:1.0.0',
          b: 'service.version:2.0.0,from:14d',
          confidence: '0.9',
          alpha: '0.05',
          min_runs: '1',
          format: 'md',
          examples: '2',
        } as Record<string, string>
      )[param] ?? 'x';
  }
}

/** Engine or stack text that must never reach a client (SQL words only matter in error answers, which hold no stored data). */
export function leakedText(status: number, body: string, sent: string[]): string {
  let text = body;
  // What the client sent may be quoted back in a 400 (`"SELECT" is not a time`): that is not a leak.
  for (const v of sent) if (v.length > 2) text = text.split(v).join('').split(JSON.stringify(v).slice(1, -1)).join('');
  const always = /DB::Exception|Code: \d+\.|ClickHouse|\n\s+at [\w.<>]+ \(|RangeError|TypeError|Invalid time value/.exec(text);
  if (always) return always[0];
  if (status !== 200) {
    const sql = /\b(SELECT|FROM|WHERE|GROUP BY)\b/.exec(text);
    if (sql) return sql[0];
  }
  return '';
}
