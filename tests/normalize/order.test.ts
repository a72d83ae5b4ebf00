// Detection order: overlapping fingerprints resolve to the more specific dialect.
import t from 'tap';
import { SPAN_DIALECTS } from '../../src/normalize/dialects/index.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { exampleSpans, makeSpans } from './helpers.js';

t.test('documented order', async (t) => {
  t.same(
    SPAN_DIALECTS.map((d) => d.name),
    ['claude-code', 'openinference', 'langsmith', 'openllmetry', 'vercel-ai', 'mastra', 'gemini-cli', 'codex', 'google-adk', 'pydantic-ai', 'strands', 'otel-genai'],
  );
});

t.test('each example is claimed by its own dialect', async (t) => {
  const expected: Record<string, string> = {
    'otel-genai-inference-span': 'otel-genai',
    'otel-genai-failed-tool': 'otel-genai',
    'openinference-llm': 'openinference',
    'openinference-claude-sdk-subagent': 'openinference',
    'vercel-ai-legacy': 'vercel-ai',
    'vercel-ai-v7-subagent': 'vercel-ai',
    'openllmetry-legacy': 'openllmetry',
    'claude-code-subagent-spans': 'claude-code',
    'gemini-cli-tool-span': 'gemini-cli',
  };
  for (const [name, dialect] of Object.entries(expected)) {
    const ops = normalizeSpans(exampleSpans(name));
    t.same([...new Set(ops.map((o) => o.dialect))], [dialect], name);
  }
});

t.test('overlaps', async (t) => {
  const ops = normalizeSpans(
    makeSpans([
      // OpenInference wins for the kind even with gen_ai.*; gen_ai.* fills its gaps.
      { name: 'a', spanId: '0000000000000001', attrs: { 'openinference.span.kind': 'TOOL', 'gen_ai.operation.name': 'chat', 'tool.name': 't', 'gen_ai.tool.call.id': 'x' } },
      // Claude Code spans carry gen_ai.* too.
      { name: 'claude_code.llm_request', spanId: '0000000000000002', attrs: { 'gen_ai.operation.name': 'chat', 'session.id': 's', input_tokens: 1 } },
      // OpenLLMetry legacy carries gen_ai.system + indexed prompts.
      { name: 'openai.chat', spanId: '0000000000000003', attrs: { 'gen_ai.system': 'openai', 'gen_ai.prompt.0.content': 'hi' } },
      // LangSmith before OpenLLMetry: LangSmith ingest also maps gen_ai.prompt.N.
      { name: 'b', spanId: '0000000000000004', attrs: { 'langsmith.span.kind': 'llm', 'gen_ai.prompt.0.role': 'user' } },
      // Strands spans are semconv-shaped but the framework is named.
      { name: 'chat', spanId: '0000000000000005', attrs: { 'gen_ai.system': 'strands-agents', 'gen_ai.operation.name': 'chat' } },
      // Nothing recognizable.
      { name: 'SELECT users', spanId: '0000000000000006', attrs: { 'db.system': 'postgresql' } },
    ]),
  );
  t.same(
    ops.map((o) => [o.dialect, o.kind]),
    [
      ['openinference', 'tool'],
      ['claude-code', 'llm'],
      ['openllmetry', 'llm'],
      ['langsmith', 'llm'],
      ['strands', 'llm'],
      ['unknown', 'other'],
    ],
  );
  t.equal(ops[0].toolCallId, 'x', 'gen_ai.* as a fallback');
  t.same(ops[5], { ...ops[5], name: 'SELECT users', agentId: '', sessionId: '', inputTokens: null }, 'unknown spans are not read');
});
