// The real Codex CLI (@openai/codex 0.171.0, the newest release; its engines field says node >=16 and the
// npm package runs a prebuilt native binary, so it runs here on Node 20) in headless `codex exec`, against a
// local fake model: a custom model provider on the Responses API (streaming SSE). Telemetry is configured the
// way docs/agent-setup.md says, in a temporary CODEX_HOME/config.toml [otel] table, to this test's tracemill.
// The scripted task and its truth are in agent-cli.ts; checked through the public query API.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { ANSWER, COMMANDS, INPUT_TOKENS, OUTPUT_TOKENS, PROMPT, baseEnv, checkTruth, listen, phoneHomeTrap, runBounded, tempDir } from './agent-cli.js';

const CODEX = createRequire(import.meta.url).resolve('@openai/codex/bin/codex.js');
const MODEL = 'fake-codex-model';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

// The fake Responses API: the reply depends only on how many tool outputs the request carries back.
const requests: { path: string; body: Record<string, unknown> }[] = [];
let n = 0;
const model = await listen(t, (req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    requests.push({ path: req.url ?? '', body });
    if (req.method !== 'POST' || !req.url?.endsWith('/responses')) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    const input = (body.input ?? []) as { type?: string }[];
    const done = input.filter((i) => i.type === 'function_call_output').length;
    const id = `resp_${++n}`;
    const item =
      done < COMMANDS.length
        ? { type: 'function_call', id: `fc_${n}`, call_id: `call_${n}`, name: 'exec_command', arguments: JSON.stringify({ cmd: COMMANDS[done] }), status: 'completed' }
        : { type: 'message', id: `msg_${n}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: ANSWER, annotations: [] }] };
    const usage = {
      input_tokens: INPUT_TOKENS,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: OUTPUT_TOKENS,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: INPUT_TOKENS + OUTPUT_TOKENS,
    };
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send('response.created', { response: { id, object: 'response', status: 'in_progress', output: [] } });
    send('response.output_item.added', { output_index: 0, item });
    send('response.output_item.done', { output_index: 0, item });
    send('response.completed', { response: { id, object: 'response', status: 'completed', output: [item], usage } });
    res.end();
  });
});

const trap = await phoneHomeTrap(t);
const home = tempDir(t, 'tracemill-codex-home-');
const codexHome = join(home, '.codex');
const work = join(home, 'work');
mkdirSync(codexHome, { recursive: true });
mkdirSync(work);
// docs/agent-setup.md's [otel] table, plus the fake provider; no update check, no analytics, and no plugins
// (enabled by default, they sync a curated catalog from github.com and chatgpt.com at startup).
writeFileSync(
  join(codexHome, 'config.toml'),
  `model = "${MODEL}"
model_provider = "fake"
check_for_update_on_startup = false

[model_providers.fake]
name = "Fake"
base_url = "${model.url}/v1"
wire_api = "responses"
env_key = "FAKE_MODEL_API_KEY"

[analytics]
enabled = false

[features]
plugins = false

[otel]
log_user_prompt = true
exporter = { otlp-http = { endpoint = "${svc.httpUrl}/v1/logs", protocol = "binary" } }
metrics_exporter = { otlp-http = { endpoint = "${svc.httpUrl}/v1/metrics", protocol = "binary" } }
trace_exporter = { otlp-http = { endpoint = "${svc.httpUrl}/v1/traces", protocol = "binary" } }
`,
);

// Headless exec without the sandbox: Codex's Linux sandbox (landlock/seccomp) is not what is under test and
// may be unavailable in a container; the commands are the harmless scripted ones.
const run = await runBounded(process.execPath, [CODEX, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', PROMPT], {
  cwd: work,
  env: { ...baseEnv(home, trap.url), CODEX_HOME: codexHome, FAKE_MODEL_API_KEY: 'test-key' },
  timeoutMs: 120_000,
});
await svc.normalizer.flush();

t.test('the CLI ran the script against the fake model', async (t) => {
  t.equal(run.timedOut, false, 'finished in time');
  t.equal(run.code, 0, run.stderr.slice(-2000));
  t.match(run.stdout + run.stderr, ANSWER);
  const calls = requests.filter((r) => r.path.endsWith('/responses'));
  t.equal(calls.length, COMMANDS.length + 1, 'five model calls');
  t.ok(calls.every((c) => c.body.model === MODEL && c.body.stream === true), 'streaming Responses API');
  const tools = (calls[0].body.tools ?? []) as { name?: string }[];
  t.ok(tools.some((d) => d.name === 'exec_command'), 'the shell tool is exec_command');
});

t.test('nothing went beyond loopback', async (t) => {
  t.same(trap.attempts, [], 'no request through the proxy trap');
  // Codex reports turn costs to the provider's own base URL: it reached the fake model, nothing else.
  t.ok(requests.every((r) => r.path.startsWith('/v1/')), requests.map((r) => r.path).join(', '));
});

t.test('every export was stored', async (t) => {
  const [logs] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM logs FINAL WHERE service_name = 'codex_exec'`);
  const [spans] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM spans FINAL WHERE service_name = 'codex_exec'`);
  t.ok(Number(logs.n) > 0 && Number(spans.n) > 0, `${logs.n} log records, ${spans.n} spans`);
});

t.test('the scripted truth through the query API', async (t) => {
  await checkTruth(t, svc, { tool: 'exec_command', model: MODEL, agent: 'codex', service: 'codex_exec' });
});

t.test('the failed command is the error, the repeats are the echo calls', async (t) => {
  const rows = await svc.rows<{ tool_call_id: string; tool_arguments: string; status: string; failure_modes: string[]; source: string }>(
    `SELECT tool_call_id, tool_arguments, status, failure_modes, source FROM operations FINAL WHERE service_name = 'codex_exec' AND kind = 'tool' ORDER BY start_time`,
  );
  t.same(
    rows.map((r) => [JSON.parse(r.tool_arguments).cmd, r.status, r.source]),
    COMMANDS.map((c, i) => [c, i === 0 ? 'error' : 'ok', 'span+log']),
    'each call once: the dispatch span merged with its codex.tool_result event',
  );
  t.same(rows[0].failure_modes, ['tool_error'], 'exit code 1 in the output is an error although Codex says success=true');
  t.same(rows.slice(1).map((r) => r.failure_modes.includes('repeated_tool_call')), [false, true, false], 'flagged on the first repeat');
});
