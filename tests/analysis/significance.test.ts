// The statistics behind /api/v1/failures/compare and regression alerts, against reference values.
// Where each value comes from:
// - scipy 1.17.1 (python3 on the build machine): scipy.stats.norm.sf / norm.ppf, math.erfc,
//   scipy.stats.fisher_exact (two-sided), binomtest(k, n).proportion_ci(method='wilson') combined by
//   Newcombe's formula for the difference interval, and the pooled z statistic with 2 * norm.sf(|z|).
// - Newcombe RG (1998), "Interval estimation for the difference between independent proportions:
//   comparison of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10, printed to
//   4 decimals (examples a, b, d, e, f); the scipy computation agrees with them to those 4 decimals.
// - Holm (1979) by its definition, worked by hand below (R's p.adjust(method = 'holm') gives the same).
import t, { type Test } from 'tap';
import { compareRates, erfc, fisherExact, holm, largeEnough, newcombe, normalQuantile, normalUpperTail, twoProportionZ } from '../../src/analysis/significance.js';

const close = (t: Test, got: number, want: number, tol: number, msg: string) => t.ok(Math.abs(got - want) <= tol, `${msg}: ${got} vs ${want}`);

t.test('normal distribution (scipy.stats.norm, math.erfc)', async (t) => {
  close(t, normalQuantile(0.975), 1.959963984540054, 1e-12, 'ppf(0.975)');
  close(t, normalQuantile(0.995), 2.5758293035489004, 1e-12, 'ppf(0.995)');
  close(t, normalQuantile(0.025), -1.959963984540054, 1e-12, 'ppf(0.025)');
  close(t, normalUpperTail(5) / 2.866515718791933e-7, 1, 1e-9, 'sf(5) relative');
  close(t, normalUpperTail(8) / 6.22096057427174e-16, 1, 1e-9, 'sf(8) relative');
  close(t, erfc(0.5), 0.4795001221869535, 1e-14, 'erfc(0.5)');
  close(t, erfc(2.9) / 4.109787809945886e-5, 1, 1e-10, 'erfc(2.9) relative');
  close(t, erfc(3.5) / 7.430983723414128e-7, 1, 1e-12, 'erfc(3.5) relative');
  close(t, erfc(10) / 2.088487583762545e-45, 1, 1e-12, 'erfc(10) relative');
});

t.test('Newcombe hybrid score interval (Newcombe 1998 Table II, method 10; scipy Wilson)', async (t) => {
  // [x, m, y, n] for the difference x/m - y/n; newcombe(a, b) is the interval of b - a.
  const cases: [number, number, number, number, number, number, number][] = [
    // x, m, y, n, lower, upper, tolerance
    [56, 70, 48, 80, 0.052431472402364815, 0.3338726540369059, 1e-9], // Table II (a): 0.0524, 0.3339
    [9, 10, 3, 10, 0.17052272393450302, 0.8090179735354881, 1e-9], // (b): 0.1705, 0.8090
    [6, 7, 2, 7, 0.0582279274823122, 0.8062496375242278, 1e-9], // scipy only
    [5, 56, 0, 29, -0.03813714790353688, 0.1925600138551116, 1e-9], // (d): -0.0381, 0.1926
    [0, 10, 0, 20, -0.16112515805281935, 0.27753279986288926, 1e-9], // (e): -0.1611, 0.2775
    [0, 10, 0, 10, -0.27753279986288926, 0.27753279986288926, 1e-9], // (f): -0.2775, 0.2775
    [10, 10, 0, 20, 0.6790860371419147, 1, 1e-9], // scipy
  ];
  for (const [x, m, y, n, lo, hi, tol] of cases) {
    const [l, u] = newcombe({ k: y, n }, { k: x, n: m });
    close(t, l, lo, tol, `${x}/${m} - ${y}/${n} lower`);
    close(t, u, hi, tol, `${x}/${m} - ${y}/${n} upper`);
  }
});

t.test('pooled two-proportion z-test (scipy.stats.norm.sf)', async (t) => {
  const cases: [number, number, number, number, number, number][] = [
    [40, 1000, 80, 1000, 3.766217885773547, 0.00016573916581396326],
    [120, 2000, 150, 2000, 1.8906666011235589, 0.0586688635362016],
    [56, 70, 48, 80, -2.6501719512585336, 0.00804508136819656],
    [5, 500, 30, 500, 4.301721893721773, 1.6947594061136396e-5],
  ];
  for (const [ka, na, kb, nb, z, p] of cases) {
    const r = twoProportionZ({ k: ka, n: na }, { k: kb, n: nb });
    close(t, r.z, z, 1e-12, `z ${ka}/${na} vs ${kb}/${nb}`);
    close(t, r.p_value / p, 1, 1e-9, `p ${ka}/${na} vs ${kb}/${nb} (relative)`);
  }
  t.equal(twoProportionZ({ k: 0, n: 10 }, { k: 0, n: 10 }).p_value, 1, 'no failures on either side: nothing to see');
});

t.test("Fisher's exact test, two-sided (scipy.stats.fisher_exact)", async (t) => {
  const cases: [number[][], number][] = [
    [[[3, 1], [1, 3]], 0.48571428571428565],
    [[[1, 9], [11, 3]], 0.0027594561852200836],
    [[[0, 10], [5, 5]], 0.032507739938080496],
    [[[2, 98], [9, 91]], 0.058220717580287525],
    [[[8, 2], [1, 5]], 0.034965034965034975],
  ];
  for (const [[r1, r2], p] of cases) {
    const a = { k: r1![0]!, n: r1![0]! + r1![1]! };
    const b = { k: r2![0]!, n: r2![0]! + r2![1]! };
    close(t, fisherExact(a, b) / p, 1, 1e-9, `fisher ${JSON.stringify([r1, r2])}`);
    close(t, fisherExact(b, a) / p, 1, 1e-9, `fisher, rows swapped`);
  }
});

t.test('the test is chosen by the expected counts', async (t) => {
  t.notOk(largeEnough({ k: 0, n: 10 }, { k: 5, n: 10 }), 'an expected count below 5 (2.5)');
  t.ok(largeEnough({ k: 1, n: 10 }, { k: 11, n: 14 }), 'expected counts 5, 5, 7, 7');
  const small = compareRates({ k: 0, n: 10 }, { k: 5, n: 10 });
  t.equal(small.test, 'fisher_exact');
  close(t, small.p_value / 0.032507739938080496, 1, 1e-9, 'Fisher p for the small table');
  const big = compareRates({ k: 40, n: 1000 }, { k: 80, n: 1000 });
  t.equal(big.test, 'two_proportion_z');
  close(t, big.p_value / 0.00016573916581396326, 1, 1e-9, 'z p for the large table');
  close(t, big.difference, 0.04, 1e-15, 'difference b - a');
  t.ok(big.ci[0] > 0 && big.ci[1] > big.ci[0], 'interval above 0');
});

t.test('Holm adjustment (by definition)', async (t) => {
  // sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max so far 0.06.
  const adj = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((want, i) => close(t, adj[i]!, want, 1e-15, `p[${i}]`));
  t.same(holm([0.5, 0.9]), [1, 1], '0.5 * 2 capped at 1; 0.9 raised to the 1 before it (monotone)');
  t.same(holm([]), []);
});
