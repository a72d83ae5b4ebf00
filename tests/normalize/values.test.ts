// Values in every shape: typed scalars, numbers as strings, JSON text, AnyValue trees, flattened keys.
import t from 'tap';
import { emptyAttributes } from '../../src/model/otlp.js';
import { attributesFromJson } from '../../src/model/values.js';
import { bool, num, parseJsonLoose, str, stringList, structured, unflatten } from '../../src/normalize/values.js';
import { kv } from './helpers.js';

const attrs = (o: Record<string, unknown>) => attributesFromJson(kv(o));

t.test('numbers: int, double, numeric strings; not booleans or junk', async (t) => {
  const a = attributesFromJson([
    ...kv({ i: 47, d: 0.5, s: ' 12 ', junk: '12abc', b: true }),
    { key: 'n', value: { intValue: 7 } },
  ]);
  t.equal(num(a, 'i'), 47);
  t.equal(num(a, 'd'), 0.5);
  t.equal(num(a, 's'), 12);
  t.equal(num(a, 'n'), 7, 'intValue sent as a JSON number');
  t.equal(num(a, 'junk'), null);
  t.equal(num(a, 'b'), null);
  t.equal(num(a, 'missing'), null);
});

t.test('booleans as strings', async (t) => {
  const a = attrs({ t: 'true', f: 'FALSE', b: false, x: 'maybe' });
  t.equal(bool(a, 't'), true);
  t.equal(bool(a, 'f'), false);
  t.equal(bool(a, 'b'), false);
  t.equal(bool(a, 'x'), null);
});

t.test('structured values: JSON text and AnyValue trees give the same structure', async (t) => {
  const tree = attrs({ v: [{ role: 'user', n: 1 }] });
  const text = attrs({ v: '[{"role":"user","n":1}]' });
  t.same(structured(tree, 'v'), [{ role: 'user', n: 1 }]);
  t.same(structured(text, 'v'), [{ role: 'user', n: 1 }]);
  t.equal(str(tree, 'v'), '[{"role":"user","n":1}]', 'str of a tree is its JSON');
  t.equal(structured(attrs({ v: 'plain words' }), 'v'), 'plain words');
  t.equal(parseJsonLoose('{broken'), '{broken');
});

t.test('string lists', async (t) => {
  t.same(stringList(['a', 'b']), ['a', 'b']);
  t.same(stringList('["stop"]'), ['stop']);
  t.same(stringList('stop'), ['stop']);
  t.same(stringList(undefined), []);
});

t.test('flattened indexed keys', async (t) => {
  const a = attrs({
    'gen_ai.prompt.0.role': 'user',
    'gen_ai.prompt.0.content': 'hi',
    'gen_ai.prompt.1.role': 'assistant',
    'gen_ai.prompt.1.tool_calls.0.name': 'f',
    'gen_ai.prompt.1.tool_calls.0.arguments': '{}',
    'gen_ai.prompt.name': 'template-name',
    'gen_ai.promptx.0.role': 'nope',
  });
  t.same(unflatten(a, 'gen_ai.prompt'), [
    { role: 'user', content: 'hi' },
    { role: 'assistant', tool_calls: [{ name: 'f', arguments: '{}' }] },
  ]);
  t.equal(unflatten(emptyAttributes(), 'gen_ai.prompt'), undefined);
});
