// LangSmith OTel, with the coding-agent-v1 metadata (ls_agent_type: subagent, compaction).
import t from 'tap';
import { langsmithSpans } from '../../src/normalize/dialects/langsmith.js';
import { normalizeSpans } from '../../src/normalize/index.js';
import { makeSpans } from './helpers.js';

const MD = 'langsmith.metadata.';

t.test('root chain, llm run, tool run, subagent, compaction', async (t) => {
  const spans = makeSpans([
    { name: 'Claude Code', spanId: '0000000000000001', attrs: { 'langsmith.span.kind': 'chain', [MD + 'ls_agent_type']: 'root', [MD + 'thread_id']: 'th1', [MD + 'ls_agent_runtime']: 'Claude Code' } },
    {
      name: 'ChatAnthropic',
      spanId: '0000000000000002',
      parentSpanId: '0000000000000001',
      attrs: {
        'langsmith.span.kind': 'llm',
        'gen_ai.operation.name': 'chat',
        [MD + 'ls_model_name']: 'claude-x',
        [MD + 'ls_provider']: 'anthropic',
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': 20,
        'gen_ai.usage.input_token_details': '{"cache_read": 80, "cache_creation": 4}',
        'gen_ai.prompt': '{"messages": [[{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"], "kwargs": {"content": "hello"}}]]}',
        'gen_ai.completion': '{"generations": [[{"text": "hi there", "message": {"lc": 1, "type": "constructor", "id": ["AIMessage"], "kwargs": {"content": "hi there"}}}]]}',
      },
    },
    { name: 'Agent', spanId: '0000000000000003', parentSpanId: '0000000000000001', attrs: { 'langsmith.span.kind': 'tool', [MD + 'ls_tool_name']: 'Agent', 'gen_ai.prompt': '{"subagent_type":"Explore"}', 'gen_ai.completion': '"done"' } },
    { name: 'Explore', spanId: '0000000000000004', parentSpanId: '0000000000000003', attrs: { 'langsmith.span.kind': 'chain', [MD + 'ls_agent_type']: 'subagent', [MD + 'ls_subagent_id']: 'ag1', [MD + 'ls_subagent_type']: 'Explore' } },
    { name: 'Context Compaction (auto)', spanId: '0000000000000005', parentSpanId: '0000000000000001', attrs: { 'langsmith.span.kind': 'chain', [MD + 'ls_agent_type']: 'compaction', 'gen_ai.completion': '{"compact_summary": "we did x"}' } },
  ]);
  for (const s of spans) t.ok(langsmithSpans.matches(s));
  const [root, llm, tool, sub, comp] = normalizeSpans(spans);
  t.match(root, { kind: 'agent', agentName: 'Claude Code', sessionId: 'th1' });
  t.match(llm, { kind: 'llm', requestModel: 'claude-x', provider: 'anthropic', inputTokens: 100, cacheReadTokens: 80, cacheWriteTokens: 4, sessionId: 'th1' });
  t.same(llm.inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'hello' }] }]);
  t.same(llm.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', text: 'hi there' }] }]);
  t.match(tool, { kind: 'tool', toolName: 'Agent', toolArguments: '{"subagent_type":"Explore"}' });
  t.match(sub, { kind: 'subagent', agentId: 'ag1', agentName: 'Explore', parentAgentId: root.agentId, depth: 1, toolName: 'Agent' });
  t.match(comp, { kind: 'compaction', compaction: { trigger: 'auto', estimated: false } });
});

t.test('negative', async (t) => {
  const [s] = makeSpans([{ name: 'x', spanId: '0000000000000001', attrs: { 'langsmith.trace.name': 'x' } }]);
  t.notOk(langsmithSpans.matches(s));
});
