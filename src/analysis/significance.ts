// Is a change in a failure rate between two periods more than chance? Pure functions over counts.
// The report (src/exporters/reports) marks a change significant when the two-sided p-value is below 0.05.
// Test used: the two-proportion z-test (pooled variance) when every expected cell count of the 2x2 table is
// at least 5 (where the normal approximation holds); Fisher's exact test otherwise (small counts).

export type SignificanceTest = 'two-proportion z-test' | "Fisher's exact test";

export interface Significance {
  test: SignificanceTest;
  /** Two-sided p-value; 1 when either period has no observations. */
  p_value: number;
  significant: boolean;
}

export const ALPHA = 0.05;

/** Standard normal CDF through erf (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Two-sided p-value of the pooled two-proportion z-test: x1 of n1 against x2 of n2. */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return 1; // both 0% or both 100%
  const z = (x1 / n1 - x2 / n2) / se;
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}

const logFactCache: number[] = [0];
function logFact(n: number): number {
  for (let i = logFactCache.length; i <= n; i++) logFactCache[i] = logFactCache[i - 1] + Math.log(i);
  return logFactCache[n];
}

/**
 * Two-sided p-value of Fisher's exact test on [[x1, n1-x1], [x2, n2-x2]]: the probability, with the margins
 * fixed, of every table no more likely than the observed one.
 */
export function fisherExact(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const k = x1 + x2; // failures in both periods
  const n = n1 + n2;
  const logP = (a: number) => logFact(k) + logFact(n - k) + logFact(n1) + logFact(n2) - logFact(n) - logFact(a) - logFact(k - a) - logFact(n1 - a) - logFact(n2 - k + a);
  const observed = logP(x1);
  let p = 0;
  for (let a = Math.max(0, k - n2); a <= Math.min(k, n1); a++) {
    const lp = logP(a);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** Compares x1/n1 (this period) with x2/n2 (the period before). */
export function compareProportions(x1: number, n1: number, x2: number, n2: number): Significance {
  if (n1 <= 0 || n2 <= 0) return { test: 'two-proportion z-test', p_value: 1, significant: false };
  const k = x1 + x2;
  const n = n1 + n2;
  const expected = [(n1 * k) / n, (n1 * (n - k)) / n, (n2 * k) / n, (n2 * (n - k)) / n];
  const large = expected.every((e) => e >= 5);
  const p_value = large ? twoProportionZTest(x1, n1, x2, n2) : fisherExact(x1, n1, x2, n2);
  return { test: large ? 'two-proportion z-test' : "Fisher's exact test", p_value, significant: p_value < ALPHA };
}
