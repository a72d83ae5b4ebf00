// The alerts: section of the settings file and TRACEMILL_HARNESS_ATTRIBUTES: defaults, durations, and errors
// that name the file, the rule and the field.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { regressionVerdict } from '../../src/analysis/compare.js';
import { compareRates } from '../../src/analysis/significance.js';

const dir = mkdtempSync(join(tmpdir(), 'tracemill-alerts-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

t.test('a YAML alerts section with defaults filled in', async (t) => {
  const path = file(
    'ok.yaml',
    `logLevel: warn
alerts:
  detection:
    window: 30m
    baseline: preceding
    baseline_days: 3
  rules:
    - name: edit-file
      tools: [edit_file]
      modes: [invalid_tool_arguments, tool_error]
      cooldown: 2h
      destinations:
        - type: slack
          url: https://hooks.example.com/services/T000/B000/XXXX
        - type: webhook
          url: http://127.0.0.1:9000/alerts
          hmac_secret: 0123456789abcdef0123
          secret_header: { name: X-Token, value: s3cret }
`,
  );
  const c = loadConfig({ TRACEMILL_CONFIG: path });
  t.equal(c.logLevel, 'warn');
  t.equal(c.alerts?.detection.window, 30 * 60_000);
  t.equal(c.alerts?.detection.baseline, 'preceding');
  t.equal(c.alerts?.detection.interval, 60_000, 'default interval');
  t.equal(c.alerts?.detection.alpha, 0.01, 'default alpha');
  t.equal(c.alerts?.rules[0]?.cooldown, 2 * 3_600_000);
  t.equal(c.alerts?.rules[0]?.destinations[0]?.retries, 5, 'default retries');
  t.equal(c.alerts?.rules[0]?.destinations[1]?.secret_header?.name, 'X-Token');
  t.same(c.harnessAttributes, ['service.name', 'service.version'], 'default harness');
  t.same(loadConfig({ TRACEMILL_HARNESS_ATTRIBUTES: 'service.name, agent.harness.version' }).harnessAttributes, ['service.name', 'agent.harness.version']);
});

t.test("the README's alerts example is a valid settings file", async (t) => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const yaml = /```yaml\n(alerts:[\s\S]*?)```/.exec(readme)?.[1];
  t.ok(yaml, 'the README has the example');
  const c = loadConfig({ TRACEMILL_CONFIG: file('readme.yaml', yaml!) });
  t.equal(c.alerts?.rules[0]?.name, 'edit-tools');
  t.equal(c.alerts?.rules[0]?.destinations.length, 2);
  t.same(c.alerts?.detection, { ...c.alerts?.detection, interval: 60_000, window: 3_600_000, baseline_days: 7, alpha: 0.01, min_runs: 30, min_failures: 5, min_relative_change: 0.5 }, 'the defaults it shows are the defaults');
  t.same(loadConfig({ TRACEMILL_CONFIG: file('empty.yaml', 'alerts: {}\n') }).alerts?.detection, c.alerts?.detection);
});

t.test('errors name the file, the rule and the field', async (t) => {
  const bad = file(
    'bad.yaml',
    `alerts:
  rules:
    - name: pager
      modes: [tool_eror]
      destinations:
        - type: webhook
          url: ftp://example.com/x
`,
  );
  t.throws(() => loadConfig({ TRACEMILL_CONFIG: bad }), { message: new RegExp(`${bad.replace(/[.]/g, '\\.')}: alerts\\.rules\\[0\\] \\(rule "pager"\\)\\.modes\\.0`) });
  t.throws(() => loadConfig({ TRACEMILL_CONFIG: bad }), { message: /rule "pager"\)\.destinations\.0\.url: an http\(s\) URL/ });
  const unknown = file('unknown.json', JSON.stringify({ alerts: { rules: [{ name: 'x', destinations: [{ type: 'email', url: 'http://127.0.0.1/' }] }], detection: { window: '5 minutes' } } }));
  t.throws(() => loadConfig({ TRACEMILL_CONFIG: unknown }), { message: /unknown\.json: alerts\.detection\.window: "5 minutes" is not a duration/ });
  t.throws(() => loadConfig({ TRACEMILL_CONFIG: unknown }), { message: /rule "x"\)\.destinations\.0\.type/ });
  const extra = file('extra.yaml', 'alerts:\n  rules:\n    - name: y\n      destinations: [{ type: webhook, url: "http://127.0.0.1/", token: abc }]\n');
  t.throws(() => loadConfig({ TRACEMILL_CONFIG: extra }), { message: /rule "y"\)\.destinations\.0: Unrecognized key: "token"/ });
  t.throws(() => loadConfig({ TRACEMILL_HARNESS_ATTRIBUTES: 'service name' }), { message: /TRACEMILL_HARNESS_ATTRIBUTES/ });
});

t.test('the regression decision: significance, minimum count, minimum relative change', async (t) => {
  const th = { alpha: 0.01, min_runs: 30, min_failures: 5, min_relative_change: 0.5 };
  const row = (a: [number, number], b: [number, number], adjust = 1) => {
    const c = compareRates({ k: a[0], n: a[1] }, { k: b[0], n: b[1] });
    const adjusted_p = Math.min(1, c.p_value * adjust);
    return {
      mode: 'tool_error',
      dim: 'tool',
      value: 'edit_file',
      a: { runs: a[1], affected_runs: a[0], failures: a[0], rate: a[0] / a[1] },
      b: { runs: b[1], affected_runs: b[0], failures: b[0], rate: b[0] / b[1] },
      comparison: { ...c, adjusted_p, significant: adjusted_p < th.alpha },
      examples_b: [],
    };
  };
  t.equal(regressionVerdict(row([70, 1400], [105, 1100]), th).state, 'regression', '5% -> 9.5% on 1400 / 1100 runs');
  t.equal(regressionVerdict(row([7, 140], [10, 110]), th).state, 'normal', 'the same rates on a tenth of the runs: the interval reaches 0');
  t.equal(regressionVerdict(row([70, 1400], [105, 1100], 1e4), th).state, 'undecided', 'not significant after adjustment');
  t.equal(regressionVerdict(row([700, 14000], [660, 11000]), th).state, 'undecided', '5% -> 6%: significant, below the relative change');
  t.same(regressionVerdict(row([70, 1400], [105, 1100]), { ...th, min_failures: 106 }), { state: 'undecided', relative_change: 105 / 1100 / 0.05 - 1, reason: 'fewer than 106 affected runs' });
  t.equal(regressionVerdict(row([1, 10], [9, 10]), th).state, 'undecided', 'too few runs');
});
