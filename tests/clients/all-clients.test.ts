// Every real-client scenario of tests/clients/scenarios against one service, each in its own process:
// no failure beyond the ones each scenario scripts. A false failure is worse than a missed one, so a
// detector that fires on any of these clean runs fails here.
import { readdirSync } from 'node:fs';
import t from 'tap';
import { modesOf } from '../helpers/agent-truth.js';
import { runScenario } from '../helpers/run-scenario.js';
import { startTestService } from '../helpers/service.js';
import type { Scenario } from './scenarios/types.js';

/**
 * The failures each scenario scripts (one failing tool call each; the fake-model script also repeats a call:
 * search_docs three times; the get_weather retry after its failure is not a repeat).
 */
const SCRIPTED: Record<string, Record<string, number>> = {
  'openai-agents': { tool_error: 1, repeated_tool_call: 1 },
  'langchain-openinference': { tool_error: 1, repeated_tool_call: 1 },
  'langchain-openllmetry': { tool_error: 1, repeated_tool_call: 1 },
  'openai-openllmetry': { tool_error: 1, repeated_tool_call: 1 },
  mastra: { tool_error: 1, repeated_tool_call: 1 },
  'google-adk': { tool_error: 1, repeated_tool_call: 1 },
  // No tool spans, one trace per request: nothing to find (see openai-openllmetry.test.ts).
  'openai-openllmetry-bare': {},
  'vercel-ai': { tool_error: 1 },
  openinference: { tool_error: 1 },
};

const dir = new URL('./scenarios/', import.meta.url);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'types.ts' && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();

t.same(names, Object.keys(SCRIPTED).sort(), 'every scenario has its scripted failures listed');

const svc = await startTestService({ settleMs: 60_000 });
t.teardown(() => svc.stop());
const services: Record<string, string> = {};
for (const name of names) {
  const { scenario } = (await import(`./scenarios/${name}.js`)) as { scenario: Scenario };
  services[name] = scenario.service;
  await runScenario(name, svc.httpUrl);
}
await svc.normalizer.flush();

for (const name of names) {
  t.test(name, async (t) => {
    t.same(await modesOf(svc.httpUrl, services[name]), SCRIPTED[name], 'failures by mode: exactly the scripted ones');
  });
}
