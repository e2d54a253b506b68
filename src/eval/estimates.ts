import { deriveSeed } from "../core/rng.js";
import {
  benjaminiHochberg,
  cellMatrix,
  cellParts,
  cellValues,
  CROSSED_DEFAULTS,
  crossedDifference,
  crossedInterval,
  holm,
  interquartileMean,
  median,
  probabilityOfImprovement,
  strata,
  STRATIFIED_RESAMPLES,
  stratifiedInterval,
  wilsonInterval,
  type CellMatrix,
  type EpisodeMetricRecord,
} from "./crossed.js";
import { metricInfo } from "./metric-dictionary.js";
import { std, welchTTest } from "./statistics.js";
import { compareStrings, type MetricRecord } from "./tables.js";

/**
 * The run's tables from per-episode metric records (one value per condition, training seed, evaluation episode and
 * metric): `summary.csv`, `comparison.csv` (with Holm and BH adjusted p-values) and `aggregates.csv`, and the
 * per-seed `metrics.csv` rows derived from the same cells. The design is in docs/statistics.md.
 */

export const EPISODE_METRICS_COLUMNS = ["condition", "seed", "episode", "metric", "value", "numerator", "denominator"] as const;
export const SUMMARY_COLUMNS = [
  "condition",
  "metric",
  "mean",
  "std",
  "ci_low",
  "ci_high",
  "n",
  "n_seeds",
  "n_episodes",
  "interval",
  "note",
] as const;
export const COMPARISON_COLUMNS = [
  "metric",
  "baseline",
  "condition",
  "difference",
  "ci_low",
  "ci_high",
  "p_value",
  "p_holm",
  "p_bh",
  "test",
  "note",
] as const;
export const AGGREGATES_COLUMNS = [
  "condition",
  "metric",
  "iqm",
  "iqm_low",
  "iqm_high",
  "median",
  "median_low",
  "median_high",
  "n_seeds",
  "n_episodes",
  "baseline",
  "higher_is_better",
  "probability_of_improvement",
  "poi_low",
  "poi_high",
  "interval",
  "note",
] as const;

/** The interval and test names written into the tables (`interval`, `test`). */
export const METHODS = {
  crossed: `pigeonhole bootstrap percentile 95% (seeds x episodes resampled independently, B=${CROSSED_DEFAULTS.resamples})`,
  wilson: "Wilson score 95% over the evaluation episodes (no variation observed)",
  none: "none",
  paired: `pigeonhole bootstrap of the difference: paired on evaluation episodes, training seeds independent (B=${CROSSED_DEFAULTS.resamples})`,
  welch: "Welch t-test over per-episode means of unpaired runs (different evaluation draws; seed effects not in the variance)",
  stratified: `stratified bootstrap percentile 95% (seeds resampled within each evaluation episode, B=${STRATIFIED_RESAMPLES})`,
} as const;

/** `note` values. */
export const NOTES = {
  deterministic: "deterministic",
  single: "single observation",
  empty: "no values",
} as const;

export type SummaryRow = {
  condition: string;
  metric: string;
  mean: number;
  std: number;
  ci_low: number;
  ci_high: number;
  n: number;
  n_seeds: number;
  n_episodes: number;
  interval: string;
  note: string;
};

export type ComparisonRow = {
  metric: string;
  baseline: string;
  condition: string;
  difference: number;
  ci_low: number;
  ci_high: number;
  p_value: number;
  p_holm: number;
  p_bh: number;
  test: string;
  note: string;
};

export type AggregateRow = {
  condition: string;
  metric: string;
  iqm: number;
  iqm_low: number;
  iqm_high: number;
  median: number;
  median_low: number;
  median_high: number;
  n_seeds: number;
  n_episodes: number;
  baseline: string;
  higher_is_better: boolean | null;
  probability_of_improvement: number;
  poi_low: number;
  poi_high: number;
  interval: string;
  note: string;
};

export interface EstimateOptions {
  /** Order of conditions (others alphabetically after them). */
  conditions?: readonly string[];
  /** Conditions whose cells are copies of one deterministic outcome (computed once); their `note` says so. */
  deterministic?: readonly string[];
  resamples?: number;
  /**
   * Which metrics are rates (per-episode 0/1 values whose mean is a share), for the Wilson interval; default: the
   * metric dictionary's unit is a "share of ..." (e.g. contracts/illogical_rate, pareto/dominated).
   */
  isRate?: (metric: string) => boolean;
  /** Base seed of the bootstrap generators (default 0); each (condition, metric) derives its own. */
  seed?: number;
}

type Groups = Map<string, Map<string, EpisodeMetricRecord[]>>; // condition -> metric -> records

function group(records: readonly EpisodeMetricRecord[]): Groups {
  const g: Groups = new Map();
  for (const r of records) {
    let byMetric = g.get(r.condition);
    if (!byMetric) g.set(r.condition, (byMetric = new Map()));
    let list = byMetric.get(r.metric);
    if (!list) byMetric.set(r.metric, (list = []));
    list.push(r);
  }
  return g;
}

function orderConditions(all: Iterable<string>, order?: readonly string[]): string[] {
  const set = [...new Set(all)];
  const given = (order ?? []).filter((c) => set.includes(c));
  return [...given, ...set.filter((c) => !given.includes(c)).sort(compareStrings)];
}

/** Whether a condition's outcomes vary across its evaluation episodes in any metric (i.e. the draws differ). */
function drawsVary(byMetric: Map<string, EpisodeMetricRecord[]>): boolean {
  for (const list of byMetric.values()) {
    const m = cellMatrix(list);
    const E = m.episodes.length;
    for (let s = 0; s < m.seeds.length; s++) {
      let first: number | undefined;
      for (let e = 0; e < E; e++) {
        const k = s * E + e;
        if (m.den[k] === 0) continue;
        const x = m.num[k] / m.den[k];
        if (first === undefined) first = x;
        else if (Math.abs(x - first) > 1e-12 * Math.max(1, Math.abs(first))) return true;
      }
    }
  }
  return false;
}

function isBinary(values: readonly number[]): boolean {
  return values.length > 0 && values.every((v) => v === 0 || v === 1);
}

/** `metrics.csv` rows derived from the cells: per condition, seed and metric, Σ num / Σ den over the episodes. */
export function seedMetricRecords(records: readonly EpisodeMetricRecord[]): MetricRecord[] {
  const acc = new Map<string, { condition: string; seed: number; metric: string; num: number; den: number }>();
  for (const r of records) {
    const key = JSON.stringify([r.condition, r.seed, r.metric]);
    const a = acc.get(key) ?? { condition: r.condition, seed: r.seed, metric: r.metric, num: 0, den: 0 };
    const [n, d] = cellParts(r);
    a.num += n;
    a.den += d;
    acc.set(key, a);
  }
  return [...acc.values()].map((a) => ({
    condition: a.condition,
    seed: a.seed,
    metric: a.metric,
    value: a.den !== 0 ? a.num / a.den : NaN,
  }));
}

/**
 * `summary.csv`: per condition and metric the estimate Σ num / Σ den over seeds x episodes, the sample std of the
 * cells, and the pigeonhole bootstrap interval. No variation: empty interval and `note` = deterministic, except a
 * rate (`isRate`) with 0/1 cells whose draws differ (the condition varies over episodes in other metrics), which gets the Wilson interval
 * over the episodes (inside [0, 1]). Bootstrap intervals of rates lie inside [0, 1] by construction.
 */
export function summaryRows(records: readonly EpisodeMetricRecord[], opts: EstimateOptions = {}): SummaryRow[] {
  const groups = group(records);
  const det = new Set(opts.deterministic ?? []);
  const isRate = opts.isRate ?? ((metric: string) => (metricInfo(metric)?.unit ?? "").startsWith("share of"));
  const rows: SummaryRow[] = [];
  for (const condition of orderConditions(groups.keys(), opts.conditions)) {
    const byMetric = groups.get(condition)!;
    const vary = drawsVary(byMetric);
    for (const metric of [...byMetric.keys()].sort(compareStrings)) {
      const m = cellMatrix(byMetric.get(metric)!);
      const values = cellValues(m);
      const nSeeds = new Set(
        byMetric
          .get(metric)!
          .filter((r) => Number.isFinite(cellParts(r)[1]) && cellParts(r)[1] !== 0)
          .map((r) => r.seed),
      ).size;
      const nEpisodes = new Set(
        byMetric
          .get(metric)!
          .filter((r) => cellParts(r)[1] !== 0)
          .map((r) => r.episode),
      ).size;
      const base = { condition, metric, std: std(values), n: values.length, n_seeds: nSeeds, n_episodes: nEpisodes };
      if (values.length === 0) {
        rows.push({ ...base, mean: NaN, ci_low: NaN, ci_high: NaN, interval: METHODS.none, note: NOTES.empty });
        continue;
      }
      const iv = crossedInterval(m, { resamples: opts.resamples, seed: deriveSeed(opts.seed ?? 0, "summary", condition, metric) });
      if (!iv.noVariation) {
        rows.push({ ...base, mean: iv.estimate, ci_low: iv.low, ci_high: iv.high, interval: METHODS.crossed, note: "" });
      } else if (vary && isRate(metric) && isBinary(values) && nEpisodes > 1) {
        const w = wilsonInterval(values[0] * nEpisodes, nEpisodes);
        rows.push({ ...base, mean: iv.estimate, ci_low: w.low, ci_high: w.high, interval: METHODS.wilson, note: "" });
      } else {
        const note = values.length > 1 || det.has(condition) ? NOTES.deterministic : NOTES.single;
        rows.push({ ...base, mean: iv.estimate, ci_low: NaN, ci_high: NaN, interval: METHODS.none, note });
      }
    }
  }
  return rows;
}

/**
 * `comparison.csv`: for every metric and every condition other than `baseline`, the difference condition − baseline.
 * Paired (default): both were evaluated on the same episodes (checked), and the pigeonhole bootstrap of the
 * difference pairs on the episode and resamples each condition's seeds independently. A condition for which
 * `unpaired(condition)` is true (one of a run evaluated on other draws than the baseline's): Welch's t-test over the
 * per-episode means (mean over seeds) of each side. No variation: empty interval and p, `note` = deterministic. The
 * family of {@link adjustFamily} is every row with a p-value.
 */
export function comparisonRows(
  records: readonly EpisodeMetricRecord[],
  baseline: string,
  opts: EstimateOptions & { unpaired?: (condition: string) => boolean } = {},
): ComparisonRow[] {
  const groups = group(records);
  const base = groups.get(baseline);
  if (!base) throw new RangeError(`comparison baseline "${baseline}" has no records`);
  const rows: ComparisonRow[] = [];
  const conditions = orderConditions(groups.keys(), opts.conditions).filter((c) => c !== baseline);
  const metrics = [...base.keys()].sort(compareStrings);
  for (const metric of metrics) {
    for (const condition of conditions) {
      const other = groups.get(condition)!.get(metric);
      if (!other) continue;
      const row = { metric, baseline, condition, p_holm: NaN, p_bh: NaN };
      if (opts.unpaired?.(condition)) {
        const a = episodeMeans(cellMatrix(other));
        const b = episodeMeans(cellMatrix(base.get(metric)!));
        const t = welchTTest(a, b);
        const flat = Number.isNaN(t.se) ? true : t.se === 0;
        rows.push({
          ...row,
          difference: t.difference,
          ci_low: flat ? NaN : t.low,
          ci_high: flat ? NaN : t.high,
          p_value: flat ? NaN : t.pValue,
          test: METHODS.welch,
          note: flat ? (a.length < 2 || b.length < 2 ? NOTES.single : NOTES.deterministic) : "",
        });
        continue;
      }
      const episodes = [...new Set([...base.get(metric)!, ...other].map((r) => r.episode))].sort((p, q) => p - q);
      const d = crossedDifference(cellMatrix(other, episodes), cellMatrix(base.get(metric)!, episodes), {
        resamples: opts.resamples,
        seed: deriveSeed(opts.seed ?? 0, "comparison", condition, metric),
      });
      rows.push({
        ...row,
        difference: d.estimate,
        ci_low: d.noVariation ? NaN : d.low,
        ci_high: d.noVariation ? NaN : d.high,
        p_value: d.pValue,
        test: METHODS.paired,
        note: Number.isNaN(d.estimate) ? NOTES.empty : d.noVariation ? NOTES.deterministic : "",
      });
    }
  }
  return adjustFamily(rows);
}

/** How the differences of a comparison table were tested, in words for a legend or caption. */
export function comparisonTestsPhrase(rows: readonly { test?: string }[]): string {
  const welch = rows.some((r) => r.test === METHODS.welch);
  const paired = rows.some((r) => r.test === METHODS.paired);
  if (welch && paired)
    return "paired on evaluation episodes within runs on the same draws, Welch t-tests between runs on different draws (column test of comparison.csv)";
  return welch ? "Welch t-tests over per-episode means (runs on different draws)" : "paired on evaluation episodes";
}

/**
 * The smallest Holm-adjusted p a comparison table can show, when every test in it is the paired bootstrap: a
 * bootstrap p is at least 2 / (B + 1) (never 0), so with m tests no p_holm is below min(1, m · 2 / (B + 1)), and a
 * threshold below that floor cannot be met however large a difference is. B is read from the test's name.
 * Undefined when the table has no tests or a test of another kind (Welch's p has no such floor).
 */
export function holmFloor(rows: readonly { test?: string; p_value?: number | string }[]): number | undefined {
  const tests = rows.filter((r) => r.p_value !== undefined && r.p_value !== "" && !Number.isNaN(Number(r.p_value)));
  if (tests.length === 0 || tests.some((r) => !r.test?.startsWith(METHODS.paired.slice(0, METHODS.paired.indexOf(":"))))) return undefined;
  const B = Number(/\(B=(\d+)\)/.exec(tests[0].test ?? "")?.[1]);
  return Number.isFinite(B) && B > 0 ? Math.min(1, (tests.length * 2) / (B + 1)) : undefined;
}

/** Per-episode means over the seeds (Σ num / Σ den within each episode). */
function episodeMeans(m: CellMatrix): number[] {
  const out: number[] = [];
  const E = m.episodes.length;
  for (let e = 0; e < E; e++) {
    let n = 0;
    let d = 0;
    for (let s = 0; s < m.seeds.length; s++) {
      n += m.num[s * E + e];
      d += m.den[s * E + e];
    }
    if (d !== 0) out.push(n / d);
  }
  return out;
}

/**
 * Holm (family-wise error) and Benjamini-Hochberg (false discovery rate) adjusted p-values over one family: all
 * rows of one comparison table that have a p-value (every metric x condition tested against the baseline).
 */
export function adjustFamily<R extends { p_value: number; p_holm: number; p_bh: number }>(rows: R[]): R[] {
  const p = rows.map((r) => r.p_value);
  const h = holm(p);
  const b = benjaminiHochberg(p);
  return rows.map((r, i) => ({ ...r, p_holm: h[i], p_bh: b[i] }));
}

/**
 * `aggregates.csv` (rliable, Agarwal et al. 2021): per condition and metric the interquartile mean and the median
 * of the cells (seeds x episodes) with stratified bootstrap intervals (seeds resampled within each episode), and,
 * where `higherIsBetter(metric)` is defined, the probability of improvement over the baseline: the mean over episodes
 * of P(X > Y) + ½ P(X = Y) between the condition's and the baseline's seeds (lower is better: P(X < Y) + ½ P(X = Y)).
 */
export function aggregateRows(
  records: readonly EpisodeMetricRecord[],
  baseline: string | undefined,
  higherIsBetter: (metric: string) => boolean | undefined,
  opts: EstimateOptions = {},
): AggregateRow[] {
  const groups = group(records);
  const rows: AggregateRow[] = [];
  const resamples = opts.resamples === undefined ? undefined : Math.min(opts.resamples, STRATIFIED_RESAMPLES);
  for (const condition of orderConditions(groups.keys(), opts.conditions)) {
    const byMetric = groups.get(condition)!;
    for (const metric of [...byMetric.keys()].sort(compareStrings)) {
      const list = byMetric.get(metric)!;
      const m = cellMatrix(list);
      const st = strata(m);
      const flat = (s: number[][]) => {
        let k = 0;
        for (const row of s) for (const x of row) pool[k++] = x;
        return pool.subarray(0, k) as unknown as number[];
      };
      const seed = (what: string) => deriveSeed(opts.seed ?? 0, what, condition, metric);
      const values = cellValues(m);
      const pool = new Float64Array(values.length);
      const nEpisodes = st.filter((row) => row.length > 0).length;
      const nSeeds = m.seeds.length;
      const hib = higherIsBetter(metric);
      const row: AggregateRow = {
        condition,
        metric,
        iqm: NaN,
        iqm_low: NaN,
        iqm_high: NaN,
        median: NaN,
        median_low: NaN,
        median_high: NaN,
        n_seeds: nSeeds,
        n_episodes: nEpisodes,
        baseline: baseline ?? "",
        higher_is_better: hib ?? null,
        probability_of_improvement: NaN,
        poi_low: NaN,
        poi_high: NaN,
        interval: METHODS.stratified,
        note: "",
      };
      if (values.length === 0) {
        rows.push({ ...row, interval: METHODS.none, note: NOTES.empty });
        continue;
      }
      const iqm = stratifiedInterval([st], (s) => interquartileMean(flat(s)), { resamples, seed: seed("iqm") });
      const med = stratifiedInterval([st], (s) => median(flat(s)), { resamples, seed: seed("median") });
      row.iqm = iqm.estimate;
      row.median = med.estimate;
      if (!iqm.noVariation) [row.iqm_low, row.iqm_high] = [iqm.low, iqm.high];
      if (!med.noVariation) [row.median_low, row.median_high] = [med.low, med.high];
      const baseList = baseline !== undefined && condition !== baseline ? groups.get(baseline)?.get(metric) : undefined;
      let poiFlat = true;
      if (hib !== undefined && baseList) {
        const episodes = [...new Set([...list, ...baseList].map((r) => r.episode))].sort((p, q) => p - q);
        const sx = strata(cellMatrix(list, episodes));
        const sy = strata(cellMatrix(baseList, episodes));
        const poi = stratifiedInterval([sx, sy], (x, y) => (hib ? probabilityOfImprovement(x, y) : probabilityOfImprovement(y, x)), {
          resamples,
          seed: seed("poi"),
        });
        row.probability_of_improvement = poi.estimate;
        poiFlat = poi.noVariation;
        if (!poi.noVariation) [row.poi_low, row.poi_high] = [poi.low, poi.high];
      }
      if (iqm.noVariation && med.noVariation && poiFlat)
        row.note =
          nSeeds > 1 || (opts.deterministic ?? []).includes(condition) ? NOTES.deterministic : "single seed: no seed variation to resample";
      else if (nSeeds < 2) row.note = "single seed: no seed variation to resample";
      rows.push(row);
    }
  }
  return rows;
}
