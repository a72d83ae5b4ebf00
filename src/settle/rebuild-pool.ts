// Where rebuild jobs run. Normalization and detection of a large group take seconds of CPU; on the event
// loop that also answers exports and /healthz that is seconds of silence (issue 15 measured /healthz
// unanswered for 30 s). Slicing would need every group cut into pieces small enough for 50 ms, which a
// conversation's cross-trace linking does not allow, so jobs run in one worker thread: the event loop only
// reads rows, clones them over and writes the result (see docs/scaling.md for the measurement). One worker,
// not a pool: the service has the ingest path on the main thread, and the engine's own threads, to feed.
//
// `inline` runs jobs on the calling thread (the `renormalize` command, which has nothing else to serve).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Rules } from '../normalize/index.js';
import { type RebuildJob, type RebuildOutput, runRebuildJob } from './rebuild-job.js';

export interface RebuildRunner {
  run(job: RebuildJob): Promise<RebuildOutput>;
  /** Stops the worker; jobs still running are rejected (their groups are rebuilt after the next start). */
  close(): Promise<void>;
}

export function inlineRunner(rules: Rules | undefined): RebuildRunner {
  return {
    run: async (job) => runRebuildJob(job, rules),
    close: async () => undefined,
  };
}

/** The worker's entry: the compiled .js next to this module, or the .ts source under a TypeScript loader. */
function workerEntry(): URL {
  const js = new URL('./rebuild-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  return new URL('./rebuild-worker.ts', import.meta.url);
}

export class WorkerRunner implements RebuildRunner {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(o: RebuildOutput): void; reject(e: Error): void }>();
  private closed = false;

  constructor(private readonly rules: Rules | undefined) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerEntry(), { workerData: { rules: this.rules } });
    w.unref(); // never what keeps the process alive
    w.on('message', (msg: { id: number; output?: RebuildOutput; error?: string }) => {
      const p = this.waiting.get(msg.id);
      if (!p) return;
      this.waiting.delete(msg.id);
      if (msg.output) p.resolve(msg.output);
      else p.reject(new Error(`rebuild failed in the worker: ${msg.error}`));
    });
    const fail = (err: Error) => {
      this.worker = undefined; // the next job starts a fresh one
      for (const p of this.waiting.values()) p.reject(err);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`rebuild worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  run(job: RebuildJob): Promise<RebuildOutput> {
    if (this.closed) return Promise.reject(new Error('the rebuild worker is stopped'));
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
