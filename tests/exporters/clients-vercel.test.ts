// The real Vercel AI SDK agent of tests/clients/scenarios/vercel-ai.ts (generateText with tools, a mock model
// from ai/test, telemetry on, NodeSDK exporting over OTLP/HTTP), run with a system prompt and text before its
// tool calls, exported back: openai-chat and trl hold the system prompt, the user's prompt and the messages
// the SDK itself reports in result.response.messages, with the same tool call ids, arguments and results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { writeExport } from '../../src/exporters/index.js';
import { VERCEL_PROMPT, runVercelAgent } from '../clients/scenarios/vercel-ai.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

const SYSTEM = 'You check weather and databases.';
const PROMPT = VERCEL_PROMPT;
const result = await runVercelAgent(svc.httpUrl, { system: SYSTEM, preamble: 'Let me look.' });
await svc.normalizer.flush();

const out = mkdtempSync(join(tmpdir(), 'tracemill-vercel-export-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));
const lines = (dir: string) =>
  readFileSync(join(out, dir, 'train.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { messages: Record<string, unknown>[]; tools: unknown[] });
const base = { from: new Date('2000-01-01T00:00:00Z'), service: 'vercel-agent', blamed: 'keep' } as const;

// The SDK's own record of the conversation: response.messages (assistant and tool messages of every step).
type Part = { type: string; text?: string; toolCallId?: string; toolName?: string; input?: unknown; output?: { type: string; value: unknown } };
const sdkMessages = result.response.messages as unknown as { role: string; content: string | Part[] }[];
const resultText = (o: Part['output']) => (typeof o?.value === 'string' ? o.value : JSON.stringify(o?.value));

t.test('the SDK ran both steps and reports the conversation', async (t) => {
  t.equal(result.steps.length, 2);
  t.same(sdkMessages.map((m) => m.role), ['assistant', 'tool', 'assistant']);
});

t.test('openai-chat: system, prompt and every message the SDK reports', async (t) => {
  const m = await writeExport(svc.store, { format: 'openai-chat', ...base }, join(out, 'openai'));
  t.equal(m.counts.examples, 1, JSON.stringify(m.counts));
  const [row] = lines('openai');
  const expected: unknown[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: PROMPT },
  ];
  for (const msg of sdkMessages) {
    const parts = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;
    if (msg.role === 'assistant') {
      const texts = parts.filter((p) => p.type === 'text').map((p) => p.text);
      const calls = parts.filter((p) => p.type === 'tool-call');
      expected.push({
        role: 'assistant',
        content: texts.length ? texts.join('') : null,
        ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.toolCallId, type: 'function', function: { name: c.toolName, arguments: JSON.stringify(c.input) } })) } : {}),
        weight: 1,
      });
    } else for (const p of parts) expected.push({ role: 'tool', tool_call_id: p.toolCallId, content: resultText(p.output) });
  }
  t.same(row.messages, expected);
  t.same(
    (row.tools as { function: { name: string } }[]).map((x) => x.function.name).sort(),
    ['queryDb', 'weather'],
  );
});

t.test('trl: the same conversation with arguments as objects', async (t) => {
  await writeExport(svc.store, { format: 'trl', ...base }, join(out, 'trl'));
  const [row] = lines('trl');
  const calls = sdkMessages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((p) => p.type === 'tool-call')));
  const assistantCalls = row.messages.flatMap((m) => (m.tool_calls as { id: string; function: { name: string; arguments: unknown } }[] | undefined) ?? []);
  t.same(
    assistantCalls,
    calls.map((c) => ({ id: c.toolCallId, type: 'function', function: { name: c.toolName, arguments: c.input } })),
  );
  const results = sdkMessages.flatMap((m) => (m.role === 'tool' && typeof m.content !== 'string' ? m.content : []));
  t.same(
    row.messages.filter((m) => m.role === 'tool'),
    results.map((p) => ({ role: 'tool', tool_call_id: p.toolCallId, name: p.toolName, content: resultText(p.output) })),
  );
});
