// LangChain 1.x createAgent (LangGraph) on ChatOpenAI with @arizeai/openinference-instrumentation-langchain,
// playing the scripted run against a local fake model (tests/clients/scenarios/langchain-openinference.ts).
// The agent's name comes from `metadata.lc_agent_name`, the provider from `metadata.ls_provider`, and the
// tool calls take the call id and JSON arguments of LangGraph's tool task (the TOOL span itself logs a
// single-argument tool's input as the bare value, `Paris`).
import t from 'tap';
import { ANSWER } from '../helpers/fake-model.js';
import { apiGet, checkTruth, scriptTruth, tracesOf } from '../helpers/agent-truth.js';
import { runScenario } from '../helpers/run-scenario.js';
import { startTestService } from '../helpers/service.js';
import { scenario } from './scenarios/langchain-openinference.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const result = await runScenario('langchain-openinference', svc.httpUrl);
await svc.normalizer.flush();

t.test('the agent ran the script against the fake model', async (t) => {
  t.equal(result.answer, ANSWER);
  t.same(result.requests.map((r) => [r.path, r.results]), [0, 1, 2, 3, 4, 5].map((n) => ['/v1/chat/completions', n]));
});

t.test('the scripted truth, through the query API', (t) => checkTruth(t, svc.httpUrl, scriptTruth(scenario.service, scenario.agent)));

t.test('provider, and each tool call with its id and JSON arguments', async (t) => {
  const models = await apiGet<{ models: { provider: string }[] }>(svc.httpUrl, `/api/v1/models/stats?service=${scenario.service}`);
  t.same(models.models.map((m) => m.provider), ['openai']);
  const [trace] = await tracesOf(svc.httpUrl, scenario.service);
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
  t.equal(trace.nodes.filter((n) => n.kind === 'other' && n.tool).length, 0, 'the graph node that ran a call is not a second tool call');
});
