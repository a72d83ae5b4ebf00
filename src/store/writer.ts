// Group commit: requests hand over encoded rows and wait; rows from all waiting requests go to ClickHouse
// in one INSERT per table; every request is answered only after the INSERTs that hold its rows have returned.
import type { Store } from './clickhouse.js';

export interface TableRows {
  table: string;
  columns: readonly string[];
  /** JSONCompactEachRow lines, each ending in '\n'. */
  body: string;
  rows: number;
}

/** The bounded queue is full: the client should retry later (429 / UNAVAILABLE). */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

/** The store did not take the rows: retryable (503 / UNAVAILABLE). */
export class WriteFailedError extends Error {
  override name = 'WriteFailedError';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface WriterOptions {
  maxRows: number;
  maxDelayMs: number;
  maxQueueBytes: number;
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

// Errors that say the rows themselves are unacceptable; retrying the same rows cannot help.
const DATA_ERROR = /CANNOT_PARSE|TYPE_MISMATCH|INCORRECT_DATA|TOO_LARGE_STRING|ILLEGAL_COLUMN|NO_SUCH_COLUMN|UNKNOWN_IDENTIFIER/;

export class BatchWriter {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private pendingRows = 0;
  private inflightBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
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
    const nonEmpty = tables.filter((t) => t.rows > 0);
    if (nonEmpty.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new WriteFailedError('the service is shutting down', false));
    let bytes = 0;
    let rows = 0;
    for (const t of nonEmpty) {
      bytes += t.body.length;
      rows += t.rows;
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

  private schedule(): void {
    if (this.flushing) return; // the running flush picks the rest up when it ends
    if (this.pendingRows >= this.opts.maxRows || this.opts.maxDelayMs === 0) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.opts.maxDelayMs);
    }
  }

  private startFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.flushing || this.pending.length === 0) return;
    const group = this.pending;
    this.pending = [];
    this.inflightBytes = this.pendingBytes;
    this.pendingBytes = 0;
    this.pendingRows = 0;
    this.flushing = this.flushGroup(group).finally(() => {
      this.flushing = undefined;
      this.inflightBytes = 0;
      this.updateStats();
      if (this.pending.length) this.schedule();
    });
  }

  private async flushGroup(group: Pending[]): Promise<void> {
    this.stats.flushes++;
    try {
      await this.insert(group);
      for (const p of group) p.resolve();
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
        p.resolve();
      } catch (e) {
        this.stats.insertErrors++;
        p.reject(classify(e));
      }
    }
  }

  private async insert(group: Pending[]): Promise<void> {
    const byTable = new Map<string, { columns: readonly string[]; parts: string[]; rows: number }>();
    for (const p of group) {
      for (const t of p.tables) {
        let entry = byTable.get(t.table);
        if (!entry) byTable.set(t.table, (entry = { columns: t.columns, parts: [], rows: 0 }));
        entry.parts.push(t.body);
        entry.rows += t.rows;
      }
    }
    const started = performance.now();
    const written: Record<string, number> = {};
    try {
      for (const [table, { columns, parts, rows }] of byTable) {
        await this.store.insertRows(table, columns, Buffer.from(parts.join(''), 'utf8'));
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

  /** Flushes everything waiting and resolves when the queue is empty. */
  async drain(): Promise<void> {
    while (this.pending.length || this.flushing) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
  }

  /** Stops taking writes, then drains. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }
}

function classify(e: unknown): WriteFailedError {
  const err = e as Error & { type?: string };
  const text = `${err.type ?? ''} ${err.message ?? String(e)}`;
  const permanent = DATA_ERROR.test(text);
  return new WriteFailedError(`the store did not accept the write: ${(err.message ?? String(e)).split('\n')[0].slice(0, 500)}`, permanent);
}
