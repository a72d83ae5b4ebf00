// Runs one scenario in its own process (each framework registers process-wide OpenTelemetry state):
//   node --import tsx tests/clients/scenarios/run.ts <scenario> <tracemill base URL>
// Prints one JSON line: the agent's answer and the requests the fake model served.
import { startFakeModel } from '../../helpers/fake-model.js';
import type { Scenario } from './types.js';

const [name, endpoint] = process.argv.slice(2);
if (!name || !endpoint) {
  process.stderr.write('usage: run.ts <scenario> <tracemill base URL>\n');
  process.exit(2);
}
const { scenario } = (await import(`./${name}.js`)) as { scenario: Scenario };
const model = await startFakeModel();
try {
  const answer = await scenario.run(endpoint, model);
  process.stdout.write(JSON.stringify({ answer, requests: model.requests }) + '\n');
} finally {
  await model.close();
}
