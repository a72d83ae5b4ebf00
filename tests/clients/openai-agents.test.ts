// The OpenAI Agents SDK (Responses API) with @arizeai/openinference-instrumentation-openai-agents, playing
// the scripted run against a local fake model (tests/clients/scenarios/openai-agents.ts). The SDK's trace
// root ("Agent workflow") is the workflow, not an agent: the agent is WeatherDocsAgent, with no subagent,
// and each turn span holds that turn's model call and tool call.
import t from 'tap';
import { ANSWER } from '../helpers/fake-model.js';
import { checkTruth, scriptTruth, tracesOf } from '../helpers/agent-truth.js';
import { runScenario } from '../helpers/run-scenario.js';
import { startTestService } from '../helpers/service.js';
import { scenario } from './scenarios/openai-agents.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const result = await runScenario('openai-agents', svc.httpUrl);
await svc.normalizer.flush();

t.test('the agent ran the script against the fake model', async (t) => {
  t.equal(result.answer, ANSWER);
  t.same(result.requests.map((r) => [r.path, r.results]), [0, 1, 2, 3, 4, 5].map((n) => ['/v1/responses', n]));
});

t.test('the scripted truth, through the query API', (t) => checkTruth(t, svc.httpUrl, scriptTruth(scenario.service, scenario.agent)));

t.test('the workflow holds the agent, the agent its turns, each turn its calls', async (t) => {
  const [trace, ...more] = await tracesOf(svc.httpUrl, scenario.service);
  t.equal(more.length, 0, 'one trace');
  const agents = trace.nodes.filter((n) => n.kind === 'agent' || n.kind === 'subagent');
  t.same(agents.map((n) => [n.kind, n.name, n.agent.depth]), [['agent', 'WeatherDocsAgent', 0]]);
  const turns = agents[0].children.filter((n) => n.name === 'turn');
  t.equal(turns.length, 6, 'six turns');
  t.same(
    turns.map((turn) => turn.children.map((c) => `${c.kind}:${c.tool?.name ?? ''}`)),
    [['llm:', 'tool:get_weather'], ['llm:', 'tool:get_weather'], ['llm:', 'tool:search_docs'], ['llm:', 'tool:search_docs'], ['llm:', 'tool:search_docs'], ['llm:']],
    'each turn: its model call, then the tool it asked for',
  );
});
