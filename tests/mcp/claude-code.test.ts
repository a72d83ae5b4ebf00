// The real Claude Code CLI (npm @anthropic-ai/claude-code, pinned) with tracemill as its MCP server, offline:
// a scripted Messages API (fake-anthropic.ts) stands in for the model.
//  1. `claude mcp add tracemill -- node <cli> mcp --url …` then `claude mcp list`: Claude Code starts the
//     server and reports it connected.
//  2. `claude -p … --mcp-config`: the model request Claude Code sends lists tracemill's ten tools (so it
//     listed them over MCP); the scripted model calls failure_stats, Claude Code calls the tool, and the next
//     request carries the tool result with the figures tracemill computed.
// Claude Code's package declares node >=22, but what it runs is a native executable (bin/claude.exe) that does
// not use the Node.js it is installed with; 2.1.332 is the newest release and runs here under Node 20.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI } from '../helpers/child.js';
import { postCaptures, startTestService } from '../helpers/service.js';
import { startFakeAnthropic } from './fake-anthropic.js';

const CLAUDE = join(import.meta.dirname, '../../node_modules/.bin/claude');
const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
await postCaptures(svc.httpUrl, ['tools']);
await svc.normalizer.flush();

const home = mkdtempSync(join(tmpdir(), 'tracemill-claude-home-'));
t.teardown(() => rmSync(home, { recursive: true, force: true }));

function claude(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      CLAUDE,
      args,
      {
        cwd: home,
        timeout: 120_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          DISABLE_AUTOUPDATER: '1',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const serverArgs = [CLI, 'mcp', '--url', svc.httpUrl];

t.test('claude mcp add + list: Claude Code connects to tracemill', async (t) => {
  const add = await claude(['mcp', 'add', 'tracemill', '--', process.execPath, ...serverArgs]);
  t.equal(add.code, 0, add.stderr);
  const list = await claude(['mcp', 'list']);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /tracemill: .* - ✔ Connected/, 'reported connected');
});

t.test('claude -p: the model sees tracemill tools and gets a tool result', async (t) => {
  const model = await startFakeAnthropic('mcp__tracemill__failure_stats', { from: '2026-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' });
  t.teardown(() => model.close());
  const config = join(home, 'mcp.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { tracemill: { type: 'stdio', command: process.execPath, args: serverArgs } } }));
  const run = await claude(
    ['-p', 'What is my agent failing at?', '--mcp-config', config, '--strict-mcp-config', '--allowedTools', 'mcp__tracemill__failure_stats', '--output-format', 'json'],
    // Tool search would defer MCP tools behind a search tool; off, every tool is in the request.
    { ANTHROPIC_API_KEY: 'sk-ant-test-key', ANTHROPIC_BASE_URL: model.url, ENABLE_TOOL_SEARCH: 'false' },
  );
  t.equal(run.code, 0, run.stderr);
  const first = model.seen.find((r) => r.tools.some((n) => n.startsWith('mcp__tracemill__')));
  t.ok(first, 'a model request offered tracemill tools');
  t.same(
    first!.tools.filter((n) => n.startsWith('mcp__tracemill__')).sort(),
    ['compare', 'failure_stats', 'get_session', 'get_trace', 'list_alerts', 'list_failures', 'list_traces', 'model_stats', 'report', 'tool_stats'].map((n) => `mcp__tracemill__${n}`),
    'all ten tools, listed over MCP',
  );
  const withResult = model.seen.find((r) => r.toolResults.length);
  t.ok(withResult, 'Claude Code called the tool and sent its result back');
  const text = JSON.stringify(withResult!.toolResults);
  const stats = (await (await fetch(`${svc.httpUrl}/api/v1/failures/stats?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`)).json()) as { totals: { failures: number } };
  t.ok(stats.totals.failures > 0);
  t.match(text, `${stats.totals.failures} failure`, 'the result carries the figures the API gives');
  t.match(text, 'tool_error');
  t.equal((JSON.parse(run.stdout) as { is_error: boolean }).is_error, false);
});
