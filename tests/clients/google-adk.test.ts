// Google ADK for TypeScript (@google/adk 2.0.0; see tests/clients/scenarios/google-adk.ts), an LlmAgent on a
// Gemini model playing the scripted run against the local fake model's Gemini API. ADK leaves the tool call
// that threw as a bare `execute_tool get_weather` span (no attribute, no error status, no exception event):
// its name comes from the span name, its arguments from the model call that asked for it, and its error from
// the next model request, where ADK sent it back as `functionResponse.response.error`. Gemini's upper-case
// schema types ("OBJECT") in the tool declarations do not make invalid_tool_arguments fire.
import t from 'tap';
import { ANSWER, USAGE } from '../helpers/fake-model.js';
import { apiGet, checkTruth, scriptTruth, tracesOf } from '../helpers/agent-truth.js';
import { runScenario } from '../helpers/run-scenario.js';
import { startTestService } from '../helpers/service.js';
import { GEMINI_MODEL, scenario } from './scenarios/google-adk.js';

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const result = await runScenario('google-adk', svc.httpUrl);
await svc.normalizer.flush();

t.test('the agent ran the script against the fake model', async (t) => {
  t.equal(result.answer, ANSWER);
  t.same(
    result.requests.map((r) => [r.path, r.results]),
    [0, 1, 2, 3, 4, 5].map((n) => [`/v1beta/models/${GEMINI_MODEL}:generateContent`, n]),
  );
});

// ADK's Gemini responses carry the model's name only in the request (the trace records the request model).
t.test('the scripted truth, through the query API', (t) => checkTruth(t, svc.httpUrl, { ...scriptTruth(scenario.service, scenario.agent), model: GEMINI_MODEL }));

t.test('each tool call with its name, arguments and outcome; the failed one with its error', async (t) => {
  const [trace, ...more] = await tracesOf(svc.httpUrl, scenario.service);
  t.equal(more.length, 0, 'one trace');
  const agents = trace.nodes.filter((n) => n.kind === 'agent' || n.kind === 'subagent');
  t.same(agents.map((n) => [n.kind, n.name, n.agent.depth]), [['agent', `invoke_agent ${scenario.agent}`, 0]], 'one agent, no subagent');
  const tools = trace.nodes.filter((n) => n.kind === 'tool') as unknown as {
    status: string;
    tool: { name: string; arguments: string; call_id: string };
    error?: { message: string };
    failures: { mode: string }[];
  }[];
  t.same(
    tools.map((n) => [n.tool.name, JSON.parse(n.tool.arguments), n.status, n.failures.map((f) => f.mode)]),
    [
      ['get_weather', { city: 'Paris' }, 'error', ['tool_error']],
      ['get_weather', { city: 'Paris' }, 'unset', []],
      ['search_docs', { query: 'umbrella' }, 'unset', []],
      ['search_docs', { query: 'umbrella' }, 'unset', ['repeated_tool_call']],
      ['search_docs', { query: 'umbrella' }, 'unset', []],
    ],
    'the retry after the failed call is not a repeat; the second identical search is (one finding, on the first repeat)',
  );
  t.equal(tools[0].error?.message, "Error in tool 'get_weather': weather service unavailable for Paris", 'the error ADK sent back to the model');
  t.ok(tools.slice(1).every((n) => n.tool.call_id.startsWith('adk-')), 'the calls that ran carry the id ADK gave them');
  const models = await apiGet<{ models: { provider: string; finish_reasons: Record<string, number>; input_tokens: number }[] }>(svc.httpUrl, `/api/v1/models/stats?service=${scenario.service}`);
  t.same(models.models.map((m) => [m.finish_reasons, m.input_tokens]), [[{ stop: 6 }, 6 * USAGE.input]], 'Gemini reports STOP for a function call too');
});
