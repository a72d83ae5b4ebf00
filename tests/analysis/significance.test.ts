// The significance tests against values worked by hand (and the classic tea-tasting table).
import t from 'tap';
import { compareProportions, fisherExact, normalCdf, twoProportionZTest } from '../../src/analysis/significance.js';

t.test('normal CDF', async (t) => {
  t.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  t.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  t.ok(Math.abs(normalCdf(-1) - 0.158655) < 1e-6);
});

t.test('two-proportion z-test', async (t) => {
  // 45/100 vs 30/100: pooled p = 0.375, se = sqrt(0.375 * 0.625 * 0.02) = 0.0684653, z = 2.19089, p = 0.02846.
  t.ok(Math.abs(twoProportionZTest(45, 100, 30, 100) - 0.02846) < 1e-4);
  t.equal(twoProportionZTest(45, 100, 30, 100), twoProportionZTest(30, 100, 45, 100), 'symmetric');
  t.equal(twoProportionZTest(0, 10, 0, 10), 1, 'no failures either side');
  t.equal(twoProportionZTest(3, 0, 1, 10), 1, 'an empty period');
});

t.test("Fisher's exact test", async (t) => {
  // Tea tasting, [[3, 1], [1, 3]]: tables at least as extreme are a = 0, 1, 3, 4 of C(8,4) = 70: (1+16+16+1)/70.
  t.ok(Math.abs(fisherExact(3, 4, 1, 4) - 34 / 70) < 1e-9);
  // [[4, 0], [0, 4]]: only a = 0 and a = 4: 2/70.
  t.ok(Math.abs(fisherExact(4, 4, 0, 4) - 2 / 70) < 1e-9);
  t.ok(Math.abs(fisherExact(0, 5, 0, 5) - 1) < 1e-9, "one possible table");
});

t.test('the comparison picks the test by expected counts', async (t) => {
  const big = compareProportions(45, 100, 30, 100);
  t.equal(big.test, 'two-proportion z-test');
  t.ok(big.significant);
  const small = compareProportions(4, 4, 0, 4);
  t.equal(small.test, "Fisher's exact test");
  t.ok(small.significant, '2/70 < 0.05');
  t.notOk(compareProportions(3, 4, 1, 4).significant);
  t.notOk(compareProportions(5, 5, 0, 0).significant, 'nothing to compare with');
});
