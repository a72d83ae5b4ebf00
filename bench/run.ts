// npm run bench: decoder comparison, end-to-end OTLP/HTTP ingest against the built service, and the query
// API over 10M generated spans (--only=decode|ingest|query, --quick for short runs).
// Prints a table and writes bench/results/<time>.json. Figures from one run are comparable with each
// other; this machine is shared, so compare ratios, not absolute numbers across runs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTracesJson, decodeTracesProto } from '../src/receivers/otlp/traces.js';
import { encodeSpans } from '../src/store/rows/spans.js';
import { makePayloads } from './payloads.js';
import { decodeWithProtobufjs } from './protobufjs-decoder.js';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
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

/** Best-of-3 throughput of fn over all payloads. */
function measure(payloads: Uint8Array[], spansPer: number, fn: (b: Buffer) => unknown): number {
  const bufs = payloads.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  for (let i = 0; i < Math.min(20, bufs.length); i++) fn(bufs[i]);
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (const b of bufs) fn(b);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, (bufs.length * spansPer) / s);
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
  const encode = measure(proto, spansPerRequest, (b) => encodeSpans('default', decodeTracesProto(b).items));
  record({ bench: 'decode', payload_bytes_per_span: avg / spansPerRequest, hand_spans_s: hand, protobufjs_spans_s: pbjs, json_spans_s: jsonRate, hand_plus_row_encoding_spans_s: encode, hand_vs_protobufjs: hand / pbjs });
}

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'serve'], {
    env: { ...process.env, TRACEMILL_DATA_DIR: dataDir, TRACEMILL_HTTP_PORT: '0', TRACEMILL_GRPC_PORT: '0', TRACEMILL_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"http":"(http:\/\/[^"]+)"/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`service exited (${code}): ${out}`)));
  });
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function ingestBench(): Promise<void> {
  console.log('\n## End-to-end ingest: OTLP/HTTP protobuf -> committed in embedded ClickHouse (200 only after commit)');
  const seconds = QUICK ? 4 : 10;
  for (const mix of ['agent', 'tool-only'] as const) {
    const { proto, spansPerRequest } = makePayloads(QUICK ? 20 : 60, 500, { toolOnly: mix === 'tool-only' });
    for (const clients of [1, 8]) {
      const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-bench-'));
      const { child, url } = await startChild(dataDir);
      try {
        let spans = 0;
        let errors = 0;
        const latencies: number[] = [];
        const deadline = performance.now() + seconds * 1000;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: clients }, async (_, c) => {
            for (let i = c; performance.now() < deadline; i += clients) {
              const t0 = performance.now();
              const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: new Uint8Array(proto[i % proto.length]), headers: { 'content-type': 'application/x-protobuf' } });
              await res.arrayBuffer();
              if (res.status === 200) {
                spans += spansPerRequest;
                latencies.push(performance.now() - t0);
              } else errors++;
            }
          }),
        );
        const elapsed = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        record({ bench: 'ingest', mix, clients, spans_per_request: spansPerRequest, spans_s: spans / elapsed, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), errors, peak_rss_mib: peakRssMiB(child.pid!) });
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
}

/** The query API over generated data (bench/query.ts), in a child: embedded ClickHouse is one data directory per process. */
async function queryBench(): Promise<void> {
  const spans = QUICK ? 1_000_000 : 10_000_000;
  console.log(`\n## Query API over ${spans / 1e6}M generated agent spans (embedded storage)`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/query.ts'), `--spans=${spans}`, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bench/query.ts exited with ${code}`);
  const doc = JSON.parse(out.trim().split('\n').pop()!) as { generated_seconds: number; results: Record<string, unknown>[] };
  console.log(`generated in ${doc.generated_seconds.toFixed(0)} s`);
  for (const r of doc.results) record(r);
}

const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
if (!only || only === 'decode') decodeBench();
if (!only || only === 'ingest') await ingestBench();
if (!only || only === 'query') await queryBench();
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ node: process.version, quick: QUICK, results }, null, 2));
console.log(`\nwritten ${file}`);
