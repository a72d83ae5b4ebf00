// The embedded engine takes binary INSERT data through a file: its query text cannot carry it (the multi-query
// parser ends inline INSERT data at the first empty line, and binary data has those), so each INSERT writes
// its Native bytes to a private directory in memory (/dev/shm when there is one) and runs
// `INSERT ... SELECT * FROM file(...)`, then removes the file. Measured faster than inline text formats too
// (bench/run.ts: the storage limit is this same path).
import { accessSync, closeSync, constants, mkdtempSync, openSync, readdirSync, rmSync, unlinkSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'tracemill-insert-';

/** Where INSERT files go: /dev/shm (memory) when writable, else the temp directory. */
export function spoolBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Directories left by processes that died during an INSERT. */
function sweep(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^tracemill-insert-(\d+)-/.exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(base, name), { recursive: true, force: true });
  }
}

export class Spool {
  private dir: string | undefined;
  private seq = 0;

  private directory(): string {
    if (!this.dir) {
      const base = spoolBase();
      sweep(base);
      this.dir = mkdtempSync(join(base, `${PREFIX}${process.pid}-`));
    }
    return this.dir;
  }

  /**
   * Writes `chunks` to a new file, runs `use(path)`, and removes the file whatever happens. The write is
   * synchronous on purpose: it is a memory copy into tmpfs (a few ms for a large batch), and waiting for an
   * asynchronous completion would hold the INSERT back until the event loop is free of request decoding,
   * leaving the engine idle (measured: batches waited 100-500 ms to start under load).
   */
  async with<T>(name: string, chunks: readonly Buffer[], use: (path: string) => Promise<T>): Promise<T> {
    let path = join(this.directory(), `${name}-${++this.seq}.native`);
    try {
      let fd: number;
      try {
        fd = openSync(path, 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        // The directory went away (a tmpfs cleaner): make a new one.
        this.dir = undefined;
        path = join(this.directory(), `${name}-${this.seq}.native`);
        fd = openSync(path, 'wx', 0o600);
      }
      try {
        writeAll(fd, chunks);
      } finally {
        closeSync(fd);
      }
      return await use(path);
    } finally {
      try {
        unlinkSync(path);
      } catch {
        // never created
      }
    }
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** writev until every byte is written (a call writes at most IOV_MAX buffers and may write less). */
function writeAll(fd: number, chunks: readonly Buffer[]): void {
  let i = 0;
  let skip = 0; // bytes of chunks[i] already written
  while (i < chunks.length) {
    const batch: Buffer[] = [];
    for (let j = i; j < chunks.length && batch.length < 1024; j++) batch.push(j === i && skip ? chunks[j].subarray(skip) : chunks[j]);
    let n = writevSync(fd, batch);
    while (i < chunks.length && n >= chunks[i].length - skip) {
      n -= chunks[i].length - skip;
      skip = 0;
      i++;
    }
    skip += n;
  }
}

/** A path as a ClickHouse string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
