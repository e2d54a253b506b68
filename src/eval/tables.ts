import * as dfd from "danfojs-node";
import { deriveSeed } from "../core/rng.js";
import { bootstrapConfidenceInterval, pairedDifference, tConfidenceInterval, welchTTest } from "./statistics.js";

/**
 * Tidy result tables from per-(condition, seed) metric records: `metrics.csv`, `summary.csv` and
 * `comparison.csv` rows. Rows come out in a deterministic order: conditions in the given order (else
 * alphabetical), metrics alphabetical, seeds ascending. Write them with `toCsv` from src/io/csv.ts
 * (the `*_COLUMNS` constants are the headers).
 */

/** One observation: the value of one metric for one condition and seed. */
export type MetricRecord = {
  condition: string;
  seed: number;
  metric: string;
  value: number;
};

export const METRICS_COLUMNS = ["condition", "seed", "metric", "value"] as const;
export const SUMMARY_COLUMNS = ["condition", "metric", "mean", "std", "ci_low", "ci_high", "n"] as const;
export const COMPARISON_COLUMNS = ["metric", "baseline", "condition", "difference", "ci_low", "ci_high", "p_value", "test"] as const;

export type SummaryRow = {
  condition: string;
  metric: string;
  mean: number;
  std: number;
  ci_low: number;
  ci_high: number;
  n: number;
};

export type ComparisonRow = {
  metric: string;
  baseline: string;
  condition: string;
  difference: number;
  ci_low: number;
  ci_high: number;
  p_value: number;
  /**
   * "paired" (same seeds: paired t over seeds), "welch" (Welch's unequal-variance t-test), or "none": both
   * conditions are the same for every seed (no learner: the seeds are copies), so there is no sampling
   * uncertainty over seeds to test; the difference is reported with empty CI and p-value.
   */
  test: "paired" | "welch" | "none";
};

export interface TableOptions {
  /** Order of conditions in the output (others follow alphabetically). */
  conditions?: readonly string[];
  /** Confidence level (default 0.95). */
  level?: number;
  /**
   * Conditions whose values do not depend on the seed (nothing trained: analytic and scripted agents only). A
   * comparison of two of them gets test "none" and no CI or p-value: copies are not replications.
   */
  seedIndependent?: readonly string[];
}

export interface SummaryOptions extends TableOptions {
  /** "t" (default): Student t interval; "bootstrap": percentile bootstrap. */
  ci?: "t" | "bootstrap";
  /** Bootstrap resamples (default 10 000) and base seed (default 0); each (condition, metric) derives its own seed. */
  resamples?: number;
  seed?: number;
}

/** Flatten `{condition, seed, metrics: {name: value}}` results into metric records. */
export function metricRecords(results: readonly { condition: string; seed: number; metrics: Record<string, number> }[]): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const r of results) for (const [metric, value] of Object.entries(r.metrics)) out.push({ condition: r.condition, seed: r.seed, metric, value });
  return out;
}

/** `metrics.csv` rows in deterministic order. Duplicated (condition, seed, metric) triples are an error. */
export function metricsRows(records: readonly MetricRecord[], opts: TableOptions = {}): MetricRecord[] {
  const seen = new Set<string>();
  for (const r of records) {
    const key = JSON.stringify([r.condition, r.seed, r.metric]);
    if (seen.has(key)) throw new RangeError(`duplicate metric record: condition ${r.condition}, seed ${r.seed}, metric ${r.metric}`);
    seen.add(key);
  }
  const rank = conditionRank(records, opts.conditions);
  return [...records].sort(
    (a, b) => rank(a.condition) - rank(b.condition) || compareStrings(a.metric, b.metric) || a.seed - b.seed,
  ).map((r) => ({ condition: r.condition, seed: r.seed, metric: r.metric, value: r.value }));
}

/**
 * `summary.csv` rows: per condition and metric, the mean, sample std, confidence interval and n over seeds.
 * NaN values (a metric undefined for a seed, e.g. Nash welfare with a zero profit) are left out, and `n`
 * counts the values used.
 */
export function summaryRows(records: readonly MetricRecord[], opts: SummaryOptions = {}): SummaryRow[] {
  const level = opts.level ?? 0.95;
  const rows: SummaryRow[] = [];
  for (const [[condition, metric], group] of groupBy(records, ["condition", "metric"])) {
    const xs = group.filter((r) => !Number.isNaN(r.value)).sort((a, b) => a.seed - b.seed).map((r) => r.value);
    const t = tConfidenceInterval(xs, level);
    let low = t.low;
    let high = t.high;
    if (opts.ci === "bootstrap") {
      const b = bootstrapConfidenceInterval(xs, { level, resamples: opts.resamples, seed: deriveSeed(opts.seed ?? 0, condition, metric) });
      low = b.low;
      high = b.high;
    }
    rows.push({ condition, metric, mean: t.mean, std: t.std, ci_low: low, ci_high: high, n: xs.length });
  }
  const rank = conditionRank(records, opts.conditions);
  return rows.sort((a, b) => rank(a.condition) - rank(b.condition) || compareStrings(a.metric, b.metric));
}

/**
 * `comparison.csv` rows: for every metric and every condition other than `baseline`, the difference
 * condition - baseline with its confidence interval and two-sided p-value. When both conditions have values
 * (non-NaN) for exactly the same seeds, the test is paired over seeds (mean of per-seed differences, t CI,
 * paired t-test); otherwise the difference of means with Welch's test.
 */
export function comparisonRows(records: readonly MetricRecord[], baseline: string, opts: TableOptions = {}): ComparisonRow[] {
  const level = opts.level ?? 0.95;
  const byKey = new Map<string, Map<number, number>>(); // condition\u0000metric -> seed -> value
  for (const [[condition, metric], group] of groupBy(records, ["condition", "metric"])) {
    byKey.set(`${condition}\u0000${metric}`, new Map(group.filter((r) => !Number.isNaN(r.value)).map((r) => [r.seed, r.value])));
  }
  if (!records.some((r) => r.condition === baseline)) throw new RangeError(`comparison baseline "${baseline}" has no records`);
  const rank = conditionRank(records, opts.conditions);
  const conditions = [...new Set(records.map((r) => r.condition))].filter((c) => c !== baseline).sort((a, b) => rank(a) - rank(b));
  const metrics = [...new Set(records.map((r) => r.metric))].sort(compareStrings);
  const rows: ComparisonRow[] = [];
  for (const metric of metrics) {
    const base = byKey.get(`${baseline}\u0000${metric}`);
    if (!base) continue;
    for (const condition of conditions) {
      const other = byKey.get(`${condition}\u0000${metric}`);
      if (!other) continue;
      const seedsA = [...other.keys()].sort((a, b) => a - b);
      const seedsB = [...base.keys()].sort((a, b) => a - b);
      const sameSeeds = seedsA.length === seedsB.length && seedsA.every((s, i) => s === seedsB[i]);
      if (opts.seedIndependent?.includes(condition) && opts.seedIndependent.includes(baseline)) {
        const mean = (xs: Iterable<number>) => {
          const v = [...xs];
          return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
        };
        rows.push({ metric, baseline, condition, difference: mean(other.values()) - mean(base.values()), ci_low: NaN, ci_high: NaN, p_value: NaN, test: "none" });
        continue;
      }
      const r = sameSeeds
        ? pairedDifference(seedsA.map((s) => other.get(s)!), seedsA.map((s) => base.get(s)!), level)
        : welchTTest(seedsA.map((s) => other.get(s)!), seedsB.map((s) => base.get(s)!), level);
      rows.push({ metric, baseline, condition, difference: r.difference, ci_low: r.low, ci_high: r.high, p_value: r.pValue, test: sameSeeds ? "paired" : "welch" });
    }
  }
  return rows;
}

/**
 * Group records by key columns with a danfojs DataFrame; returns [key values, records of the group] in the
 * order groups first appear (callers sort). danfojs joins multi-column keys with "-", which would merge
 * ("a-b", "c") with ("a", "b-c"); so the frame is grouped on one JSON-encoded key column instead.
 */
export function groupBy<R extends object>(records: readonly R[], keys: (keyof R & string)[]): [string[], R[]][] {
  if (records.length === 0) return [];
  const GROUP = "__group__";
  const rows = records.map((r, i) => ({ [GROUP]: JSON.stringify(keys.map((k) => String(r[k]))), __row__: i }));
  const grouped = new dfd.DataFrame(rows).groupby([GROUP]);
  const keyToValue = (grouped as unknown as { keyToValue: Record<string, string[]> }).keyToValue;
  const out: [string[], R[]][] = [];
  for (const [value] of Object.values(keyToValue)) {
    const idx = grouped.getGroup([value])["__row__"].values as number[];
    out.push([JSON.parse(value) as string[], idx.map((i) => records[i])]);
  }
  return out;
}

function conditionRank(records: readonly { condition: string }[], order?: readonly string[]): (c: string) => number {
  const all = [...new Set(records.map((r) => r.condition))];
  const given = (order ?? []).filter((c) => all.includes(c));
  const rest = all.filter((c) => !given.includes(c)).sort(compareStrings);
  const ranks = new Map([...given, ...rest].map((c, i) => [c, i]));
  return (c) => ranks.get(c) ?? Number.MAX_SAFE_INTEGER;
}

/** Locale-independent string order (code units), so tables do not depend on the machine's locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
