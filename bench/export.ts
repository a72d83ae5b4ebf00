// Export benchmark: N LLM-call operations (default 1M: 100k conversations of 10 calls, each call carrying the
// history before it, as agents send it) generated inside ClickHouse, then exported to openai-chat by writeExport
// on the running service's store: conversations/s, MB/s written, and the RSS the export adds over the idle
// service (sampled every 50 ms). Run alone: node --import tsx bench/export.ts [--ops=N] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { writeExport } from '../src/exporters/index.js';
import { startService } from '../src/service.js';

const args = process.argv.slice(2);
const OPS = Number(args.find((a) => a.startsWith('--ops='))?.slice(6) ?? 1_000_000);
const JSON_OUT = args.includes('--json');
const CALLS = 10;
const log = (...a: unknown[]) => {
  if (!JSON_OUT) console.log(...a);
};

const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-bench-export-'));
const outDir = mkdtempSync(join(tmpdir(), 'tracemill-bench-export-out-'));
const svc = await startService(loadConfig({}, { dataDir, httpPort: 0, grpcPort: 0, logLevel: 'warn', settleMs: 3_600_000 }));

// Op n: conversation c = n / 10, call k = n % 10. Its input is the system prompt, the task, and k earlier
// (tool call, ~300-byte result) turns; its output is the next tool call, or the final answer at k = 9.
const now = Date.now();
const msg = {
  user: `concat('{"role":"user","parts":[{"type":"text","text":"Task ', toString(c), ': find the weather in the ten cities listed in the ticket and summarise it for the ops channel."}]}')`,
  call: (i: string) => `concat('{"role":"assistant","parts":[{"type":"text","text":"Checking city ', toString(${i}), '."},{"type":"tool_call","id":"call_', toString(c), '_', toString(${i}), '","name":"get_weather","arguments":"{\\\\"city\\\\":\\\\"C', toString(${i}), '\\\\"}"}]}')`,
  result: (i: string) =>
    `concat('{"role":"tool","parts":[{"type":"tool_result","id":"call_', toString(c), '_', toString(${i}), '","name":"get_weather","content":"', repeat('{\\\\"temp_c\\\\": 18, \\\\"sky\\\\": \\\\"cloudy\\\\", \\\\"wind_kmh\\\\": 12} ', 6), '"}]}')`,
};
const GEN = `
INSERT INTO operations (project_id, day, group_key, trace_id, span_id, parent_span_id, start_time, end_time, kind, dialect, source, name,
  service_name, agent_name, agent_id, depth, session_id, request_model, response_model, provider, input_tokens, output_tokens,
  finish_reason, status, input_messages, output_messages, tools, failure_modes, failure_severities, failure_detectors, failure_evidence, version, is_deleted)
SELECT 'default', toDate(st), concat('t:', tid), tid, lower(hex(cityHash64(n, 'span'))), '', st, st + toIntervalMillisecond(800),
  'llm', 'bench', 'span', 'chat model-1', 'bench-agent', 'agent', '', 0, '', 'model-1', 'model-1', 'openai', 1000, 50,
  if(k = ${CALLS - 1}, 'stop', 'tool_call'), 'ok',
  concat('[{"role":"system","parts":[{"type":"text","text":"You are an operations assistant. Use the tools for live data."}]},', ${msg.user},
         arrayStringConcat(arrayMap(i -> concat(',', ${msg.call('i')}, ',', ${msg.result('i')}), range(k))), ']'),
  if(k = ${CALLS - 1}, '[{"role":"assistant","parts":[{"type":"text","text":"All ten cities are cloudy around 18 C."}]}]', concat('[', ${msg.call('k')}, ']')),
  '[{"name":"get_weather","description":"Current weather of a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]',
  [], [], [], [], toUInt64(${now}) * 1000, 0
FROM (
  SELECT number AS n, intDiv(number, ${CALLS}) AS c, number % ${CALLS} AS k,
    lower(hex(cityHash64(c, 'trace'))) || lower(hex(cityHash64(c, 'trace2'))) AS tid,
    fromUnixTimestamp64Milli(toInt64(${now} - 86400000 + c * 10 + k)) AS st
  FROM numbers(${OPS})
)`;
const t0 = performance.now();
await svc.store.command(GEN);
await svc.store.command('OPTIMIZE TABLE operations FINAL');
const genSeconds = (performance.now() - t0) / 1000;
log(`generated ${OPS.toLocaleString()} LLM-call operations (${OPS / CALLS} conversations) in ${genSeconds.toFixed(0)} s`);

global.gc?.();
await new Promise((r) => setTimeout(r, 500));
const idle = process.memoryUsage().rss;
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const t1 = performance.now();
const m = await writeExport(svc.store, { format: 'openai-chat', from: new Date(now - 2 * 86400000) }, outDir);
const seconds = (performance.now() - t1) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const bytes = m.files.filter((f) => f.role === 'train').reduce((a, f) => a + f.bytes, 0);
const result = {
  bench: 'export',
  format: 'openai-chat',
  operations: OPS,
  conversations: m.counts.examples,
  skipped: Object.values(m.counts.skipped).reduce((a, b) => a + b, 0),
  seconds,
  conversations_s: m.counts.examples / seconds,
  output_mb_s: bytes / 2 ** 20 / seconds,
  output_mb: bytes / 2 ** 20,
  idle_rss_mib: idle / 2 ** 20,
  peak_rss_over_idle_mib: (peak - idle) / 2 ** 20,
};
log(
  `exported ${result.conversations} conversations (${result.output_mb.toFixed(1)} MiB) in ${seconds.toFixed(1)} s: ` +
    `${result.conversations_s.toFixed(0)} conversations/s, ${result.output_mb_s.toFixed(1)} MiB/s, peak RSS +${result.peak_rss_over_idle_mib.toFixed(0)} MiB over the idle service (${result.idle_rss_mib.toFixed(0)} MiB)`,
);
await svc.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(outDir, { recursive: true, force: true });
if (JSON_OUT) console.log(JSON.stringify({ generated_seconds: genSeconds, results: [result] }));
