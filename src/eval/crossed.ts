import { Rng } from "../core/rng.js";
import { BOOTSTRAP_DEFAULTS, quantileSorted } from "./statistics.js";

/**
 * Statistics of the crossed design of an experiment: every condition is trained with S seeds and every trained
 * policy is evaluated on the same E evaluation episodes (demand draws). One cell (s, e) holds a metric's value of
 * seed s on episode e, as a numerator and a denominator, so that ratio-of-sums metrics (e.g. total surplus over
 * the counterfactual's) are estimated as Σ num / Σ den over all cells and plain means have den = 1 (den = 0
 * marks an undefined cell, e.g. rounds to agreement of a negotiation that did not agree).
 *
 * The estimand is the mean over training seeds and demand draws. Intervals come from the pigeonhole (two-way
 * crossed) bootstrap of Owen (2007): seeds and episodes are resampled independently, with replacement, and the
 * statistic is recomputed with the cell weights w_s · v_e (w, v the multiplicities). Differences of two
 * conditions share the episode resample (same demand draw = the pairing) and resample each condition's seeds
 * independently (training seeds are independent replicates). See docs/statistics.md.
 */

/** A condition's cells for one metric: row-major `num[s * E + e]`. */
export interface CellMatrix {
  seeds: number[];
  episodes: number[];
  num: Float64Array;
  den: Float64Array;
}

/** One per-episode metric value; `num`/`den` are set for ratio-of-sums metrics (value = num / den). */
export interface EpisodeMetricRecord {
  condition: string;
  seed: number;
  episode: number;
  metric: string;
  value: number;
  num?: number;
  den?: number;
}

/** The numerator and denominator a record contributes: a ratio's own, else (value, 1), or (0, 0) when undefined. */
export function cellParts(r: Pick<EpisodeMetricRecord, "value" | "num" | "den">): [number, number] {
  if (r.num !== undefined && r.den !== undefined && Number.isFinite(r.num) && Number.isFinite(r.den)) return [r.num, r.den];
  return Number.isFinite(r.value) ? [r.value, 1] : [0, 0];
}

/** The cell matrix of records (one condition, one metric); seeds and episodes ascending. */
export function cellMatrix(records: readonly EpisodeMetricRecord[], episodes?: readonly number[]): CellMatrix {
  const seeds = [...new Set(records.map((r) => r.seed))].sort((a, b) => a - b);
  const eps = episodes ? [...episodes] : [...new Set(records.map((r) => r.episode))].sort((a, b) => a - b);
  const S = seeds.length;
  const E = eps.length;
  const num = new Float64Array(S * E);
  const den = new Float64Array(S * E);
  const si = new Map(seeds.map((s, i) => [s, i]));
  const ei = new Map(eps.map((e, i) => [e, i]));
  for (const r of records) {
    const e = ei.get(r.episode);
    if (e === undefined) continue;
    const k = si.get(r.seed)! * E + e;
    const [n, d] = cellParts(r);
    num[k] = n;
    den[k] = d;
  }
  return { seeds, episodes: eps, num, den };
}

/** Σ w_s v_e num / Σ w_s v_e den (NaN when the weighted denominator is 0); unit weights without w / v. */
export function weightedRatio(m: CellMatrix, w?: ArrayLike<number>, v?: ArrayLike<number>): number {
  const S = m.seeds.length;
  const E = m.episodes.length;
  let n = 0;
  let d = 0;
  for (let s = 0; s < S; s++) {
    const ws = w ? w[s] : 1;
    if (ws === 0) continue;
    for (let e = 0; e < E; e++) {
      const x = ws * (v ? v[e] : 1);
      n += x * m.num[s * E + e];
      d += x * m.den[s * E + e];
    }
  }
  return d !== 0 ? n / d : NaN;
}

/** The value of every defined cell (num / den where den ≠ 0). */
export function cellValues(m: CellMatrix): number[] {
  const out: number[] = [];
  for (let k = 0; k < m.num.length; k++) if (m.den[k] !== 0) out.push(m.num[k] / m.den[k]);
  return out;
}

/** Multiplicities of a resample with replacement of n units (n draws). */
export function resampleCounts(rng: Rng, n: number, out = new Float64Array(n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) out[rng.int(n)] += 1;
  return out;
}

export interface CrossedOptions {
  resamples?: number;
  level?: number;
  seed?: number;
}

/** The crossed bootstrap resamples as the plain one does (statistics.ts). */
export const CROSSED_DEFAULTS = BOOTSTRAP_DEFAULTS;

export interface CrossedInterval {
  estimate: number;
  low: number;
  high: number;
  /** The bootstrap distribution has no spread: nothing that was resampled varied. */
  noVariation: boolean;
  /** Resamples with a defined statistic. */
  resamples: number;
  level: number;
}

/** Relative tolerance under which a bootstrap distribution counts as a point (rounding only). */
const FLAT = 1e-12;

function summarise(values: Float64Array, count: number, estimate: number, level: number): CrossedInterval {
  const v = values.subarray(0, count).sort();
  const alpha = (1 - level) / 2;
  const flat = count === 0 || v[count - 1] - v[0] <= FLAT * Math.max(1, Math.abs(estimate));
  return {
    estimate,
    low: count ? quantileSorted(v, alpha) : NaN,
    high: count ? quantileSorted(v, 1 - alpha) : NaN,
    noVariation: flat,
    resamples: count,
    level,
  };
}

/**
 * Pigeonhole bootstrap percentile interval of the condition's estimate Σ num / Σ den: `resamples` times, draw
 * seed multiplicities w and episode multiplicities v independently and recompute the weighted ratio.
 */
export function crossedInterval(m: CellMatrix, opts: CrossedOptions = {}): CrossedInterval {
  const B = opts.resamples ?? CROSSED_DEFAULTS.resamples;
  const level = opts.level ?? CROSSED_DEFAULTS.level;
  const rng = new Rng(opts.seed ?? CROSSED_DEFAULTS.seed);
  const estimate = weightedRatio(m);
  const S = m.seeds.length;
  const E = m.episodes.length;
  if (S === 0 || E === 0) return { estimate, low: NaN, high: NaN, noVariation: true, resamples: 0, level };
  const w = new Float64Array(S);
  const v = new Float64Array(E);
  const values = new Float64Array(B);
  let count = 0;
  for (let b = 0; b < B; b++) {
    resampleCounts(rng, S, w);
    resampleCounts(rng, E, v);
    const x = weightedRatio(m, w, v);
    if (!Number.isNaN(x)) values[count++] = x;
  }
  return summarise(values, count, estimate, level);
}

export interface CrossedDifference extends CrossedInterval {
  /** Two-sided bootstrap p-value of "no difference" (NaN when there is no variation). */
  pValue: number;
}

/**
 * Difference x − base of two conditions evaluated on the same episodes: each resample draws one episode
 * multiplicity vector v (shared: the pairing on the demand draw) and seed multiplicities for each condition
 * independently. The p-value inverts the percentile interval: p = min(1, 2 · min(1 + #{Δ* ≤ 0}, 1 + #{Δ* ≥ 0}) / (B + 1)),
 * so it is never 0. Both matrices must have the same episodes.
 */
export function crossedDifference(x: CellMatrix, base: CellMatrix, opts: CrossedOptions = {}): CrossedDifference {
  const B = opts.resamples ?? CROSSED_DEFAULTS.resamples;
  const level = opts.level ?? CROSSED_DEFAULTS.level;
  if (x.episodes.length !== base.episodes.length || x.episodes.some((e, i) => e !== base.episodes[i])) {
    throw new RangeError("crossedDifference: the two conditions were not evaluated on the same episodes");
  }
  const rng = new Rng(opts.seed ?? CROSSED_DEFAULTS.seed);
  const estimate = weightedRatio(x) - weightedRatio(base);
  const E = x.episodes.length;
  if (x.seeds.length === 0 || base.seeds.length === 0 || E === 0)
    return { estimate, low: NaN, high: NaN, noVariation: true, resamples: 0, level, pValue: NaN };
  const wx = new Float64Array(x.seeds.length);
  const wb = new Float64Array(base.seeds.length);
  const v = new Float64Array(E);
  const values = new Float64Array(B);
  let count = 0;
  let le = 0;
  let ge = 0;
  for (let b = 0; b < B; b++) {
    resampleCounts(rng, E, v);
    resampleCounts(rng, x.seeds.length, wx);
    resampleCounts(rng, base.seeds.length, wb);
    const d = weightedRatio(x, wx, v) - weightedRatio(base, wb, v);
    if (Number.isNaN(d)) continue;
    values[count++] = d;
    if (d <= 0) le++;
    if (d >= 0) ge++;
  }
  const s = summarise(values, count, estimate, level);
  const pValue = s.noVariation || count === 0 ? NaN : Math.min(1, (2 * Math.min(1 + le, 1 + ge)) / (count + 1));
  return { ...s, pValue };
}

// ---- aggregates (rliable) -------------------------------------------------------------------------------

/**
 * Interquartile mean: the mean of the middle 50% of the values, with scipy.stats.trim_mean's cut (int(0.25 n)
 * values removed from each end of the sorted values). NaN for no values.
 */
export function interquartileMean(xs: readonly number[]): number {
  return trimMean(xs, 0.25);
}

/** scipy.stats.trim_mean(xs, proportion): drop int(proportion · n) values at each end of the sorted values. */
export function trimMean(xs: readonly number[], proportion: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const cut = Math.floor(proportion * n);
  if (cut >= n - cut) throw new RangeError(`trimMean: proportion ${proportion} too big for ${n} values`);
  const sorted = Float64Array.from(xs).sort();
  let s = 0;
  for (let i = cut; i < n - cut; i++) s += sorted[i];
  return s / (n - 2 * cut);
}

/** Median (NumPy's: mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  return quantileSorted(Float64Array.from(xs).sort(), 0.5);
}

/**
 * P(X > Y) + ½ P(X = Y) for one pair of samples: the Mann-Whitney U statistic of x over y divided by n_x n_y
 * (scipy.stats.mannwhitneyu(x, y).statistic / (len(x) len(y))).
 */
export function probabilityGreater(x: readonly number[], y: readonly number[]): number {
  if (x.length === 0 || y.length === 0) return NaN;
  let s = 0;
  for (const a of x) for (const b of y) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (x.length * y.length);
}

/** Scores of a condition as rows per episode (stratum): `byEpisode[e]` = the seeds' values on episode e. */
export type Strata = number[][];

/** The defined cell values of a matrix grouped by episode (the strata of the stratified bootstrap). */
export function strata(m: CellMatrix): Strata {
  const S = m.seeds.length;
  const E = m.episodes.length;
  const out: Strata = [];
  for (let e = 0; e < E; e++) {
    const row: number[] = [];
    for (let s = 0; s < S; s++) if (m.den[s * E + e] !== 0) row.push(m.num[s * E + e] / m.den[s * E + e]);
    out.push(row);
  }
  return out;
}

/**
 * Probability of improvement of x over y as in rliable (Agarwal et al. 2021): the mean over strata (episodes, the
 * "tasks") of P(X > Y) + ½ P(X = Y) between the seeds' scores on that episode. Strata where either side has
 * no value are left out.
 */
export function probabilityOfImprovement(x: Strata, y: Strata): number {
  let s = 0;
  let k = 0;
  for (let e = 0; e < Math.min(x.length, y.length); e++) {
    if (x[e].length === 0 || y[e].length === 0) continue;
    s += probabilityGreater(x[e], y[e]);
    k++;
  }
  return k === 0 ? NaN : s / k;
}

/** Fill `out` (same shape as `st`) with a resample of each stratum's values, with replacement. */
function resampleWithin(rng: Rng, st: Strata, out: Strata): Strata {
  for (let e = 0; e < st.length; e++) {
    const row = st[e];
    const o = out[e];
    for (let i = 0; i < row.length; i++) o[i] = row[rng.int(row.length)];
  }
  return out;
}

/** The rliable default number of bootstrap resamples (`reps=2000`), used for aggregates.csv. */
export const STRATIFIED_RESAMPLES = 2000;

/**
 * Stratified bootstrap percentile interval (rliable): the runs (training seeds) are resampled with replacement
 * within each stratum (evaluation episode), independently for every input, and `statistic` is recomputed;
 * `resamples` defaults to rliable's 2000. `statistic` must not keep references to its arguments (buffers are reused).
 */
export function stratifiedInterval(
  inputs: readonly Strata[],
  statistic: (...xs: Strata[]) => number,
  opts: CrossedOptions = {},
): CrossedInterval {
  const B = opts.resamples ?? STRATIFIED_RESAMPLES;
  const level = opts.level ?? CROSSED_DEFAULTS.level;
  const rng = new Rng(opts.seed ?? CROSSED_DEFAULTS.seed);
  const estimate = statistic(...inputs);
  const values = new Float64Array(B);
  let count = 0;
  const buffers = inputs.map((st) => st.map((row) => row.slice()));
  for (let b = 0; b < B; b++) {
    const x = statistic(...inputs.map((st, i) => resampleWithin(rng, st, buffers[i])));
    if (!Number.isNaN(x)) values[count++] = x;
  }
  return summarise(values, count, estimate, level);
}

// ---- multiple comparisons -------------------------------------------------------------------------------

/**
 * Holm's (1979) step-down adjusted p-values, as R's `p.adjust(p, "holm")`: sort ascending, p_(i) · (m − i + 1),
 * running maximum, capped at 1. NaN entries are left out of the family and stay NaN.
 */
export function holm(p: readonly number[]): number[] {
  const idx = p
    .map((_, i) => i)
    .filter((i) => !Number.isNaN(p[i]))
    .sort((a, b) => p[a] - p[b] || a - b);
  const m = idx.length;
  const out = p.map(() => NaN);
  let run = 0;
  idx.forEach((i, k) => {
    run = Math.max(run, Math.min(1, (m - k) * p[i]));
    out[i] = run;
  });
  return out;
}

/**
 * Benjamini-Hochberg (1995) false-discovery-rate adjusted p-values, as R's `p.adjust(p, "BH")`: sort descending,
 * p_(i) · m / i, running minimum, capped at 1. NaN entries are left out and stay NaN.
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const idx = p
    .map((_, i) => i)
    .filter((i) => !Number.isNaN(p[i]))
    .sort((a, b) => p[b] - p[a] || b - a);
  const m = idx.length;
  const out = p.map(() => NaN);
  let run = Infinity;
  idx.forEach((i, k) => {
    const rank = m - k;
    run = Math.min(run, (p[i] * m) / rank);
    out[i] = Math.min(1, run);
  });
  return out;
}

/** Wilson (1927) score interval of a proportion k / n at `level` (two-sided; z from the normal quantile). */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): { low: number; high: number } {
  if (n <= 0) return { low: NaN, high: NaN };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
