// Mastra 0.24 with @mastra/otel-exporter 0.3 (the newest on Node 20; see tests/clients/scenarios/mastra.ts),
// playing the scripted run against a local fake model. Each model step (one per request, with its response
// id) is an LLM call; the generation that holds them is their container; the agent is named by
// gen_ai.agent.id.
import t from 'tap';
import { ANSWER } from '../helpers/fake-model.js';
import { apiGet, checkTruth, scriptTruth, tracesOf } from '../helpers/agent-truth.js';
import { runScenario } from '../helpers/run-scenario.js';
import { startTestService } from '../helpers/service.js';
import { scenario } from './scenarios/mastra.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const result = await runScenario('mastra', svc.httpUrl);
await svc.normalizer.flush();

t.test('the agent ran the script against the fake model', async (t) => {
  t.equal(result.answer, ANSWER);
  t.same(result.requests.map((r) => [r.path, r.results]), [0, 1, 2, 3, 4, 5].map((n) => ['/v1/chat/completions', n]));
});

t.test('the scripted truth, through the query API', (t) => checkTruth(t, svc.httpUrl, scriptTruth(scenario.service, scenario.agent)));

t.test('six model steps with their finish reasons, each tool call with the call it answered', async (t) => {
  const models = await apiGet<{ models: { provider: string; finish_reasons: Record<string, number> }[] }>(svc.httpUrl, `/api/v1/models/stats?service=${scenario.service}`);
  t.same(models.models.map((m) => [m.provider, m.finish_reasons]), [['openai', { tool_call: 5, stop: 1 }]]);
  const [trace] = await tracesOf(svc.httpUrl, scenario.service);
  t.same(
    trace.nodes.filter((n) => n.kind === 'tool').map((n) => [n.tool?.name, (n.tool as { call_id?: string } | undefined)?.call_id]),
    [
      ['get_weather', 'call_weather_1'],
      ['get_weather', 'call_weather_2'],
      ['search_docs', 'call_docs_1'],
      ['search_docs', 'call_docs_2'],
      ['search_docs', 'call_docs_3'],
    ],
  );
});
