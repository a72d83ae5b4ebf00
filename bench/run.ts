// npm run bench: decoders, end-to-end ingest against the built service with its limits measured in the same run,
// storage per span, the content-addressed message store, and the query API over 10M generated spans.
// --only=decode|ingest|storage|conversation|query|export|analysis|ui, --quick for short runs, --seconds=N per load phase, --clients=N,
// --mix=tool-only|agent for one ingest mix.
// Prints a table and writes bench/results/<time>.json. Figures from one run are comparable with each other;
// this machine is shared, so compare ratios, not absolute numbers across runs.
//
// Ingest, per traffic mix, on the same generated requests:
//   decode only        the hand decoder on one core (protobuf -> Span records), best of 3
//   encode             decode + the row encoder (Span records -> Native block), best of 3
//   storage limit      the engine alone: the same rows, pre-written as Native files (the format it reads fastest),
//                      INSERT ... SELECT FROM file() into the spans table of a scratch store, the settings the
//                      service uses, 50k rows per INSERT
//   end-to-end max     N concurrent OTLP/HTTP clients, each sending its next request once the previous one is
//                      acknowledged (200 only after commit): committed spans/s, ack latency, peak RSS
//   end-to-end 50%     the same clients paced to half the max rate: ack latency p50/p99
//   gRPC max           one run over OTLP/gRPC (one HTTP/2 connection, N concurrent calls)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import { decodeTracesJson, decodeTracesProto } from '../src/receivers/otlp/traces.js';
import { openStore, type Store } from '../src/store/clickhouse.js';
import { migrate } from '../src/store/migrate.js';
import { type NativeBlock, nativeChunks } from '../src/store/native.js';
import { SPANS, encodeSpans } from '../src/store/rows/spans.js';
import { spoolBase } from '../src/store/spool.js';
import { CALLS_PER_REQUEST, SPANS_PER_REQUEST, claudeCodeRequests, healthPoller, lags, visibleCalls } from './analysis.js';
import { conversationBench } from './conversation.js';
import { makePayloads } from './payloads.js';
import { decodeWithProtobufjs } from './protobufjs-decoder.js';
import { SESSION_KEYS } from '../src/normalize/dialects/index.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const QUICK = args.has('--quick');
const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SECONDS = Number(opt('seconds') ?? (QUICK ? 4 : 10));
const CLIENTS = Number(opt('clients') ?? 128);
const ROOT = join(import.meta.dirname, '..');
const results: Record<string, unknown>[] = [];

function record(row: Record<string, unknown>): void {
  results.push(row);
  console.log(
    Object.entries(row)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`)
      .join('  '),
  );
}

/** Best-of-3 throughput of fn over all payloads (items per second). */
function measure(payloads: Uint8Array[], itemsPer: number, fn: (b: Buffer) => unknown): number {
  const bufs = payloads.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  for (let i = 0; i < Math.min(20, bufs.length); i++) fn(bufs[i]);
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (const b of bufs) fn(b);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, (bufs.length * itemsPer) / s);
  }
  return best;
}

function decodeBench(): void {
  console.log('\n## Decode (one core, realistic agent spans, 1-8 KB message content)');
  const { proto, json, spansPerRequest } = makePayloads(QUICK ? 40 : 150, 500);
  const avg = proto.reduce((n, p) => n + p.length, 0) / proto.length;
  const hand = measure(proto, spansPerRequest, (b) => decodeTracesProto(b));
  const pbjs = measure(proto, spansPerRequest, (b) => decodeWithProtobufjs(b));
  const jsonRate = measure(json, spansPerRequest, (b) => decodeTracesJson(JSON.parse(b.toString('utf8'))));
  const encode = measure(proto, spansPerRequest, (b) => encodeSpans('default', decodeTracesProto(b).items, SESSION_KEYS));
  record({ bench: 'decode', payload_bytes_per_span: avg / spansPerRequest, hand_spans_s: hand, protobufjs_spans_s: pbjs, json_spans_s: jsonRate, hand_plus_row_encoding_spans_s: encode, hand_vs_protobufjs: hand / pbjs });
}

// ---------- the service under test ----------

interface Child {
  child: ChildProcess;
  url: string;
  grpcPort: number;
}

function startChild(dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'serve'], {
    env: { ...process.env, TRACEMILL_DATA_DIR: dataDir, TRACEMILL_HTTP_PORT: '0', TRACEMILL_GRPC_PORT: '0', TRACEMILL_LOG_LEVEL: 'info', TRACEMILL_SETTLE_MS: '3600000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"http":"(http:\/\/[^"]+)","grpc":"[^"]*:(\d+)"/.exec(out);
      if (m) resolve({ child, url: m[1], grpcPort: Number(m[2]) });
    });
    child.on('exit', (code) => reject(new Error(`service exited (${code}): ${out}`)));
  });
}

async function stopChild(c: Child): Promise<void> {
  if (c.child.exitCode !== null) return;
  c.child.kill('SIGTERM');
  await new Promise((r) => c.child.once('exit', r));
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system, all threads) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

type Send = (body: Uint8Array) => Promise<boolean>;

/**
 * OTLP/HTTP protobuf over node:http with keep-alive connections, one per client. (Measured: fetch took a whole
 * core of its own on the agent mix, which capped the service's figures on this 2-core machine.)
 */
function httpSender(url: string, clients: number): { send: Send; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const u = new URL(url);
  const send: Send = (body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { agent, host: u.hostname, port: u.port, path: '/v1/traces', method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': body.byteLength } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

const identity = (b: Buffer): Buffer => b;

function grpcSender(port: number): { send: Send; close(): void } {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 << 20 });
  const send: Send = (body) =>
    new Promise((resolve) => {
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', identity, identity, Buffer.from(body), new grpc.Metadata(), (err) => resolve(!err));
    });
  return { send, close: () => client.close() };
}

interface LoadResult {
  spans_s: number;
  /** Service CPU (all threads: HTTP, decoding, the engine's inserts and merges) per committed span. */
  cpu_us_per_span?: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  requests: number;
  /** Slowest /healthz answer during the phase (ms): how long the event loop stalled. */
  slowest_healthz_ms?: number;
}

/**
 * `clients` concurrent senders for `seconds`. Unpaced, each sends its next request when the previous one is
 * answered; paced (`rate` spans/s in total), request k of client c is due at k*clients+c intervals from the start
 * and latency counts from when it was due (a late answer delays the next send and counts against it).
 */
async function load(send: Send, payloads: Uint8Array[], spansPer: number, clients: number, seconds: number, rate?: number): Promise<LoadResult> {
  let spans = 0;
  let errors = 0;
  let requests = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const interval = rate ? (1000 * spansPer) / rate : 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let k = 0; ; k++) {
        let t0 = performance.now();
        if (rate) {
          const due = started + (k * clients + c) * interval;
          if (due >= deadline) break;
          if (due > t0) await new Promise((r) => setTimeout(r, due - t0));
          t0 = due;
        } else if (t0 >= deadline) break;
        const ok = await send(payloads[(k * clients + c) % payloads.length]).catch(() => false);
        requests++;
        if (ok) {
          spans += spansPer;
          latencies.push(performance.now() - t0);
        } else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { spans_s: spans / elapsed, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), errors, requests };
}

// ---------- the storage limit ----------

/** A scratch store of its own (a data directory, migrated), in this process. */
async function scratchStore(): Promise<{ store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tracemill-bench-limit-'));
  const store = openStore({ dataDir: dir, clickhouseUrl: undefined, clickhouseUser: 'default', clickhousePassword: '', clickhouseDatabase: 'default' });
  await migrate(store);
  return { store, dir };
}

const ROWS_PER_INSERT = 50_000;

/**
 * The engine ingesting the normalized rows of `payloads` from pre-written Native files, 50k rows per INSERT,
 * the same statement and settings the service uses (SELECT * FROM file(...) into spans, its materialized view
 * included). Returns rows/s over `rounds` passes over the data (the table emptied between them).
 */
async function storageLimit(store: Store, payloads: Uint8Array[], rounds: number): Promise<{ rows_s: number; rows: number; cpu_us_per_row: number }> {
  const dir = mkdtempSync(join(spoolBase(), 'tracemill-bench-'));
  try {
    const files: string[] = [];
    let blocks: NativeBlock[] = [];
    let rows = 0;
    let total = 0;
    const flush = () => {
      const path = join(dir, `rows-${files.length}.native`);
      writeFileSync(path, Buffer.concat(nativeChunks(SPANS, blocks)));
      files.push(path);
      blocks = [];
      rows = 0;
    };
    for (const p of payloads) {
      const t = encodeSpans('default', decodeTracesProto(Buffer.from(p)).items, SESSION_KEYS);
      blocks.push(t.block);
      rows += t.block.rows;
      total += t.block.rows;
      if (rows >= ROWS_PER_INSERT) flush();
    }
    if (rows) flush();
    const cols = SPANS.names.join(', ');
    let best = 0;
    let cpu = Infinity;
    for (let r = 0; r < rounds; r++) {
      await store.command('TRUNCATE TABLE spans');
      await store.command('TRUNCATE TABLE trace_index');
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const f of files) await store.command(`INSERT INTO spans (${cols}) SELECT * FROM file('${f}', Native) SETTINGS optimize_on_insert = 0`);
      best = Math.max(best, total / ((performance.now() - t0) / 1000));
      const c = process.cpuUsage(c0);
      cpu = Math.min(cpu, (c.user + c.system) / total);
    }
    return { rows_s: best, rows: total, cpu_us_per_row: cpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes on disk of the spans table per row after OPTIMIZE FINAL, for the rows storageLimit left there. */
async function bytesOnDisk(store: Store): Promise<{ rows: number; bytes: number; all_tables_bytes: number }> {
  await store.command('OPTIMIZE TABLE spans FINAL');
  await store.command('OPTIMIZE TABLE trace_index FINAL');
  const [s] = await store.query<{ rows: string; bytes: string }>("SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = currentDatabase() AND table = 'spans'");
  const [a] = await store.query<{ bytes: string }>("SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('spans', 'trace_index')");
  return { rows: Number(s.rows), bytes: Number(s.bytes), all_tables_bytes: Number(a.bytes) };
}

// ---------- ingest ----------

interface MixFigures {
  mix: string;
  decode_s: number;
  encode_s: number;
  limit_s: number;
  limit_cpu_us: number;
  max: LoadResult & { peak_rss_mib: number };
  half: LoadResult;
  grpc?: LoadResult;
  protoBytesPerSpan: number;
  disk?: { rows: number; bytes: number; all_tables_bytes: number };
}

async function ingestMix(mix: 'tool-only' | 'agent', withGrpc: boolean): Promise<MixFigures> {
  const requests = QUICK ? 40 : 100;
  const { proto, spansPerRequest } = makePayloads(requests, 500, { toolOnly: mix === 'tool-only' });
  const protoBytes = proto.reduce((n, p) => n + p.length, 0);
  console.log(`\n## ${mix}: ${requests} requests of ${spansPerRequest} spans, ${(protoBytes / (requests * spansPerRequest)).toFixed(0)} OTLP protobuf bytes per span`);

  const decode_s = measure(proto, spansPerRequest, (b) => decodeTracesProto(b));
  const encode_s = measure(proto, spansPerRequest, (b) => encodeSpans('default', decodeTracesProto(b).items, SESSION_KEYS));
  record({ bench: 'ingest-cpu', mix, decode_spans_s: decode_s, decode_encode_spans_s: encode_s });

  const { store, dir } = await scratchStore();
  let limit: { rows_s: number; rows: number; cpu_us_per_row: number };
  let disk: MixFigures['disk'];
  try {
    limit = await storageLimit(store, proto, QUICK ? 2 : 3);
    disk = await bytesOnDisk(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  record({ bench: 'storage-limit', mix, rows: limit.rows, rows_s: limit.rows_s, cpu_us_per_row: limit.cpu_us_per_row, format: 'Native', rows_per_insert: ROWS_PER_INSERT });

  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-bench-'));
  const svc = await startChild(dataDir);
  const httpClient = httpSender(svc.url, CLIENTS);
  try {
    const pid = svc.child.pid!;
    /** A load phase with the service's CPU per committed span. */
    const phase = async (send: Send, seconds: number, rate?: number): Promise<LoadResult> => {
      const c0 = cpuSeconds(pid);
      const health = healthPoller(svc.url);
      const r = await load(send, proto, spansPerRequest, CLIENTS, seconds, rate);
      await health.stop();
      return { ...r, cpu_us_per_span: ((cpuSeconds(pid) - c0) * 1e6) / (r.spans_s * seconds), slowest_healthz_ms: health.slowest() };
    };
    const send = httpClient.send;
    await load(send, proto, spansPerRequest, CLIENTS, Math.min(2, SECONDS)); // warm-up
    const maxRun = await phase(send, SECONDS);
    const max = { ...maxRun, peak_rss_mib: peakRssMiB(pid) };
    record({ bench: 'ingest-http', mix, load: 'max', clients: CLIENTS, ...max });
    const half = await phase(send, SECONDS, max.spans_s / 2);
    record({ bench: 'ingest-http', mix, load: '50% of max', clients: CLIENTS, target_spans_s: max.spans_s / 2, ...half, peak_rss_mib: peakRssMiB(pid) });
    let grpcRun: LoadResult | undefined;
    if (withGrpc) {
      const g = grpcSender(svc.grpcPort);
      try {
        grpcRun = await phase(g.send, SECONDS);
      } finally {
        g.close();
      }
      record({ bench: 'ingest-grpc', mix, load: 'max', clients: CLIENTS, ...grpcRun, peak_rss_mib: peakRssMiB(svc.child.pid!) });
    }
    return { mix, decode_s, encode_s, limit_s: limit.rows_s, limit_cpu_us: limit.cpu_us_per_row, max, half, grpc: grpcRun, protoBytesPerSpan: protoBytes / (requests * spansPerRequest), disk };
  } finally {
    httpClient.close();
    await stopChild(svc);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : '-');

function table(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(line(cells[0]));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of cells.slice(1)) console.log(line(r));
}

async function ingestBench(): Promise<MixFigures[]> {
  console.log(`\n# Ingest: OTLP protobuf -> committed in embedded ClickHouse (200 only after commit), ${CLIENTS} clients, ${SECONDS} s per phase`);
  const mix = opt('mix');
  if (mix && mix !== 'tool-only' && mix !== 'agent') throw new Error(`--mix=${mix}: expected tool-only or agent`);
  const figures: MixFigures[] = [];
  if (!mix || mix === 'tool-only') figures.push(await ingestMix('tool-only', true));
  if (!mix || mix === 'agent') figures.push(await ingestMix('agent', false));
  console.log('\n## Ingest summary (spans/s; latency is the acknowledgement, after commit)\n');
  table(
    ['mix', 'decode only', 'decode+encode', 'storage limit', 'end-to-end max', 'e2e / storage limit', 'e2e / decode', 'p50 / p99 at max', 'p50 / p99 at 50%', 'gRPC max', 'peak RSS MiB', 'CPU µs/span: e2e / limit', 'slowest /healthz'],
    figures.map((f) => [
      f.mix,
      fmt(f.decode_s),
      fmt(f.encode_s),
      fmt(f.limit_s),
      fmt(f.max.spans_s),
      fmt((100 * f.max.spans_s) / f.limit_s) + '%',
      fmt((100 * f.max.spans_s) / f.decode_s) + '%',
      `${fmt(f.max.p50_ms)} / ${fmt(f.max.p99_ms)} ms`,
      `${fmt(f.half.p50_ms)} / ${fmt(f.half.p99_ms)} ms`,
      f.grpc ? fmt(f.grpc.spans_s) : '',
      fmt(f.max.peak_rss_mib),
      `${fmt(f.max.cpu_us_per_span ?? NaN, 1)} / ${fmt(f.limit_cpu_us, 1)}`,
      `${fmt(Math.max(f.max.slowest_healthz_ms ?? NaN, f.half.slowest_healthz_ms ?? NaN))} ms`,
    ]),
  );
  console.log(
    '\nCPU µs/span: all CPU the service used per committed span at the maximum rate (HTTP, decoding, encoding, its INSERTs and the\n' +
      "background merges they cause), against the engine's CPU per row in the storage-limit INSERTs: robust to other load on a shared machine.",
  );
  for (const f of figures) {
    results.push({ bench: 'ingest-summary', mix: f.mix, e2e_vs_storage_limit: f.max.spans_s / f.limit_s, e2e_vs_decode: f.max.spans_s / f.decode_s });
  }
  return figures;
}

async function storageBench(figures: MixFigures[]): Promise<void> {
  console.log('\n# Storage');
  const rows: (string | number)[][] = [];
  for (const f of figures) {
    if (!f.disk) continue;
    const perSpan = f.disk.bytes / f.disk.rows;
    rows.push([f.mix, f.disk.rows, fmt(f.protoBytesPerSpan, 1), fmt(perSpan, 1), fmt((100 * perSpan) / f.protoBytesPerSpan, 1) + '%', fmt((100 * f.disk.all_tables_bytes) / f.disk.rows / f.protoBytesPerSpan, 1) + '%']);
    results.push({ bench: 'storage', mix: f.mix, rows: f.disk.rows, otlp_bytes_per_span: f.protoBytesPerSpan, disk_bytes_per_span: perSpan, disk_vs_otlp: perSpan / f.protoBytesPerSpan, with_trace_index_vs_otlp: f.disk.all_tables_bytes / f.disk.rows / f.protoBytesPerSpan });
  }
  if (rows.length) {
    console.log('\n## Bytes on disk per span (spans table, system.parts after OPTIMIZE FINAL) against the OTLP protobuf bytes received\n');
    table(['mix', 'spans', 'OTLP bytes/span', 'disk bytes/span', 'disk / OTLP', 'with trace_index'], rows);
  }
  console.log('\n## A 50-turn conversation: every LLM call resends the whole history\n');
  const c = await conversationBench(50);
  for (const r of c) results.push({ bench: 'conversation', ...r });
  table(
    ['storage', 'OTLP bytes', 'disk bytes', 'of which spans', 'of which messages', 'disk / OTLP', 'saving vs naive'],
    c.map((r) => [
      r.storage,
      r.otlp_bytes,
      r.disk_bytes,
      r.spans_disk_bytes,
      r.messages_disk_bytes,
      fmt((100 * r.disk_bytes) / r.otlp_bytes, 2) + '%',
      fmt(100 * (1 - r.disk_bytes / c[0].disk_bytes), 1) + '%',
    ]),
  );
}

/** The query API over generated data (bench/query.ts), in a child: embedded ClickHouse is one data directory per process. */
async function queryBench(): Promise<void> {
  const spans = QUICK ? 1_000_000 : 10_000_000;
  console.log(`\n# Query API over ${spans / 1e6}M generated agent spans (embedded storage)`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/query.ts'), `--spans=${spans}`, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bench/query.ts exited with ${code}`);
  const doc = JSON.parse(out.trim().split('\n').pop()!) as { generated_seconds: number; results: Record<string, unknown>[] };
  console.log(`generated in ${doc.generated_seconds.toFixed(0)} s`);
  for (const r of doc.results) record(r);
}

/** The dashboard's first view per page over 1M generated operations (bench/ui.ts), in a child. */
async function uiBench(): Promise<void> {
  const spans = QUICK ? 200_000 : 1_000_000;
  console.log(`\n# Dashboard: first view per page in headless Chromium, ${spans.toLocaleString()} operations`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/ui.ts'), `--spans=${spans}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`bench/ui.ts exited with ${code}`);
}

/** Corpus export over generated LLM calls (bench/export.ts), in a child: one embedded data directory per process. */
async function exportBench(): Promise<void> {
  const ops = Number(opt('ops') ?? (QUICK ? 100_000 : 1_000_000));
  console.log(`\n# Export to openai-chat: ${ops.toLocaleString()} LLM-call operations (${ops / 10} conversations of 10 calls)`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/export.ts'), `--ops=${ops}`, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bench/export.ts exited with ${code}`);
  const doc = JSON.parse(out.trim().split('\n').pop()!) as { generated_seconds: number; results: Record<string, unknown>[] };
  console.log(`generated in ${doc.generated_seconds.toFixed(0)} s`);
  for (const r of doc.results) record(r);
}

// ---------- analysis (issue 15) ----------

interface AnalysisFigures {
  phase: string;
  spans: number;
  ingest_spans_s: number;
  ingest_cpu_us: number;
  analysis_spans_s: number;
  analysis_cpu_us: number;
  lag_p50_ms: number;
  lag_p99_ms: number;
  /** Slowest /healthz while ingest ran at its maximum, while the analysis ran alone, and in the paced phase (settling as usual). */
  healthz_at_max_ms: number;
  healthz_analysis_ms: number;
  healthz_paced_ms: number;
}

/** Sends every payload once, `clients` at a time, paced to `rate` spans/s when given; the acks in order. */
async function sendAll(send: Send, payloads: Uint8Array[], clients: number, rate?: number): Promise<{ seconds: number; acks: [number, number][]; errors: number }> {
  const acks: [number, number][] = [];
  let next = 0;
  let errors = 0;
  let calls = 0;
  const started = performance.now();
  const interval = rate ? (1000 * SPANS_PER_REQUEST) / rate : 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < payloads.length; i = next++) {
        const due = started + i * interval;
        if (rate && due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        for (let attempt = 0; ; attempt++) {
          if (await send(payloads[i]).catch(() => false)) break;
          errors++;
          await new Promise((r) => setTimeout(r, 200 * Math.min(10, attempt + 1))); // 429/503: retry, as exporters do
        }
        calls += CALLS_PER_REQUEST;
        acks.push([performance.now(), calls]);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, acks, errors };
}

async function analysisRun(phase: string, payloads: Uint8Array[]): Promise<AnalysisFigures> {
  const spans = payloads.length * SPANS_PER_REQUEST;
  // 1. Ingest alone at the maximum rate (settling held back), then the analysis of all of it.
  let dataDir = mkdtempSync(join(tmpdir(), 'tracemill-bench-analysis-'));
  let svc = await startChild(dataDir);
  let health = healthPoller(svc.url);
  let healthAtMax: number;
  let healthAnalysis: number;
  let healthPaced: number;
  let ingest: { seconds: number };
  let ingestCpu: number;
  let analysisSeconds: number;
  let analysisCpu: number;
  const sender = httpSender(svc.url, CLIENTS);
  try {
    let c0 = cpuSeconds(svc.child.pid!);
    ingest = await sendAll(sender.send, payloads, CLIENTS);
    ingestCpu = cpuSeconds(svc.child.pid!) - c0;
    // The slowest /healthz while ingest ran at its maximum, then (a new poller) while the analysis ran alone.
    await health.stop();
    healthAtMax = health.slowest();
    health = healthPoller(svc.url);
    c0 = cpuSeconds(svc.child.pid!);
    const t0 = performance.now();
    const res = await fetch(`${svc.url}/api/v1/admin/renormalize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ since: '2020-01-01T00:00:00Z' }) });
    if (res.status !== 200) throw new Error(`renormalize answered ${res.status}: ${await res.text()}`);
    analysisSeconds = (performance.now() - t0) / 1000;
    analysisCpu = cpuSeconds(svc.child.pid!) - c0;
  } finally {
    sender.close();
    await health.stop();
    healthAnalysis = health.slowest();
    await stopChild(svc);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const ingestSpansS = spans / ingest.seconds;

  // 2. A fresh service settling as it does by default but for a 1 s quiet time, at half that rate: the lag.
  dataDir = mkdtempSync(join(tmpdir(), 'tracemill-bench-analysis-'));
  svc = await startChild(dataDir, { TRACEMILL_SETTLE_MS: '1000' });
  health = healthPoller(svc.url);
  const polls: [number, number][] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      polls.push([performance.now(), await visibleCalls(svc.url).catch(() => 0)]);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const paced = httpSender(svc.url, CLIENTS);
  let sent: { acks: [number, number][] };
  try {
    sent = await sendAll(paced.send, payloads, CLIENTS, ingestSpansS / 2);
    const total = sent.acks.length ? sent.acks[sent.acks.length - 1][1] : 0;
    const until = performance.now() + 600_000;
    while (performance.now() < until && (polls.length === 0 || polls[polls.length - 1][1] < total)) await new Promise((r) => setTimeout(r, 250));
  } finally {
    polling = false;
    await poller;
    paced.close();
    await health.stop();
    healthPaced = health.slowest();
    await stopChild(svc);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const lag = lags(sent.acks, polls);
  const fig: AnalysisFigures = {
    phase,
    spans,
    ingest_spans_s: ingestSpansS,
    ingest_cpu_us: (ingestCpu * 1e6) / spans,
    analysis_spans_s: spans / analysisSeconds,
    analysis_cpu_us: (analysisCpu * 1e6) / spans,
    lag_p50_ms: percentile(lag, 50),
    lag_p99_ms: percentile(lag, 99),
    healthz_at_max_ms: healthAtMax,
    healthz_analysis_ms: healthAnalysis,
    healthz_paced_ms: healthPaced,
  };
  record({ bench: 'analysis', ...fig, lag_samples: lag.length });
  return fig;
}

async function analysisBench(): Promise<void> {
  console.log(`\n# Analysis: Claude-Code-shaped spans end to end including normalization and detection (${SPANS_PER_REQUEST} spans a request), ${CLIENTS} clients`);
  const spreadRequests = QUICK ? 40 : 400;
  const spread = claudeCodeRequests(spreadRequests, (i) => `bench-session-${i}`);
  const { store, dir } = await scratchStore();
  let limit: { rows_s: number; cpu_us_per_row: number };
  try {
    limit = await storageLimit(store, spread, QUICK ? 1 : 2);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  record({ bench: 'analysis-storage-limit', rows_s: limit.rows_s, cpu_us_per_row: limit.cpu_us_per_row });
  const figs = [await analysisRun('a session per request', spread)];
  const longRequests = Math.round((QUICK ? 20_000 : 200_000) / SPANS_PER_REQUEST);
  figs.push(await analysisRun('one session', claudeCodeRequests(longRequests, () => 'bench-one-long-session')));
  console.log('\n## Analysis summary (CPU µs per span of the service, all threads; engine: its INSERT CPU per row of the same spans)\n');
  table(
    ['traffic', 'spans', 'ingest spans/s', 'analysis spans/s', 'CPU µs/span ingest / analysis', 'whole / engine', 'lag p50 / p99 at 50%', 'slowest /healthz: ingest at max / analysis / at 50%'],
    figs.map((f) => [
      f.phase,
      f.spans,
      fmt(f.ingest_spans_s),
      fmt(f.analysis_spans_s),
      `${fmt(f.ingest_cpu_us, 1)} / ${fmt(f.analysis_cpu_us, 1)}`,
      fmt((f.ingest_cpu_us + f.analysis_cpu_us) / limit.cpu_us_per_row, 1) + 'x',
      `${fmt(f.lag_p50_ms / 1000, 1)} / ${fmt(f.lag_p99_ms / 1000, 1)} s`,
      `${fmt(f.healthz_at_max_ms)} / ${fmt(f.healthz_analysis_ms)} / ${fmt(f.healthz_paced_ms)} ms`,
    ]),
  );
  console.log(`\nlong session analysis CPU / spread: ${fmt(figs[1].analysis_cpu_us / figs[0].analysis_cpu_us, 2)}x; lag counts from the ack to the first poll (every 250 ms) of /api/v1/failures/stats showing as many calls; includes the 1 s quiet time.`);
}

const started = performance.now();
const only = opt('only');
if (!only || only === 'decode') decodeBench();
let figures: MixFigures[] = [];
if (!only || only === 'ingest' || only === 'storage') figures = await ingestBench();
if (!only || only === 'storage' || only === 'ingest' || only === 'conversation') await storageBench(figures);
if (!only || only === 'query') await queryBench();
if (!only || only === 'export') await exportBench();
if (!only || only === 'analysis') await analysisBench();
if (!only || only === 'ui') await uiBench();
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ node: process.version, quick: QUICK, clients: CLIENTS, seconds: SECONDS, wall_seconds: (performance.now() - started) / 1000, results }, null, 2));
console.log(`\nwritten ${file} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
