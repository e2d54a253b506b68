import { Rng } from "../core/rng.js";
import { tQuantile, tTwoSidedTail } from "./special.js";

/**
 * Summary statistics over seeds: mean, sample standard deviation, confidence intervals (Student t and
 * percentile bootstrap), Welch's t-test, and the paired difference of two conditions run on the same seeds.
 * Every function returns NaN (never throws) where a quantity is undefined, e.g. a std of one value.
 */

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample variance (denominator n - 1); NaN for fewer than 2 values. Two-pass for accuracy. */
export function variance(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return ss / (n - 1);
}

/** Sample standard deviation (denominator n - 1); NaN for fewer than 2 values. */
export function std(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

export interface Interval {
  low: number;
  high: number;
}

export interface MeanCI extends Interval {
  mean: number;
  std: number;
  n: number;
  level: number;
}

/**
 * Student-t confidence interval for the mean: mean ± t_{(1+level)/2, n-1} · s / √n.
 * n = 0 gives all NaN; n = 1 gives the mean with NaN bounds; zero spread gives a zero-width interval.
 */
export function tConfidenceInterval(xs: readonly number[], level = 0.95): MeanCI {
  checkLevel(level);
  const n = xs.length;
  const m = mean(xs);
  const s = std(xs);
  const half = n >= 2 ? tQuantile((1 + level) / 2, n - 1) * (s / Math.sqrt(n)) : NaN;
  return { mean: m, std: s, n, level, low: m - half, high: m + half };
}

/** Options of {@link bootstrapConfidenceInterval}. */
export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 10 000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Seed of the resampling generator (default 0): the same data and seed give the same interval. */
  seed?: number;
  /** The statistic (default the mean). */
  statistic?: (xs: readonly number[]) => number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 10_000, level: 0.95, seed: 0 } as const;

/**
 * Percentile bootstrap confidence interval of a statistic (default the mean): draw `resamples` samples of size
 * n with replacement from `xs` with a seeded `Rng`, compute the statistic on each, and take the
 * (1-level)/2 and (1+level)/2 quantiles of those values (linear interpolation between order statistics, the
 * "type 7" definition used by R and NumPy). n = 0 gives NaN bounds; n = 1 gives a zero-width interval.
 */
export function bootstrapConfidenceInterval(
  xs: readonly number[],
  opts: BootstrapOptions = {},
): Interval & { estimate: number; resamples: number; level: number } {
  const resamples = opts.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const level = opts.level ?? BOOTSTRAP_DEFAULTS.level;
  const seed = opts.seed ?? BOOTSTRAP_DEFAULTS.seed;
  const stat = opts.statistic ?? mean;
  checkLevel(level);
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  const n = xs.length;
  const estimate = stat(xs);
  if (n === 0) return { estimate, low: NaN, high: NaN, resamples, level };
  const rng = new Rng(seed);
  const values = new Float64Array(resamples);
  const sample = new Array<number>(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) sample[i] = xs[rng.int(n)];
    values[b] = stat(sample);
  }
  values.sort();
  const alpha = (1 - level) / 2;
  return { estimate, low: quantileSorted(values, alpha), high: quantileSorted(values, 1 - alpha), resamples, level };
}

/** Quantile of sorted values, linear interpolation between order statistics (R / NumPy type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface TTestResult {
  /** The estimated difference (mean of a minus mean of b, or mean of the paired differences). */
  difference: number;
  /** Its standard error. */
  se: number;
  t: number;
  df: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Confidence interval of the difference (Student t with `df`). */
  low: number;
  high: number;
  level: number;
}

/**
 * Welch's unequal-variance t-test of mean(a) - mean(b), two-sided, with Welch-Satterthwaite degrees of
 * freedom. Needs at least 2 values on each side (else NaN). When both samples have zero spread the test is
 * degenerate: p = 1 if the means are equal, p = 0 otherwise, and the interval is the point difference.
 */
export function welchTTest(a: readonly number[], b: readonly number[], level = 0.95): TTestResult {
  checkLevel(level);
  const na = a.length;
  const nb = b.length;
  const difference = mean(a) - mean(b);
  if (na < 2 || nb < 2) return { difference, se: NaN, t: NaN, df: NaN, pValue: NaN, low: NaN, high: NaN, level };
  const va = variance(a) / na;
  const vb = variance(b) / nb;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1));
  return finishTest(difference, se, df, level);
}

/**
 * Paired difference x - y over matched units (the same seeds): the mean of d_i = x_i - y_i, its t confidence
 * interval and the paired t-test's two-sided p-value (df = n - 1). Arrays must have the same length.
 */
export function pairedDifference(x: readonly number[], y: readonly number[], level = 0.95): TTestResult & { n: number } {
  checkLevel(level);
  if (x.length !== y.length) throw new RangeError(`pairedDifference needs equal lengths, got ${x.length} and ${y.length}`);
  const d = x.map((v, i) => v - y[i]);
  const n = d.length;
  const difference = mean(d);
  if (n < 2) return { difference, se: NaN, t: NaN, df: NaN, pValue: NaN, low: NaN, high: NaN, level, n };
  return { ...finishTest(difference, std(d) / Math.sqrt(n), n - 1, level), n };
}

function finishTest(difference: number, se: number, df: number, level: number): TTestResult {
  if (se === 0 || !Number.isFinite(df)) {
    // Zero spread: no sampling uncertainty is visible.
    const pValue = difference === 0 ? 1 : 0;
    return {
      difference,
      se,
      t: difference === 0 ? NaN : Math.sign(difference) * Infinity,
      df: Number.isFinite(df) ? df : NaN,
      pValue,
      low: difference,
      high: difference,
      level,
    };
  }
  const t = difference / se;
  const half = tQuantile((1 + level) / 2, df) * se;
  return { difference, se, t, df, pValue: tTwoSidedTail(t, df), low: difference - half, high: difference + half, level };
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
}
