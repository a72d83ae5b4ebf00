// Entry point of the rebuild worker thread (rebuild-pool.ts): runs rebuild jobs off the event loop that
// answers exports and health checks. Rules come once, in workerData (plain data and RegExps clone).
import { parentPort, workerData } from 'node:worker_threads';
import type { Rules } from '../normalize/index.js';
import { type RebuildJob, runRebuildJob } from './rebuild-job.js';

const rules = (workerData as { rules?: Rules } | undefined)?.rules;

parentPort!.on('message', (msg: { id: number; job: RebuildJob }) => {
  try {
    parentPort!.postMessage({ id: msg.id, output: runRebuildJob(msg.job, rules) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).stack ?? String(e) });
  }
});
