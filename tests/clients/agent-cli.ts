// Shared parts of the real coding-agent CLI tests (codex-cli.test.ts, gemini-cli.test.ts): running a CLI
// binary headless with a bounded time, a trap that records any attempt to reach the network through a proxy,
// and the scripted truth both CLIs are checked against through the public query API.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { TestService } from '../helpers/service.js';

/** The scripted task: the shell tool fails on `cat missing.txt`, then runs `echo ok` three times, then answers. */
export const PROMPT = 'Run `cat missing.txt`, then `echo ok` three times, then answer.';
export const COMMANDS = ['cat missing.txt', 'echo ok', 'echo ok', 'echo ok'];
export const ANSWER = 'Done: missing.txt does not exist, and echo printed ok three times.';
export const INPUT_TOKENS = 100;
export const OUTPUT_TOKENS = 10;

export function tempDir(t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts an HTTP server on 127.0.0.1, port 0, closed at teardown. */
export async function listen(t: Test, handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * A proxy that lets nothing through: the CLIs get it as HTTP(S)_PROXY (loopback excluded by NO_PROXY), so an
 * update check or a phone-home to any outside host lands here, is refused, and is recorded.
 */
export async function phoneHomeTrap(t: Test): Promise<{ url: string; attempts: string[] }> {
  const attempts: string[] = [];
  const { server, url } = await listen(t, (req, res) => {
    attempts.push(`${req.method} ${req.url}`);
    res.writeHead(403).end();
  });
  server.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket) => {
    attempts.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  return { url, attempts };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a binary with stdin closed, a clean environment, and a deadline after which it is killed. */
export function runBounded(command: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** The environment every CLI run gets: nothing inherited but PATH, network only to loopback. */
export function baseEnv(home: string, trapUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: '1',
    HTTP_PROXY: trapUrl,
    HTTPS_PROXY: trapUrl,
    ALL_PROXY: trapUrl,
    http_proxy: trapUrl,
    https_proxy: trapUrl,
    NO_PROXY: '127.0.0.1,localhost,::1',
    no_proxy: '127.0.0.1,localhost,::1',
  };
}

const RANGE = () => `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`;

async function get<T>(svc: TestService, path: string): Promise<T> {
  const res = await fetch(`${svc.httpUrl}${path}`);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface TraceSummary {
  trace_id: string;
  session_id: string;
  agent: string;
  llm_calls: number;
  tool_calls: number;
  subagents: number;
  failure_modes: string[];
  input_tokens: number;
  output_tokens: number;
}

/**
 * The scripted truth, read back through /api/v1: 4 shell calls with 1 error, 5 LLM calls of 100/10 tokens,
 * failure modes tool_error and repeated_tool_call and no other, one conversation, the agent's name on every
 * trace, no subagent.
 */
export async function checkTruth(t: Test, svc: TestService, expect: { tool: string; model: string; agent: string; service: string }): Promise<void> {
  const q = `${RANGE()}&service=${encodeURIComponent(expect.service)}`;
  const tools = await get<{ tools: { tool: string; calls: number; errors: number; repeated_calls: number }[] }>(svc, `/api/v1/tools/stats?${q}`);
  t.same(
    tools.tools.map((r) => [r.tool, r.calls, r.errors, r.repeated_calls]),
    [[expect.tool, COMMANDS.length, 1, 1]],
    'tools/stats: the shell tool, 4 calls, 1 error, the repeat flagged once',
  );

  const models = await get<{ models: { model: string; calls: number; input_tokens: number; output_tokens: number; errors: number; cost_usd: number }[] }>(svc, `/api/v1/models/stats?${q}`);
  t.same(
    models.models.map((r) => [r.model, r.calls, r.input_tokens, r.output_tokens, r.errors]),
    [[expect.model, COMMANDS.length + 1, (COMMANDS.length + 1) * INPUT_TOKENS, (COMMANDS.length + 1) * OUTPUT_TOKENS, 0]],
    'models/stats: 5 calls, 100 input / 10 output tokens each',
  );

  const failures = await get<{ rows: { mode: string; failures: number }[] }>(svc, `/api/v1/failures/stats?${q}&group_by=mode`);
  t.same(
    Object.fromEntries(failures.rows.filter((r) => r.failures > 0).map((r) => [r.mode, r.failures])),
    { tool_error: 1, repeated_tool_call: 1 },
    'failures/stats: tool_error and repeated_tool_call, nothing else',
  );

  const traces = (await get<{ traces: TraceSummary[] }>(svc, `/api/v1/traces?${q}&limit=500`)).traces;
  t.ok(traces.length >= 1, 'traces listed');
  t.ok(traces.every((s) => s.trace_id !== ''), 'no trace with an empty id');
  const sessions = [...new Set(traces.map((s) => s.session_id))];
  t.equal(sessions.length, 1, `one conversation (${sessions.join(', ')})`);
  t.not(sessions[0], '', 'the conversation is named');
  t.same([...new Set(traces.map((s) => s.agent))], [expect.agent], "the agent's name on every trace");
  const sum = (f: (s: TraceSummary) => number) => traces.reduce((n, s) => n + f(s), 0);
  t.same(
    [sum((s) => s.llm_calls), sum((s) => s.tool_calls), sum((s) => s.subagents), sum((s) => s.input_tokens), sum((s) => s.output_tokens)],
    [COMMANDS.length + 1, COMMANDS.length, 0, (COMMANDS.length + 1) * INPUT_TOKENS, (COMMANDS.length + 1) * OUTPUT_TOKENS],
    'over the traces: 5 LLM calls, 4 tool calls, no subagent, the tokens',
  );
  t.same([...new Set(traces.flatMap((s) => s.failure_modes))].sort(), ['repeated_tool_call', 'tool_error']);

  const session = await get<{ traces: TraceSummary[] }>(svc, `/api/v1/sessions/${encodeURIComponent(sessions[0])}`);
  t.same(session.traces.map((s) => s.trace_id).sort(), traces.map((s) => s.trace_id).sort(), '/sessions lists the same traces');
}
