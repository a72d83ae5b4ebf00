// Tests for "did this failure become more frequent": two binomial samples (runs, runs affected) compared.
// Pure numbers in, numbers out; the reference values the tests check them against are in
// tests/analysis/significance.test.ts.
//
// - The difference b - a gets Newcombe's hybrid score interval (Newcombe 1998, method 10: built from the
//   two Wilson score intervals). It stays inside [-1, 1] and behaves at 0 and at small counts, where the
//   Wald interval does not.
// - The p-value comes from the pooled two-proportion z-test (no continuity correction) when every expected
//   cell count is at least 5, otherwise from Fisher's exact test (two-sided, summing the tables no more
//   likely than the observed one, as R's fisher.test and scipy's fisher_exact do).
// - Many rows are compared at once (modes x tools), so p-values are adjusted with Holm's step-down method,
//   which controls the family-wise error rate without assuming independence.

export interface Sample {
  /** Runs in the population. */
  n: number;
  /** Runs with the failure. */
  k: number;
}

export type TestName = 'two_proportion_z' | 'fisher_exact';

export interface Comparison {
  rate_a: number;
  rate_b: number;
  /** rate_b - rate_a */
  difference: number;
  /** Newcombe hybrid score interval for the difference, at `confidence`. */
  ci: [number, number];
  confidence: number;
  test: TestName;
  /** Two-sided p-value of "the two rates are equal". */
  p_value: number;
}

const SQRT2 = Math.SQRT2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erfc to close to double precision: a series of positive terms below 3, a continued fraction above. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated by Lentz's method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let i = 1; i < 500; i++) {
    const a = i / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return erfc(z / SQRT2) / 2;
}

/**
 * The standard normal quantile: Acklam's rational approximation, then one Halley step on erfc, which takes
 * it to double precision.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = 0.5 * erfc(-x / SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Wilson score interval for k successes in n trials (n > 0). */
export function wilson(k: number, n: number, confidence = 0.95): [number, number] {
  if (n <= 0) return [0, 1];
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return [Math.max(0, (centre - half) / denom), Math.min(1, (centre + half) / denom)];
}

/** Newcombe's hybrid score interval (method 10) for p_b - p_a. */
export function newcombe(a: Sample, b: Sample, confidence = 0.95): [number, number] {
  const pa = a.k / a.n;
  const pb = b.k / b.n;
  const [la, ua] = wilson(a.k, a.n, confidence);
  const [lb, ub] = wilson(b.k, b.n, confidence);
  const d = pb - pa;
  const lower = d - Math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2);
  const upper = d + Math.sqrt((ub - pb) ** 2 + (pa - la) ** 2);
  return [Math.max(-1, lower), Math.min(1, upper)];
}

/** Pooled two-proportion z-test, two-sided, without continuity correction. */
export function twoProportionZ(a: Sample, b: Sample): { z: number; p_value: number } {
  const pooled = (a.k + b.k) / (a.n + b.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  if (se === 0) return { z: 0, p_value: 1 };
  const z = (b.k / b.n - a.k / a.n) / se;
  return { z, p_value: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9): about 15 significant digits. */
export function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xx = x - 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (xx + i);
  const t = xx + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(s);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Fisher's exact test, two-sided, on the 2x2 table [[a.k, a.n - a.k], [b.k, b.n - b.k]]: the probability of
 * the tables with the same margins that are no more likely than the observed one (a relative tolerance of
 * 1e-7 keeps ties that differ only by rounding, as R does).
 */
export function fisherExact(a: Sample, b: Sample): number {
  const rowA = a.n;
  const rowB = b.n;
  const col = a.k + b.k;
  const total = rowA + rowB;
  const lo = Math.max(0, col - rowB);
  const hi = Math.min(col, rowA);
  const denom = logChoose(total, col);
  const logP = (x: number) => logChoose(rowA, x) + logChoose(rowB, col - x) - denom;
  const observed = logP(a.k);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const lp = logP(x);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** True when the z-test's normal approximation holds: every expected cell count is at least 5. */
export function largeEnough(a: Sample, b: Sample): boolean {
  const total = a.n + b.n;
  const yes = a.k + b.k;
  const no = total - yes;
  return [a.n, b.n].every((row) => (row * yes) / total >= 5 && (row * no) / total >= 5);
}

/** Compares the failure rates of two samples (both n > 0). */
export function compareRates(a: Sample, b: Sample, confidence = 0.95): Comparison {
  const rate_a = a.k / a.n;
  const rate_b = b.k / b.n;
  const z = largeEnough(a, b);
  return {
    rate_a,
    rate_b,
    difference: rate_b - rate_a,
    ci: newcombe(a, b, confidence),
    confidence,
    test: z ? 'two_proportion_z' : 'fisher_exact',
    p_value: z ? twoProportionZ(a, b).p_value : fisherExact(a, b),
  };
}

/** Holm's step-down adjustment: adjusted p-values in the input order. */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
