// ClickHouse's Native format, written from JS: the rows of one request become one block of columns, and the
// writer merges the blocks of a flush into one block per table (one header, one type conversion, one part).
//
// Why Native (measured, bench/run.ts "storage limit" and the steps in the commit that brought this in): the
// engine reads it ~2x faster than RowBinary and ~3x faster than JSONCompactEachRow, and building it costs JS
// no JSON.stringify: strings are copied as UTF-8 bytes behind a length, numbers go into typed arrays.
// Binary data cannot travel inline in the embedded engine's query text (its multi-query parser ends inline
// INSERT data at the first empty line, "\n\n"), so the embedded store hands it over through a file
// (src/store/clickhouse.ts); a ClickHouse server takes the same bytes as an HTTP body.
//
// Columns are declared with plain types (String for LowCardinality(String), Map(String, String) for maps of
// LowCardinality keys): ClickHouse converts to the table's types while inserting.
import { endianness } from 'node:os';

if (endianness() !== 'LE') throw new Error('the Native row encoder assumes a little-endian machine');

/**
 * How a stream of a column is merged with the same stream of other blocks: `concat` for bytes of values;
 * `offsets` for UInt64 cumulative offsets (arrays, maps), which in each later block are shifted by the
 * earlier blocks' total.
 */
export type Merge = 'concat' | 'offsets';

export interface ColumnSpec {
  name: string;
  /** The type written in the block header (the table's type, or one ClickHouse converts to it). */
  type: string;
}

/** One encoded column: its streams in serialization order. */
export interface EncodedColumn {
  streams: Buffer[];
  merges: Merge[];
}

/** The rows of one request for one table, encoded column by column. */
export interface NativeBlock {
  rows: number;
  /** Same order as the schema's columns. */
  columns: EncodedColumn[];
  /** Sum of the stream sizes (what the write queue counts). */
  bytes: number;
}

export interface NativeSchema {
  table: string;
  /** Tables of a flush are inserted in ascending priority (rows others reference go first). */
  priority: number;
  columns: readonly ColumnSpec[];
  names: readonly string[];
  /** Per column: name and type as the block header writes them. */
  headers: Buffer[];
}

export function nativeSchema(table: string, columns: readonly ColumnSpec[], priority = 1): NativeSchema {
  return {
    table,
    priority,
    columns,
    names: columns.map((c) => c.name),
    headers: columns.map((c) => {
      const s = new ByteSink(64);
      s.str(c.name);
      s.str(c.type);
      return Buffer.from(s.take());
    }),
  };
}

function varintSize(n: number): number {
  let w = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    w++;
  }
  return w;
}

/**
 * A growable byte buffer for variable-width streams (strings, and the keys and values of maps).
 * Strings are written as a LEB128 length then the UTF-8 bytes. The length of a long string is written padded
 * to the width its longest possible encoding needs (continuation bits set on the unused bytes, which
 * ClickHouse reads as the same number), so the bytes go straight into place without being measured first.
 */
export class ByteSink {
  buf: Buffer;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  str(s: string): void {
    const n = s.length;
    if (n < 43) {
      // At most 3 bytes per UTF-16 unit: the length fits one byte. ASCII is copied by hand (cheaper than a
      // native call for short strings); anything else goes through the UTF-8 encoder.
      if (this.pos + 1 + n * 3 > this.buf.length) this.grow(1 + n * 3);
      const buf = this.buf;
      const start = this.pos;
      let p = start + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) {
          const w = buf.write(s, start + 1, 'utf8');
          buf[start] = w;
          this.pos = start + 1 + w;
          return;
        }
        buf[p++] = c;
      }
      buf[start] = n;
      this.pos = p;
      return;
    }
    const max = n > 65536 ? Buffer.byteLength(s, 'utf8') : n * 3;
    const w = varintSize(max);
    if (this.pos + w + max > this.buf.length) this.grow(w + max);
    const buf = this.buf;
    const start = this.pos;
    let len = buf.write(s, start + w, 'utf8');
    this.pos = start + w + len;
    for (let i = 0; i < w - 1; i++) {
      buf[start + i] = (len & 0x7f) | 0x80;
      len = Math.floor(len / 128);
    }
    buf[start + w - 1] = len;
  }

  /** Bytes already encoded (a cached string or run of strings). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    if (n < 48) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i];
    } else this.buf.set(b, this.pos);
    this.pos += n;
  }

  u8(v: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    while (v >= 128) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  take(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** The encoded form of one string value (length + bytes), for values repeated on many rows. */
export function encodedString(s: string): Buffer {
  const sink = new ByteSink(s.length * 3 + 10);
  sink.str(s);
  return Buffer.from(sink.take());
}

/** Writes a decimal string of an unsigned 64-bit integer (validated digits) at u32[2i], u32[2i+1]. */
export function setDecimalU64(u32: Uint32Array, i: number, s: string): void {
  const n = s.length;
  let lo: number;
  let hi: number;
  if (n <= 15) {
    const v = +s;
    lo = v % 4294967296;
    hi = (v - lo) / 4294967296;
  } else {
    // v = h * 1e9 + l, computed exactly in 32-bit halves (h < 2^35, so h * 1e9 is split once more).
    const h = +s.slice(0, n - 9);
    const l = +s.slice(n - 9);
    const hL = h % 65536;
    const x = ((h - hL) / 65536) * 1e9; // < 2^49
    const y = hL * 1e9 + l; // < 2^47
    const xL = x % 65536;
    const low = xL * 65536 + (y % 4294967296);
    hi = (x - xL) / 65536 + Math.floor(y / 4294967296) + Math.floor(low / 4294967296);
    lo = low % 4294967296;
  }
  u32[2 * i] = lo;
  u32[2 * i + 1] = hi;
}

/** Writes a signed 64-bit integer given as a number (exact) or a decimal string (possibly negative). */
export function setDecimalI64(u32: Uint32Array, i: number, v: number | string): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    if (v >= 0) {
      u32[2 * i] = v % 4294967296;
      u32[2 * i + 1] = Math.floor(v / 4294967296);
    } else {
      const b = BigInt.asUintN(64, BigInt(v));
      u32[2 * i] = Number(b & 0xffffffffn);
      u32[2 * i + 1] = Number(b >> 32n);
    }
    return;
  }
  const s = String(v);
  if (!s.startsWith('-')) return setDecimalU64(u32, i, s);
  const b = BigInt.asUintN(64, BigInt(s));
  u32[2 * i] = Number(b & 0xffffffffn);
  u32[2 * i + 1] = Number(b >> 32n);
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Column builders. Fixed-width columns are typed arrays of the block's row count. */
export class StringColumn {
  readonly sink: ByteSink;
  constructor(capacity: number) {
    this.sink = new ByteSink(capacity);
  }
  done(): EncodedColumn {
    return { streams: [this.sink.take()], merges: ['concat'] };
  }
}

export function fixedColumn(a: ArrayBufferView): EncodedColumn {
  return { streams: [bytesOf(a)], merges: ['concat'] };
}

/** Map(String, String) (or any Map/Array of two string-like streams): offsets, keys, values. */
export class MapColumn {
  readonly offsets: Uint32Array;
  readonly keys: ByteSink;
  readonly values: ByteSink;
  private total = 0;
  private row = 0;

  constructor(rows: number, capacity: number) {
    this.offsets = new Uint32Array(rows * 2);
    this.keys = new ByteSink(capacity >> 2);
    this.values = new ByteSink(capacity);
  }

  /**
   * Appends one row's map. `override` replaces values of keys `m` has; `extra` adds its keys with the value
   * `extraValue` (how a span's attribute_types marks attributes stored as skeletons).
   */
  map(m: Record<string, string>, override?: Record<string, string>, extra?: Record<string, string>, extraValue?: string): void {
    const keys = this.keys;
    const values = this.values;
    let count = 0;
    for (const k in m) {
      keys.str(k);
      values.str(override?.[k] ?? m[k]);
      count++;
    }
    if (extra) {
      for (const k in extra) {
        keys.str(k);
        values.str(extraValue!);
        count++;
      }
    }
    this.end(count);
  }

  /** Appends one row's map already encoded (see encodedMap). */
  encoded(e: EncodedMap): void {
    if (e.count) {
      this.keys.bytes(e.keys);
      this.values.bytes(e.values);
    }
    this.end(e.count);
  }

  private end(count: number): void {
    this.total += count;
    this.offsets[2 * this.row] = this.total % 4294967296;
    this.offsets[2 * this.row + 1] = Math.floor(this.total / 4294967296);
    this.row++;
  }

  done(): EncodedColumn {
    return { streams: [bytesOf(this.offsets), this.keys.take(), this.values.take()], merges: ['offsets', 'concat', 'concat'] };
  }
}

export interface EncodedMap {
  count: number;
  keys: Buffer;
  values: Buffer;
}

export function encodedMap(m: Record<string, string>): EncodedMap {
  const keys = new ByteSink(256);
  const values = new ByteSink(256);
  let count = 0;
  for (const k in m) {
    keys.str(k);
    values.str(m[k]);
    count++;
  }
  return { count, keys: Buffer.from(keys.take()), values: Buffer.from(values.take()) };
}

/** Array(T) of a fixed-width T: offsets, then the elements (filled by the caller through push). */
export class ArrayColumn {
  readonly offsets: Uint32Array;
  readonly data: ByteSink;
  private total = 0;
  private row = 0;

  constructor(rows: number) {
    this.offsets = new Uint32Array(rows * 2);
    this.data = new ByteSink(rows * 8);
  }

  /** Ends the current row after `count` elements were written to data. */
  end(count: number): void {
    this.total += count;
    this.offsets[2 * this.row] = this.total % 4294967296;
    this.offsets[2 * this.row + 1] = Math.floor(this.total / 4294967296);
    this.row++;
  }

  done(): EncodedColumn {
    return { streams: [bytesOf(this.offsets), this.data.take()], merges: ['offsets', 'concat'] };
  }
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const U32 = new Uint32Array(2);
const U32_BYTES = new Uint8Array(U32.buffer);

/** Appends a little-endian Float64 to a sink. */
export function pushF64(sink: ByteSink, v: number): void {
  F64[0] = v;
  sink.bytes(F64_BYTES);
}

/** Appends a UInt64 given as validated decimal digits. */
export function pushDecimalU64(sink: ByteSink, s: string): void {
  setDecimalU64(U32, 0, s);
  sink.bytes(U32_BYTES);
}

/** Nullable(T) of a fixed-width T: the null map, then T for every row (zero where null). */
export function nullableColumn(nulls: Uint8Array, values: ArrayBufferView): EncodedColumn {
  return { streams: [bytesOf(nulls), bytesOf(values)], merges: ['concat', 'concat'] };
}

export function block(rows: number, columns: EncodedColumn[]): NativeBlock {
  let bytes = 0;
  for (const c of columns) for (const s of c.streams) bytes += s.length;
  return { rows, columns, bytes };
}

function lastOffset(s: Buffer): number {
  if (s.length < 8) return 0;
  return s.readUInt32LE(s.length - 8) + s.readUInt32LE(s.length - 4) * 4294967296;
}

function shifted(s: Buffer, base: number): Buffer {
  const out = Buffer.allocUnsafe(s.length);
  for (let p = 0; p < s.length; p += 8) {
    const v = s.readUInt32LE(p) + s.readUInt32LE(p + 4) * 4294967296 + base;
    out.writeUInt32LE(v % 4294967296, p);
    out.writeUInt32LE(Math.floor(v / 4294967296), p + 4);
  }
  return out;
}

/**
 * One Native block holding the rows of all `blocks` (same schema), as a list of chunks to write out in order.
 * The blocks are not changed: a block that fails with others is retried alone.
 */
export function nativeChunks(schema: NativeSchema, blocks: readonly NativeBlock[]): Buffer[] {
  let rows = 0;
  for (const b of blocks) rows += b.rows;
  const head = new ByteSink(16);
  head.varint(schema.columns.length);
  head.varint(rows);
  const out: Buffer[] = [head.take()];
  for (let c = 0; c < schema.columns.length; c++) {
    out.push(schema.headers[c]);
    const merges = blocks[0].columns[c].merges;
    for (let j = 0; j < merges.length; j++) {
      let base = 0;
      for (const b of blocks) {
        const s = b.columns[c].streams[j];
        if (s.length === 0) continue;
        if (merges[j] === 'offsets') {
          out.push(base ? shifted(s, base) : s);
          base += lastOffset(s);
        } else out.push(s);
      }
    }
  }
  return out;
}
