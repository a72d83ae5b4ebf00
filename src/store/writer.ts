// Group commit: requests hand over encoded rows and wait; rows from all waiting requests go to ClickHouse
// in one INSERT per table; every request is answered only after the INSERTs that hold its rows have returned.
import { TracemillError } from '../model/errors.js';
import type { Store } from './clickhouse.js';
import { type NativeBlock, type NativeSchema, nativeChunks } from './native.js';

/** One request's rows for one table: a Native block (src/store/native.ts) of the table's schema. */
export interface TableRows {
  schema: NativeSchema;
  block: NativeBlock;
  /** Called once the INSERT holding these rows has returned (the rows are committed). */
  onCommit?(): void;
}

/** The bounded queue is full: the client should retry later (429 / UNAVAILABLE). */
export class QueueFullError extends TracemillError {
  override name = 'QueueFullError';
  constructor(message: string) {
    super('queue_full', message);
  }
}

/**
 * The store did not take the rows: retryable (503 / UNAVAILABLE), or `permanent` when the engine refused the
 * data itself (500 / INTERNAL). The engine's words stay in the log; `publicMessage` is for tracemill's own causes.
 */
export class WriteFailedError extends TracemillError {
  override name = 'WriteFailedError';
  constructor(
    message: string,
    readonly permanent: boolean,
    publicMessage?: string,
  ) {
    super(permanent ? 'store_refused' : 'store_unavailable', message, publicMessage);
  }
}

export interface WriterOptions {
  maxRows: number;
  maxDelayMs: number;
  /**
   * Least time between the starts of two INSERTs unless maxRows rows are waiting (default 0). Each INSERT makes
   * a part per table, and parts cost the engine far more than rows do: fewer, larger INSERTs under load.
   */
  minIntervalMs?: number;
  maxQueueBytes: number;
  /** Most bytes of encoded rows in one INSERT (default 64 MiB; maxRows bounds its rows). */
  maxFlushBytes?: number;
  /** INSERTs in flight at once (default 1): requests arriving during a flush wait for it and go in the next. */
  maxConcurrentFlushes?: number;
  /** Told of every INSERT: how long it took, whether it committed, and the rows per table. */
  onInsert?(seconds: number, ok: boolean, rows: Record<string, number>): void;
}

export interface WriterStats {
  queuedBytes: number;
  queuedRequests: number;
  flushes: number;
  rowsWritten: Record<string, number>;
  lastInsertMs: number;
  insertErrors: number;
}

interface Pending {
  tables: TableRows[];
  bytes: number;
  rows: number;
  resolve(): void;
  reject(e: Error): void;
}

// One INSERT at a time by default: measured with 128 clients, two in flight cost 10-15% more CPU per span
// (smaller batches, more parts to merge) and gave a worse p99 both at the maximum rate and at a paced 20k spans/s.
const DEFAULT_CONCURRENT_FLUSHES = 1;
// Bounds the engine's memory for one INSERT (a Native block is parsed whole); 64 MiB is ~30k agent spans.
const DEFAULT_FLUSH_BYTES = 64 * 1024 * 1024;

// Errors that say the rows themselves are unacceptable; retrying the same rows cannot help.
const DATA_ERROR = /CANNOT_PARSE|TYPE_MISMATCH|INCORRECT_DATA|TOO_LARGE_STRING|ILLEGAL_COLUMN|NO_SUCH_COLUMN|UNKNOWN_IDENTIFIER/;

export class BatchWriter {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private pendingRows = 0;
  private inflightBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastFlushStart = -Infinity;
  /** Flushes in progress (at most opts.maxConcurrentFlushes). */
  private readonly flushing = new Set<Promise<void>>();
  private closed = false;
  private unavailable: string | undefined;
  readonly stats: WriterStats = { queuedBytes: 0, queuedRequests: 0, flushes: 0, rowsWritten: {}, lastInsertMs: 0, insertErrors: 0 };

  constructor(
    private readonly store: Store,
    private readonly opts: WriterOptions,
  ) {}

  get queuedBytes(): number {
    return this.pendingBytes + this.inflightBytes;
  }

  /** Resolves once every row is committed; rejects with QueueFullError or WriteFailedError. */
  write(tables: TableRows[]): Promise<void> {
    const nonEmpty = tables.filter((t) => t.block.rows > 0);
    if (nonEmpty.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new WriteFailedError('the service is shutting down', false, 'the service is shutting down'));
    // The reason's own words go to the client, not the driver's error quoted in parentheses (it is logged).
    if (this.unavailable) return Promise.reject(new WriteFailedError(this.unavailable, false, this.unavailable.split(' (')[0]));
    let bytes = 0;
    let rows = 0;
    for (const t of nonEmpty) {
      bytes += t.block.bytes;
      rows += t.block.rows;
    }
    // A request larger than the whole queue is still taken when the queue is empty, or it could never succeed.
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.opts.maxQueueBytes) {
      return Promise.reject(new QueueFullError(`the write queue is full (${this.queuedBytes} bytes waiting)`));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ tables: nonEmpty, bytes, rows, resolve, reject });
      this.pendingBytes += bytes;
      this.pendingRows += rows;
      this.updateStats();
      this.schedule();
    });
  }

  private get maxConcurrent(): number {
    return this.opts.maxConcurrentFlushes ?? DEFAULT_CONCURRENT_FLUSHES;
  }

  private schedule(): void {
    if (this.flushing.size >= this.maxConcurrent) return; // a running flush picks the rest up when it ends
    const wait = Math.max(this.opts.maxDelayMs, this.lastFlushStart + (this.opts.minIntervalMs ?? 0) - performance.now());
    if (this.pendingRows >= this.opts.maxRows || wait <= 0) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), wait);
    }
  }

  private startFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.flushing.size >= this.maxConcurrent || this.pending.length === 0) return;
    // One INSERT takes at most maxRows rows and maxFlushBytes bytes (at least one request): the engine's memory
    // for an INSERT stays bounded, and a backlog goes in several INSERTs one after the other.
    const maxBytes = this.opts.maxFlushBytes ?? DEFAULT_FLUSH_BYTES;
    let take = 0;
    let bytes = 0;
    let rows = 0;
    while (take < this.pending.length && (take === 0 || (rows + this.pending[take].rows <= this.opts.maxRows && bytes + this.pending[take].bytes <= maxBytes))) {
      bytes += this.pending[take].bytes;
      rows += this.pending[take].rows;
      take++;
    }
    const group = this.pending.slice(0, take);
    this.pending = this.pending.slice(take);
    this.lastFlushStart = performance.now();
    this.inflightBytes += bytes;
    this.pendingBytes -= bytes;
    this.pendingRows -= rows;
    const flush: Promise<void> = this.flushGroup(group).finally(() => {
      this.flushing.delete(flush);
      this.inflightBytes -= bytes;
      this.updateStats();
      if (this.pending.length) this.schedule();
    });
    this.flushing.add(flush);
  }

  private async flushGroup(group: Pending[]): Promise<void> {
    this.stats.flushes++;
    try {
      await this.insert(group);
      for (const p of group) committed(p);
      return;
    } catch (e) {
      this.stats.insertErrors++;
      if (group.length === 1) {
        group[0].reject(classify(e));
        return;
      }
    }
    // One request's rows may have spoiled the group: retry each alone so the others still commit.
    for (const p of group) {
      try {
        await this.insert([p]);
        committed(p);
      } catch (e) {
        this.stats.insertErrors++;
        p.reject(classify(e));
      }
    }
  }

  private async insert(group: Pending[]): Promise<void> {
    // One Native block per table: the requests' blocks merged (src/store/native.ts).
    const byTable = new Map<string, { schema: NativeSchema; blocks: NativeBlock[]; rows: number }>();
    for (const p of group) {
      for (const t of p.tables) {
        let entry = byTable.get(t.schema.table);
        if (!entry) byTable.set(t.schema.table, (entry = { schema: t.schema, blocks: [], rows: 0 }));
        entry.blocks.push(t.block);
        entry.rows += t.block.rows;
      }
    }
    const started = performance.now();
    const written: Record<string, number> = {};
    try {
      for (const [table, { schema, blocks, rows }] of [...byTable].sort((a, b) => a[1].schema.priority - b[1].schema.priority)) {
        await this.store.insertNative(table, schema.names, nativeChunks(schema, blocks));
        this.stats.rowsWritten[table] = (this.stats.rowsWritten[table] ?? 0) + rows;
        written[table] = rows;
      }
    } catch (e) {
      this.opts.onInsert?.((performance.now() - started) / 1000, false, written);
      throw e;
    }
    this.stats.lastInsertMs = performance.now() - started;
    this.opts.onInsert?.(this.stats.lastInsertMs / 1000, true, written);
  }

  private updateStats(): void {
    this.stats.queuedBytes = this.queuedBytes;
    this.stats.queuedRequests = this.pending.length;
  }

  /** Refuses writes as retryable (503 / UNAVAILABLE) until resume(): the store is not ready yet. */
  pause(reason: string): void {
    this.unavailable = reason;
  }

  resume(): void {
    this.unavailable = undefined;
  }

  /** Flushes everything waiting and resolves when the queue is empty. */
  async drain(): Promise<void> {
    while (this.pending.length || this.flushing.size) {
      if (this.pending.length) this.startFlush();
      await Promise.race(this.flushing);
    }
  }

  /** Stops taking writes, then drains. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }
}

function committed(p: Pending): void {
  for (const t of p.tables) t.onCommit?.();
  p.resolve();
}

function classify(e: unknown): WriteFailedError {
  const err = e as Error & { type?: string };
  const text = `${err.type ?? ''} ${err.message ?? String(e)}`;
  const permanent = DATA_ERROR.test(text);
  return new WriteFailedError(`the store did not accept the write: ${(err.message ?? String(e)).split('\n')[0].slice(0, 500)}`, permanent);
}
