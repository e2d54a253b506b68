import { describe, expect, it } from "vitest";
import { parseCsv, toCsv } from "../io/csv.js";
import type { EpisodeMetricRecord } from "./crossed.js";
import {
  aggregateRows,
  COMPARISON_COLUMNS,
  comparisonRows,
  holmFloor,
  METHODS,
  seedMetricRecords,
  SUMMARY_COLUMNS,
  summaryRows,
} from "./estimates.js";

/** cells[s][e] of one condition and metric. */
function cells(condition: string, metric: string, values: number[][]): EpisodeMetricRecord[] {
  return values.flatMap((row, s) => row.map((value, e) => ({ condition, seed: s, episode: e, metric, value })));
}

const records: EpisodeMetricRecord[] = [
  ...cells("analytic", "profit", [[10, 12, 8, 11]]),
  ...cells("analytic", "rate", [[0, 0, 0, 0]]),
  ...cells("analytic", "const", [[5, 5, 5, 5]]),
  ...cells("learned", "profit", [
    [11, 13, 9, 12],
    [12, 14, 10, 13],
    [10.5, 12.5, 8.5, 11.5],
  ]),
  ...cells("learned", "rate", [
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
  ]),
  ...cells("learned", "const", [
    [5, 5, 5, 5],
    [5, 5, 5, 5],
    [5, 5, 5, 5],
  ]),
];
const isRate = (m: string) => m === "rate";
const opts = { conditions: ["analytic", "learned"], deterministic: ["analytic"], resamples: 2000, isRate };

describe("summaryRows over seeds x episodes", () => {
  const rows = summaryRows(records, opts);
  const get = (c: string, m: string) => rows.find((r) => r.condition === c && r.metric === m)!;
  it("an analytic condition gets an interval from the draws", () => {
    const r = get("analytic", "profit");
    expect(r).toMatchObject({ n: 4, n_seeds: 1, n_episodes: 4, interval: METHODS.crossed, note: "" });
    expect(r.mean).toBeCloseTo(10.25, 12);
    expect(r.ci_low).toBeLessThan(10.25);
    expect(r.ci_high).toBeGreaterThan(10.25);
  });
  it("copies: empty interval, note deterministic", () => {
    expect(get("learned", "const")).toMatchObject({ mean: 5, interval: "none", note: "deterministic" });
    expect(get("learned", "const").ci_low).toBeNaN();
  });
  it("a rate that is 0 on every one of several different draws gets the Wilson interval over the episodes", () => {
    // computed once (no seed variation), but its other metrics vary over the draws: not exact
    const r = get("analytic", "rate");
    expect(r.interval).toBe(METHODS.wilson);
    expect(r.ci_high).toBeCloseTo(0.4898908364545973, 10); // scipy binomtest(0, 4).proportion_ci(method="wilson").high
    const all = summaryRows(
      [
        ...cells("x", "profit", [
          [1, 2, 3],
          [2, 3, 4],
        ]),
        ...cells("x", "rate", [
          [0, 0, 0],
          [0, 0, 0],
        ]),
        ...cells("x", "eff", [
          [1, 1, 1],
          [1, 1, 1],
        ]),
      ],
      { isRate },
    );
    // a constant 1 that is not a rate (e.g. the counterfactual's own efficiency) is exact
    expect(all.find((x) => x.metric === "eff")!.note).toBe("deterministic");
    const rr = all.find((x) => x.metric === "rate")!;
    expect(rr.interval).toBe(METHODS.wilson);
    expect(rr.ci_low).toBe(0);
    expect(rr.ci_high).toBeCloseTo(0.5614970317550454, 10); // scipy binomtest(0, 3).proportion_ci(method="wilson").high
  });
  it("a rate near 0 gets an interval inside [0, 1] where a normal interval would leave it", () => {
    // 2 successes in 12 cells: a normal interval over the cells, mean ± 1.96 sd / √12, reaches below 0 (checked
    // here so the data really sits at the boundary); the crossed bootstrap's stays inside [0, 1] and is not degenerate.
    const values = [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    const mean = 2 / 12;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    expect(mean - 1.96 * (sd / Math.sqrt(values.length))).toBeLessThan(0);
    const r = get("learned", "rate");
    expect(r.interval).toBe(METHODS.crossed);
    expect(r.mean).toBeCloseTo(mean, 12);
    expect(r.ci_low).toBeGreaterThanOrEqual(0);
    expect(r.ci_low).toBeLessThan(r.mean);
    expect(r.ci_high).toBeGreaterThan(r.mean);
    expect(r.ci_high).toBeLessThanOrEqual(1);
  });
  it("writes to CSV that parses back", () => {
    const back = parseCsv(toCsv(SUMMARY_COLUMNS, rows));
    expect(Object.keys(back[0])).toEqual([...SUMMARY_COLUMNS]);
    expect(back.find((r) => r.condition === "learned" && r.metric === "const")).toMatchObject({
      ci_low: "",
      ci_high: "",
      note: "deterministic",
    });
  });
});

describe("comparisonRows", () => {
  const rows = comparisonRows(records, "analytic", opts);
  it("pairs on episodes; a difference of copies is deterministic, never p = 0", () => {
    const c = rows.find((r) => r.metric === "const")!;
    expect(c).toMatchObject({ difference: 0, note: "deterministic", test: METHODS.paired });
    expect(c.p_value).toBeNaN();
    expect(c.p_holm).toBeNaN();
    const p = rows.find((r) => r.metric === "profit")!;
    expect(p.difference).toBeCloseTo(137 / 12 - 10.25, 12);
    expect(p.p_value).toBeGreaterThan(0);
    expect(p.p_value).toBeLessThan(0.01);
  });
  it("Holm and BH over the rows with a p-value", () => {
    const tested = rows.filter((r) => !Number.isNaN(r.p_value));
    expect(tested).toHaveLength(2);
    const sorted = [...tested].sort((a, b) => a.p_value - b.p_value);
    expect(sorted[0].p_holm).toBeCloseTo(Math.min(1, 2 * sorted[0].p_value), 12);
    expect(sorted[1].p_bh).toBeCloseTo(sorted[1].p_value, 12);
    expect(toCsv(COMPARISON_COLUMNS, rows).split("\n")[0]).toBe(
      "metric,baseline,condition,difference,ci_low,ci_high,p_value,p_holm,p_bh,test,note",
    );
  });
  it("unpaired runs: Welch over per-episode means, labelled", () => {
    const r = comparisonRows(records, "analytic", { ...opts, unpaired: () => true }).find((x) => x.metric === "profit")!;
    expect(r.test).toBe(METHODS.welch);
    expect(r.p_value).toBeGreaterThan(0);
  });
  it("an unknown baseline throws", () => {
    expect(() => comparisonRows(records, "nobody")).toThrow(/baseline/);
  });
  it("the Holm floor: m tests of the paired bootstrap with B resamples cannot give p_holm below m * 2 / (B + 1)", () => {
    const paired = (p: number | string) => ({ test: METHODS.paired, p_value: p });
    const B = Number(/B=(\d+)/.exec(METHODS.paired)![1]);
    expect(holmFloor([paired(0.5), paired(0.01), paired(""), paired(NaN)])).toBeCloseTo((2 * 2) / (B + 1), 15);
    expect(holmFloor(Array.from({ length: 80 }, () => paired(0.3)))).toBeCloseTo(160 / (B + 1), 15); // 0.016 for B = 10,000
    expect(holmFloor([paired(0.5), { test: METHODS.welch, p_value: 0.5 }])).toBeUndefined(); // Welch p has no floor
    expect(holmFloor([paired("")])).toBeUndefined();
    // rows as a run writes them (B as named in the test column): every resample of the learned "profit" lies above
    // the baseline's, so its p is 2/(B+1) and its p_holm is exactly the floor
    const rows = comparisonRows(records, "analytic", { ...opts, resamples: undefined });
    const profit = rows.find((r) => r.metric === "profit")!;
    expect(profit.p_value).toBeCloseTo(2 / (B + 1), 15);
    expect(profit.p_holm).toBeCloseTo(holmFloor(rows)!, 15);
  });
});

describe("aggregateRows and metrics.csv", () => {
  it("IQM, median and probability of improvement per condition", () => {
    const hib = (m: string) => (m === "profit" ? true : m === "rate" ? false : undefined);
    const rows = aggregateRows(records, "analytic", hib, opts);
    const lp = rows.find((r) => r.condition === "learned" && r.metric === "profit")!;
    // on every episode every learned seed beats the analytic value
    expect(lp.probability_of_improvement).toBe(1);
    expect(lp.iqm).toBeCloseTo(11.583333333333334, 12); // scipy.stats.trim_mean(cells, 0.25)
    const ap = rows.find((r) => r.condition === "analytic" && r.metric === "profit")!;
    expect(ap.note).toBe("deterministic"); // one seed: nothing to resample within an episode
    expect(rows.find((r) => r.condition === "learned" && r.metric === "const")!.probability_of_improvement).toBeNaN();
    expect(rows.find((r) => r.condition === "learned" && r.metric === "rate")!.higher_is_better).toBe(false);
  });
  it("metrics.csv values are Σ num / Σ den of each seed's episodes", () => {
    const r = seedMetricRecords([
      { condition: "a", seed: 0, episode: 0, metric: "eff", value: 0.5, num: 1, den: 2 },
      { condition: "a", seed: 0, episode: 1, metric: "eff", value: 1, num: 4, den: 4 },
    ]);
    expect(r[0].value).toBeCloseTo(5 / 6, 12);
  });
});
