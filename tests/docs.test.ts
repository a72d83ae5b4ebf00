// The README stays true to the code: the configuration table and the two commands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SETTINGS, configTable } from '../src/config.js';

const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');

t.test('README configuration table is the one generated from the settings schema', async (t) => {
  t.ok(readme.includes(configTable()), 'run `node dist/src/cli/main.js config --markdown` and paste it into README.md');
  for (const [env] of Object.values(SETTINGS)) t.match(readme, `\`${env}\``, env);
});

t.test('README gives the two commands exactly', async (t) => {
  t.match(readme, 'npm ci && npm start');
  t.match(readme, 'npm ci && npm test');
});

t.test('.ci/run runs the README test command', async (t) => {
  const ci = readFileSync(join(import.meta.dirname, '../.ci/run'), 'utf8');
  t.match(ci, 'npm ci && npm test');
  t.match(ci, 'passed, ${fail} failed');
});
