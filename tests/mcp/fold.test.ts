// foldLongText: strings over the limit keep their prefix and say how much was folded and where to read it.
import t from 'tap';
import { foldLongText } from '../../src/mcp/fold.js';

t.test('folds only long strings, anywhere in the value', async (t) => {
  const long = 'x'.repeat(25);
  const { value, folded } = foldLongText({ a: long, b: ['short', { c: long }], n: 3, z: null }, 'see the API', 10);
  t.equal(folded, 2);
  t.same(value, { a: `${'x'.repeat(10)}… [15 more characters folded; see the API]`, b: ['short', { c: `${'x'.repeat(10)}… [15 more characters folded; see the API]` }], n: 3, z: null });
});

t.test('a string at the limit is kept whole', async (t) => {
  t.same(foldLongText('abc', 'h', 3), { value: 'abc', folded: 0 });
});
