// User rules: validation errors that name the rule and field, JSON and YAML, precedence over dialects.
import t from 'tap';
import { z } from 'zod';
import { RulesError, RulesFileSchema, normalizeLogs, normalizeSpans, parseRules } from '../../src/normalize/index.js';
import { makeLogs, makeSpans } from './helpers.js';

const YAML = `
version: 1
rules:
  - name: harness-llm
    match: { nameRegex: "^llm\\\\.call", attributes: { harness.kind: llm } }
    kind: llm
    fields:
      requestModel: harness.model
      provider: { const: openai }
      inputTokens: [harness.usage.in, harness.usage.prompt]
      outputTokens: harness.usage.out
      costUsd: harness.cost
      inputMessages: harness.prompt
      outputMessages: harness.completion
      sessionId: harness.session
      finishReason: harness.stop
  - name: harness-tool
    match: { namePrefix: "tool:" }
    kind: tool
    fields:
      toolName: $name
      toolArguments: harness.args
      toolResult: harness.result
      success: harness.ok
      errorMessage: harness.err
  - name: compaction-event
    match: { signal: log, name: harness.compacted }
    kind: compaction
    fields:
      compactionTrigger: reason
      compactionTokensBefore: before
      compactionTokensAfter: after
      sessionId: session
`;

t.test('a YAML rules file maps a harness to kinds and fields, before the built-in dialects', async (t) => {
  const rules = parseRules(YAML);
  t.equal(rules.spans.length, 2);
  t.equal(rules.logs.length, 1);
  const ops = normalizeSpans(
    makeSpans([
      {
        name: 'llm.call',
        spanId: '0000000000000001',
        attrs: {
          'harness.kind': 'llm',
          'harness.model': 'gpt-5',
          'harness.usage.prompt': '120',
          'harness.usage.out': 8,
          'harness.cost': '0.002',
          'harness.prompt': '[{"role":"user","content":"hi"}]',
          'harness.completion': 'hello',
          'harness.session': 's9',
          'harness.stop': 'end_turn',
          // Also looks like semconv: the rule still wins, semconv fills the rest.
          'gen_ai.operation.name': 'chat',
          'gen_ai.response.id': 'resp-1',
        },
      },
      { name: 'tool:grep', spanId: '0000000000000002', parentSpanId: '0000000000000001', attrs: { 'harness.args': { pattern: 'x' }, 'harness.ok': 'false', 'harness.err': 'no match' } },
      { name: 'llm.call', spanId: '0000000000000003', attrs: { 'harness.kind': 'embedding' } },
    ]),
    rules,
  );
  t.match(ops[0], {
    kind: 'llm',
    dialect: 'rule:harness-llm',
    requestModel: 'gpt-5',
    provider: 'openai',
    inputTokens: 120,
    outputTokens: 8,
    costUsd: 0.002,
    sessionId: 's9',
    finishReason: 'stop',
    requestId: 'resp-1',
  });
  t.same(ops[0].inputMessages, [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }]);
  t.same(ops[0].outputMessages, [{ role: 'assistant', parts: [{ type: 'text', text: 'hello' }] }]);
  t.match(ops[1], { kind: 'tool', dialect: 'rule:harness-tool', toolName: 'tool:grep', toolArguments: '{"pattern":"x"}', status: 'error', errorMessage: 'no match', sessionId: 's9' });
  t.match(ops[2], { dialect: 'unknown', kind: 'other' }, 'attribute condition not met');

  const logs = normalizeLogs(makeLogs([{ eventName: 'harness.compacted', attrs: { reason: 'auto', before: 100000, after: '9000', session: 's9' } }]), rules);
  t.match(logs, [{ kind: 'compaction', dialect: 'rule:compaction-event', sessionId: 's9', compaction: { trigger: 'auto', tokensBefore: 100000, tokensAfter: 9000, estimated: false } }]);
});

t.test('JSON rules; unnamed rules are named by index', async (t) => {
  const rules = parseRules(JSON.stringify({ rules: [{ match: { name: 'think' }, kind: 'llm', fields: { requestModel: 'model' } }] }));
  const [op] = normalizeSpans(makeSpans([{ name: 'think', spanId: '0000000000000001', attrs: { model: 'm' } }]), rules);
  t.match(op, { dialect: 'rule:0', kind: 'llm', requestModel: 'm' });
});

t.test('errors name the bad rule (index and name) and the field', async (t) => {
  const bad = (text: string) => {
    try {
      parseRules(text);
    } catch (e) {
      t.ok(e instanceof RulesError);
      return (e as RulesError).message;
    }
    throw new Error('no error');
  };
  const m1 = bad(`rules:\n  - name: ok\n    match: { name: a }\n    kind: llm\n  - name: broken\n    match: { name: b }\n    kind: lm\n`);
  t.match(m1, /rule 1 "broken" kind: /);
  const m2 = bad(`rules:\n  - match: { nameRegex: "([" }\n    kind: tool\n`);
  t.match(m2, /rule 0 match\.nameRegex: not a valid regular expression/);
  const m3 = bad(`rules:\n  - match: { name: a }\n    kind: tool\n    fields: { toolNmae: x }\n`);
  t.match(m3, /rule 0 fields.*toolNmae/);
  const m4 = bad(`rules:\n  - match: {}\n    kind: tool\n`);
  t.match(m4, /rule 0 match: needs at least one condition/);
  const m5 = bad(`rules:\n  - match: { name: a }\n    kind: tool\n    fields: { inputTokens: 5 }\n`);
  t.match(m5, /rule 0 fields\.inputTokens/);
  t.match(bad('{"rules": ['), /not valid JSON/);
  t.match(bad('rules: [\n'), /not valid YAML/);
  t.match(bad('rulez: []'), /rulez/);
  const e = (() => {
    try {
      parseRules('rules:\n  - match: { name: a }\n    kind: nope\n');
    } catch (err) {
      return err as RulesError;
    }
  })();
  t.match(e?.issues, [{ rule: 0, field: 'kind' }]);
});

t.test('the schema is exported for OpenAPI/docs', async (t) => {
  const js = z.toJSONSchema(RulesFileSchema, { io: 'input' }) as { properties: Record<string, unknown> };
  t.ok(js.properties.rules);
});
