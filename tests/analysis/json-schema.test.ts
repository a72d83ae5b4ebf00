import t from 'tap';
import { validateJsonSchema } from '../../src/analysis/detectors/json-schema.js';
import { canonicalArguments, canonicalJson, parseArguments } from '../../src/analysis/detectors/json.js';

const weather = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    unit: { type: 'string', enum: ['c', 'f'] },
    days: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
    opts: { type: 'object', properties: { deep: { type: 'boolean' } }, additionalProperties: false },
  },
  required: ['city'],
  additionalProperties: false,
};

t.test('valid values pass', async (t) => {
  t.same(validateJsonSchema(weather, { city: 'Paris' }), []);
  t.same(validateJsonSchema(weather, { city: 'Paris', unit: 'c', days: 3, tags: ['a'], opts: { deep: true } }), []);
  t.same(validateJsonSchema({ type: 'number' }, 3), [], 'an integer is a number');
  t.same(validateJsonSchema({ type: ['string', 'null'] }, null), [], 'type lists');
  t.same(validateJsonSchema({ type: 'string', nullable: true }, null), [], 'OpenAPI nullable');
  t.same(
    validateJsonSchema({ type: 'OBJECT', properties: { city: { type: 'STRING' }, days: { type: 'INTEGER' } }, required: ['city'] }, { city: 'Paris', days: 2 }),
    [],
    'Gemini upper-case type names (Google ADK)',
  );
  t.same(validateJsonSchema({ type: 'OBJECT', properties: { city: { type: 'STRING' } } }, { city: 3 }), [{ path: '/city', message: 'expected string, got integer' }], 'and still checked');
  t.same(validateJsonSchema({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, 4), []);
  t.same(validateJsonSchema(true, 'anything'), []);
  t.same(validateJsonSchema({ type: 'string', pattern: '^(a+)+$', format: 'email', $ref: '#/x' }, 'aaaa!'), [], 'unsupported keywords are ignored');
  t.same(validateJsonSchema({ type: 'object', properties: { a: { type: 'string' } } }, { a: 'x', extra: 1 }), [], 'extra keys allowed unless additionalProperties is false');
  t.same(validateJsonSchema({ type: 'array', items: [{ type: 'string' }, { type: 'integer' }] }, ['a', 1]), [], 'tuple items');
});

t.test('violations name the path and the problem', async (t) => {
  t.same(validateJsonSchema(weather, {}), [{ path: '', message: 'missing required property "city"' }]);
  t.same(validateJsonSchema(weather, { city: 1 }), [{ path: '/city', message: 'expected string, got integer' }]);
  t.same(validateJsonSchema(weather, { city: 'x', unit: 'k' }), [{ path: '/unit', message: '"k" is not one of ["c","f"]' }]);
  t.same(validateJsonSchema(weather, { city: 'x', days: 1.5 }), [{ path: '/days', message: 'expected integer, got number' }]);
  t.same(validateJsonSchema(weather, { city: 'x', tags: ['a', 2] }), [{ path: '/tags/1', message: 'expected string, got integer' }]);
  t.same(validateJsonSchema(weather, { city: 'x', country: 'FR' }), [{ path: '', message: 'unexpected property "country"' }]);
  t.same(validateJsonSchema(weather, { city: 'x', opts: { deeper: 1 } }), [{ path: '/opts', message: 'unexpected property "deeper"' }]);
  t.same(validateJsonSchema(weather, 'Paris'), [{ path: '', message: 'expected object, got string' }]);
  t.same(validateJsonSchema({ type: 'object', additionalProperties: { type: 'number' } }, { a: 'x' }), [{ path: '/a', message: 'expected number, got string' }]);
  t.same(validateJsonSchema({ const: 'x' }, 'y'), [{ path: '', message: 'expected "x"' }]);
  t.equal(validateJsonSchema({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, true).length, 1);
  t.equal(validateJsonSchema({ allOf: [{ required: ['a'] }, { required: ['b'] }] }, {}).length, 2);
  t.equal(validateJsonSchema(weather, { city: 1, unit: 2, days: 'x', tags: 1, more: 1 }).length, 3, 'stops at maxIssues');
});

t.test('deeply nested values stop at the depth cap instead of recursing forever', async (t) => {
  let schema: Record<string, unknown> = { type: 'string' };
  let value: unknown = 1;
  for (let i = 0; i < 1000; i++) {
    schema = { type: 'array', items: schema };
    value = [value];
  }
  t.same(validateJsonSchema(schema, value), []);
});

t.test('arguments parse and canonicalize', async (t) => {
  t.same(parseArguments(''), { ok: true, value: {} }, 'empty arguments are an empty object');
  t.equal(parseArguments('{"a":').ok, false);
  t.equal(parseArguments('x'.repeat(300 * 1024)).ok, null, 'too large to parse is unknown, not invalid');
  t.equal(canonicalJson({ b: [2, { d: 1, c: 2 }], a: 'x' }), '{"a":"x","b":[2,{"c":2,"d":1}]}');
  t.equal(canonicalArguments('{ "b": 2, "a": 1 }'), canonicalArguments('{"a":1,"b":2}'));
  t.equal(canonicalArguments('  not json '), 'not json');
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  t.equal(canonicalArguments(deep), deep, 'too deep to canonicalize: the raw text is the identity');
  t.equal(validateJsonSchema({ enum: [1] }, JSON.parse(deep)).length, 1, 'too deep to print, still reported');
});
