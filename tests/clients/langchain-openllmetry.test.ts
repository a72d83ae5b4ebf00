// LangChain 1.x createAgent traced by OpenLLMetry (@traceloop/node-server-sdk, LangChain and openai
// instrumentations), playing the scripted run against a local fake model
// (tests/clients/scenarios/langchain-openllmetry.ts), in the set-up docs/agent-setup.md recommends: the
// run wrapped in traceloop.withAgent. (The LangChain instrumentation starts its spans from the active
// context, which LangChain's callbacks lose: without the wrapper every span is a trace of its own.)
// Each request is one LLM call although both the LangChain chat span and the openai client span record it;
// the tool spans (execute_tool, traceloop.span.kind=task) are tool calls, and the one that threw, which
// names only LangChain's wrapper class, gets its tool's name from the model's request.
import t from 'tap';
import { ANSWER } from '../helpers/fake-model.js';
import { checkTruth, scriptTruth, tracesOf } from '../helpers/agent-truth.js';
import { runScenario } from '../helpers/run-scenario.js';
import { startTestService } from '../helpers/service.js';
import { scenario } from './scenarios/langchain-openllmetry.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const result = await runScenario('langchain-openllmetry', svc.httpUrl);
await svc.normalizer.flush();

t.test('the agent ran the script against the fake model', async (t) => {
  t.equal(result.answer, ANSWER);
  t.same(result.requests.map((r) => [r.path, r.results]), [0, 1, 2, 3, 4, 5].map((n) => ['/v1/chat/completions', n]));
});

t.test('the scripted truth, through the query API', (t) => checkTruth(t, svc.httpUrl, scriptTruth(scenario.service, scenario.agent)));

t.test('each tool call names its tool and the call it answered', async (t) => {
  const [trace, ...more] = await tracesOf(svc.httpUrl, scenario.service);
  t.equal(more.length, 0, 'one trace');
  const tools = trace.nodes.filter((n) => n.kind === 'tool');
  t.same(
    tools.map((n) => [n.tool?.name, (n.tool as { call_id?: string } | undefined)?.call_id, JSON.parse(n.tool?.arguments ?? 'null')]),
    [
      ['get_weather', 'call_weather_1', { city: 'Paris' }],
      ['get_weather', 'call_weather_2', { city: 'Paris' }],
      ['search_docs', 'call_docs_1', { query: 'umbrella' }],
      ['search_docs', 'call_docs_2', { query: 'umbrella' }],
      ['search_docs', 'call_docs_3', { query: 'umbrella' }],
    ],
  );
  // The LangChain chat spans stay, as containers: six LLM calls (checked above) from twelve chat spans. Under
  // load OpenLLMetry sometimes ends a chat span after the flush (LangChain's callbacks run in the
  // background), so not all six always arrive.
  const chats = trace.nodes.filter((n) => n.name.startsWith('chat '));
  t.equal(chats.filter((n) => n.kind === 'llm').length, 6, 'six chat spans are the LLM calls');
  t.ok(chats.filter((n) => n.kind === 'other').length >= 1, 'the others are containers');
});
