import * as dfd from "danfojs-node";

/**
 * Tidy per-(condition, seed) metric records and `metrics.csv` rows (summary, comparison and aggregates over seeds x
 * evaluation episodes are in estimates.ts). Rows come out in a deterministic order: conditions in the given order (else
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

export interface TableOptions {
  /** Order of conditions in the output (others follow alphabetically). */
  conditions?: readonly string[];
}

/** Flatten `{condition, seed, metrics: {name: value}}` results into metric records. */
export function metricRecords(results: readonly { condition: string; seed: number; metrics: Record<string, number> }[]): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const r of results)
    for (const [metric, value] of Object.entries(r.metrics)) out.push({ condition: r.condition, seed: r.seed, metric, value });
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
  return [...records]
    .sort((a, b) => rank(a.condition) - rank(b.condition) || compareStrings(a.metric, b.metric) || a.seed - b.seed)
    .map((r) => ({ condition: r.condition, seed: r.seed, metric: r.metric, value: r.value }));
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
