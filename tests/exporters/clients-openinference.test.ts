// The OpenInference-instrumented agent of tests/clients/scenarios/openinference.ts (the real `openai` client patched by
// @arizeai/openinference-instrumentation-openai, a local OpenAI-compatible server over a socket, NodeSDK exporting
// to the service), exported back: openai-chat, trl and sharegpt hold the conversation the agent sent, message
// for message, with the same tool call ids, arguments and results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { writeExport } from '../../src/exporters/index.js';
import { runOpenInferenceAgent } from '../clients/scenarios/openinference.js';
import { startTestService } from '../helpers/service.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());

/** The conversation exactly as the agent sent it to the model (and got back). */
const { messages: sent } = await runOpenInferenceAgent(svc.httpUrl, { system: 'You inspect files.\nBe brief.' });
await svc.normalizer.flush();

const out = mkdtempSync(join(tmpdir(), 'tracemill-oi-export-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));
const lines = (dir: string) =>
  readFileSync(join(out, dir, 'train.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { messages: Record<string, unknown>[]; conversations?: { from: string; value: string }[] });
const base = { from: new Date('2000-01-01T00:00:00Z'), service: 'openinference-agent', blamed: 'keep' } as const;

// The expected lines are written from `sent`, the client's own message list.
type Sent = { role: string; content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };
const history = sent as unknown as Sent[];

t.test('openai-chat: the messages the agent sent, identical', async (t) => {
  const m = await writeExport(svc.store, { format: 'openai-chat', ...base }, join(out, 'openai'));
  t.equal(m.counts.examples, 1, JSON.stringify(m.counts));
  const [row] = lines('openai');
  t.same(
    row.messages,
    history.map((x) =>
      x.role === 'assistant'
        ? { role: 'assistant', content: x.content ?? null, ...(x.tool_calls ? { tool_calls: x.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } })) } : {}), weight: 1 }
        : x.role === 'tool'
          ? { role: 'tool', tool_call_id: x.tool_call_id, content: x.content }
          : { role: x.role, content: x.content },
    ),
  );
});

t.test('trl: the same, arguments as objects and tool messages naming the tool', async (t) => {
  await writeExport(svc.store, { format: 'trl', ...base }, join(out, 'trl'));
  const [row] = lines('trl');
  const names = new Map(history.flatMap((x) => (x.tool_calls ?? []).map((c) => [c.id, c.function.name] as const)));
  t.same(
    row.messages,
    history.map((x) =>
      x.role === 'assistant'
        ? {
            role: 'assistant',
            ...(x.content ? { content: x.content } : {}),
            ...(x.tool_calls ? { tool_calls: x.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: JSON.parse(c.function.arguments) } })) } : {}),
          }
        : x.role === 'tool'
          ? { role: 'tool', tool_call_id: x.tool_call_id, name: names.get(x.tool_call_id ?? ''), content: x.content }
          : { role: x.role, content: x.content },
    ),
  );
});

t.test('sharegpt: the same turns, as LLaMA-Factory reads them', async (t) => {
  await writeExport(svc.store, { format: 'sharegpt', ...base }, join(out, 'sharegpt'));
  const [row] = lines('sharegpt');
  const turns: { from: string; value: string }[] = [];
  let results: string[] = [];
  for (const x of history) {
    if (x.role !== 'tool' && results.length) {
      turns.push({ from: 'observation', value: results.length === 1 ? results[0] : JSON.stringify(results) });
      results = [];
    }
    if (x.role === 'system') turns.push({ from: 'system', value: x.content ?? '' });
    else if (x.role === 'user') turns.push({ from: 'human', value: x.content ?? '' });
    else if (x.role === 'tool') results.push(x.content ?? '');
    else if (x.tool_calls) {
      const calls = x.tool_calls.map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) }));
      turns.push({ from: 'function_call', value: JSON.stringify(calls.length === 1 ? calls[0] : calls) });
    } else turns.push({ from: 'gpt', value: x.content ?? '' });
  }
  t.same(row.conversations, turns);
});
