// The real Gemini CLI (@google/gemini-cli 0.61.0, the newest release; engines node >=20, runs here on Node 20)
// in headless mode (`gemini -p`), against a local fake model: GOOGLE_GEMINI_BASE_URL points at a fake
// generateContent / streamGenerateContent server. Telemetry is enabled the way docs/agent-setup.md says, over
// OTLP/gRPC to this test's tracemill. The scripted task and its truth are in agent-cli.ts; checked through the
// public query API. Gemini CLI puts every model call and every tool batch in a trace of its own: the truth
// holds only if tracemill joins them (one conversation, repeated_tool_call across traces).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { ANSWER, COMMANDS, INPUT_TOKENS, OUTPUT_TOKENS, PROMPT, baseEnv, checkTruth, listen, phoneHomeTrap, runBounded, tempDir } from './agent-cli.js';

const GEMINI = createRequire(import.meta.url).resolve('@google/gemini-cli/bundle/gemini.js');
const MODEL = 'gemini-2.5-flash';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

// The fake Gemini API: the reply depends only on how many function responses the request carries back.
const requests: { path: string; body: Record<string, unknown> }[] = [];
let n = 0;
const model = await listen(t, (req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    requests.push({ path: req.url ?? '', body });
    const contents = (body.contents ?? []) as { parts?: { functionResponse?: unknown }[] }[];
    const done = contents.flatMap((c) => c.parts ?? []).filter((p) => p.functionResponse).length;
    const parts = done < COMMANDS.length ? [{ functionCall: { name: 'run_shell_command', args: { command: COMMANDS[done] } } }] : [{ text: ANSWER }];
    const chunk = {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: INPUT_TOKENS, candidatesTokenCount: OUTPUT_TOKENS, totalTokenCount: INPUT_TOKENS + OUTPUT_TOKENS },
      modelVersion: MODEL,
      responseId: `resp_${++n}`,
    };
    if (req.method === 'POST' && req.url?.includes(':streamGenerateContent')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`data: ${JSON.stringify(chunk)}\n\n`);
    } else if (req.method === 'POST' && req.url?.includes(':generateContent')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chunk));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    }
  });
});

const trap = await phoneHomeTrap(t);
const home = tempDir(t, 'tracemill-gemini-home-');
const work = join(home, 'work');
mkdirSync(join(home, '.gemini'), { recursive: true });
mkdirSync(work);
// No auto-update, no update nag, no usage statistics (Clearcut); API-key auth against the base URL below.
writeFileSync(
  join(home, '.gemini', 'settings.json'),
  JSON.stringify({
    general: { disableAutoUpdate: true, disableUpdateNag: true },
    privacy: { usageStatisticsEnabled: false },
    security: { auth: { selectedType: 'gemini-api-key' } },
  }),
);

const run = await runBounded(process.execPath, [GEMINI, '-p', PROMPT, '--yolo', '-m', MODEL], {
  cwd: work,
  env: {
    ...baseEnv(home, trap.url),
    GEMINI_API_KEY: 'test-key',
    GOOGLE_GEMINI_BASE_URL: model.url,
    GEMINI_CLI_TRUST_WORKSPACE: 'true', // headless runs refuse untrusted folders
    // docs/agent-setup.md
    GEMINI_TELEMETRY_ENABLED: 'true',
    GEMINI_TELEMETRY_OTLP_ENDPOINT: `http://127.0.0.1:${svc.grpcPort}`,
    GEMINI_TELEMETRY_OTLP_PROTOCOL: 'grpc',
  },
  timeoutMs: 120_000,
});
await svc.normalizer.flush();

t.test('the CLI ran the script against the fake model', async (t) => {
  t.equal(run.timedOut, false, 'finished in time');
  t.equal(run.code, 0, run.stderr.slice(-2000));
  t.match(run.stdout, ANSWER);
  t.equal(requests.length, COMMANDS.length + 1, `five model calls: ${requests.map((r) => r.path).join(', ')}`);
  t.ok(requests.every((r) => r.path.startsWith(`/v1beta/models/${MODEL}:streamGenerateContent`)), 'streamed generateContent');
});

t.test('nothing went beyond loopback', async (t) => {
  t.same(trap.attempts, [], 'no request through the proxy trap');
});

t.test('every export was stored', async (t) => {
  const [logs] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM logs FINAL WHERE service_name = 'gemini-cli'`);
  const [spans] = await svc.rows<{ n: string; traces: string }>(`SELECT count() AS n, uniqExact(trace_id) AS traces FROM spans FINAL WHERE service_name = 'gemini-cli'`);
  t.ok(Number(logs.n) > 0, `${logs.n} log records`);
  t.equal(Number(spans.traces), 2 * COMMANDS.length + 1, 'a trace per model call and per tool batch');
  t.ok(Number(spans.n) > 0);
});

t.test('the scripted truth through the query API', async (t) => {
  await checkTruth(t, svc, { tool: 'run_shell_command', model: MODEL, agent: 'gemini-cli', service: 'gemini-cli' });
});

t.test('each tool call once: the tool_call span merged with its gemini_cli.tool_call event', async (t) => {
  const rows = await svc.rows<{ tool_call_id: string; tool_arguments: string; status: string; failure_modes: string[]; source: string }>(
    `SELECT tool_call_id, tool_arguments, status, failure_modes, source FROM operations FINAL WHERE service_name = 'gemini-cli' AND kind = 'tool' ORDER BY start_time`,
  );
  t.same(
    rows.map((r) => [JSON.parse(r.tool_arguments).command, r.status, r.source, r.tool_call_id !== '']),
    COMMANDS.map((c, i) => [c, i === 0 ? 'error' : 'ok', 'span+log', true]),
  );
  t.same(rows[0].failure_modes, ['tool_error'], 'exit code 1 (metadata.isError) is an error although the event says success=true');
  t.same(rows.slice(1).map((r) => r.failure_modes.includes('repeated_tool_call')), [false, true, false], 'flagged on the first repeat, across traces');
});
