// The plain `openai` client with OpenLLMetry's openai instrumentation (@traceloop/instrumentation-openai),
// playing the scripted run against a local fake model, twice:
//  - as docs/agent-setup.md recommends (tests/clients/scenarios/openai-openllmetry.ts): the app adds an
//    invoke_agent span and an execute_tool span per call, and gets the whole truth;
//  - bare (openai-openllmetry-bare.ts): the instrumentation alone. Each model call is then a trace of its
//    own, and none is an unfinished run.
import t from 'tap';
import { ANSWER } from '../helpers/fake-model.js';
import { apiGet, checkTruth, modesOf, scriptTruth, tracesOf } from '../helpers/agent-truth.js';
import { runScenario } from '../helpers/run-scenario.js';
import { startTestService } from '../helpers/service.js';
import { scenario as bare } from './scenarios/openai-openllmetry-bare.js';
import { scenario } from './scenarios/openai-openllmetry.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const result = await runScenario('openai-openllmetry', svc.httpUrl);
const bareResult = await runScenario('openai-openllmetry-bare', svc.httpUrl);
await svc.normalizer.flush();

t.test('both runs played the script against the fake model', async (t) => {
  for (const r of [result, bareResult]) {
    t.equal(r.answer, ANSWER);
    t.same(r.requests.map((x) => [x.path, x.results]), [0, 1, 2, 3, 4, 5].map((n) => ['/v1/chat/completions', n]));
  }
});

t.test('recommended set-up: the scripted truth, through the query API', (t) => checkTruth(t, svc.httpUrl, scriptTruth(scenario.service, scenario.agent)));

t.test('recommended set-up: in the tree each tool call sits between the call that asked for it and the next', async (t) => {
  const [trace] = await tracesOf(svc.httpUrl, scenario.service);
  const agent = trace.nodes.find((n) => n.kind === 'agent');
  t.same(
    agent?.children.map((n) => (n.kind === 'tool' ? n.tool?.name : n.kind)),
    ['llm', 'get_weather', 'llm', 'get_weather', 'llm', 'search_docs', 'llm', 'search_docs', 'llm', 'search_docs', 'llm'],
  );
});

t.test('bare: what the instrumentation alone carries', async (t) => {
  const truth = scriptTruth(bare.service, '');
  // No span records a tool call (the openai instrumentation traces requests only), so there are no tool
  // statistics and no tool_error; each request is its own trace with no conversation id, so the three
  // identical search_docs calls are in three traces and repeated_tool_call cannot be seen either.
  await checkTruth(t, svc.httpUrl, { ...truth, tools: {}, modes: [] });
  const traces = await tracesOf(svc.httpUrl, bare.service);
  t.equal(traces.length, 6, 'one trace per model call');
  t.same(await modesOf(svc.httpUrl, bare.service), {}, 'no unfinished_run on single completed calls');
  const models = await apiGet<{ models: { finish_reasons: Record<string, number> }[] }>(svc.httpUrl, `/api/v1/models/stats?service=${bare.service}`);
  t.same(models.models[0].finish_reasons, { tool_call: 5, stop: 1 });
});
