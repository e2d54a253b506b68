import { describe, expect, it } from "vitest";
import { parseCsv, toCsv } from "../io/csv.js";
import {
  COMPARISON_COLUMNS,
  comparisonRows,
  groupBy,
  metricRecords,
  metricsRows,
  SUMMARY_COLUMNS,
  summaryRows,
  type MetricRecord,
} from "./tables.js";

const records: MetricRecord[] = metricRecords([
  { condition: "learned", seed: 2, metrics: { eff: 0.9, gini: 0.3 } },
  { condition: "analytic", seed: 1, metrics: { eff: 1.0, gini: 0.2 } },
  { condition: "learned", seed: 1, metrics: { eff: 0.8, gini: 0.4 } },
  { condition: "analytic", seed: 2, metrics: { eff: 1.0, gini: 0.25 } },
  { condition: "learned", seed: 3, metrics: { eff: 0.7, gini: NaN } },
  { condition: "analytic", seed: 3, metrics: { eff: 1.0, gini: 0.15 } },
]);

describe("metricsRows", () => {
  it("orders by the given conditions, then metric, then seed", () => {
    const rows = metricsRows(records, { conditions: ["analytic", "learned"] });
    expect(rows.map((r) => `${r.condition}/${r.metric}/${r.seed}`)).toEqual([
      "analytic/eff/1", "analytic/eff/2", "analytic/eff/3", "analytic/gini/1", "analytic/gini/2", "analytic/gini/3",
      "learned/eff/1", "learned/eff/2", "learned/eff/3", "learned/gini/1", "learned/gini/2", "learned/gini/3",
    ]);
    // input order does not matter
    expect(metricsRows([...records].reverse(), { conditions: ["analytic", "learned"] })).toEqual(rows);
    // without an order: alphabetical
    expect(metricsRows(records)[0].condition).toBe("analytic");
    expect(metricsRows(records, { conditions: ["learned"] })[0].condition).toBe("learned");
  });
  it("refuses duplicates", () => {
    expect(() => metricsRows([...records, records[0]])).toThrow(/duplicate/);
  });
});

describe("summaryRows", () => {
  it("mean, std, t CI and n per condition and metric; NaN values left out", () => {
    const rows = summaryRows(records, { conditions: ["analytic", "learned"] });
    expect(rows.map((r) => [r.condition, r.metric, r.n])).toEqual([
      ["analytic", "eff", 3], ["analytic", "gini", 3], ["learned", "eff", 3], ["learned", "gini", 2],
    ]);
    const le = rows[2];
    expect(le.mean).toBeCloseTo(0.8, 14);
    expect(le.std).toBeCloseTo(0.1, 14);
    const half = 4.302652729749462 * 0.1 / Math.sqrt(3);
    expect(le.ci_low).toBeCloseTo(0.8 - half, 10);
    expect(le.ci_high).toBeCloseTo(0.8 + half, 10);
    const lg = rows[3];
    expect(lg.mean).toBeCloseTo(0.35, 14);
    expect(lg.std).toBeCloseTo(Math.sqrt(0.005), 14);
    expect(rows[0].ci_low).toBe(1); // zero spread: zero-width interval
  });
  it("bootstrap intervals are seeded and lie within the data", () => {
    const a = summaryRows(records, { ci: "bootstrap", resamples: 500, seed: 3 });
    const b = summaryRows(records, { ci: "bootstrap", resamples: 500, seed: 3 });
    expect(a).toEqual(b);
    const le = a.find((r) => r.condition === "learned" && r.metric === "eff")!;
    expect(le.ci_low).toBeGreaterThanOrEqual(0.7 - 1e-12);
    expect(le.ci_high).toBeLessThanOrEqual(0.9 + 1e-12);
  });
});

describe("comparisonRows", () => {
  it("paired when both conditions have the same seeds, Welch otherwise", () => {
    const rows = comparisonRows(records, "analytic");
    expect(rows.map((r) => [r.metric, r.condition, r.test])).toEqual([
      ["eff", "learned", "paired"],
      ["gini", "learned", "welch"], // learned has no gini for seed 3
    ]);
    // eff differences -0.2, -0.1, -0.3: mean -0.2, sd 0.1
    const eff = rows[0];
    expect(eff.difference).toBeCloseTo(-0.2, 14);
    const half = 4.302652729749462 * 0.1 / Math.sqrt(3);
    expect(eff.ci_low).toBeCloseTo(-0.2 - half, 10);
    expect(eff.ci_high).toBeCloseTo(-0.2 + half, 10);
    // gini: Welch of {0.4, 0.3} against {0.2, 0.25, 0.15}
    const gini = rows[1];
    expect(gini.difference).toBeCloseTo(0.35 - 0.2, 14);
    const se = Math.sqrt(0.005 / 2 + 0.0025 / 3);
    expect(gini.ci_high - gini.difference).toBeGreaterThan(se * 1.96); // t quantile > normal quantile
    expect(gini.p_value).toBeGreaterThan(0);
    expect(gini.p_value).toBeLessThan(1);
    expect(() => comparisonRows(records, "nobody")).toThrow(/baseline/);
  });

  it("two seed-independent conditions (nothing trained): the difference, no CI and no p-value from copies", () => {
    const copies = [1, 2, 3].flatMap((seed) => [
      { condition: "analytic", seed, metric: "eff", value: 1 },
      { condition: "bid-80", seed, metric: "eff", value: 0.9 },
      { condition: "learned", seed, metric: "eff", value: 0.9 + seed / 100 },
    ]);
    const rows = comparisonRows(copies, "analytic", { seedIndependent: ["analytic", "bid-80"] });
    expect(rows.map((r) => [r.condition, r.test])).toEqual([["bid-80", "none"], ["learned", "paired"]]);
    expect(rows[0].difference).toBeCloseTo(-0.1, 14);
    expect([rows[0].ci_low, rows[0].ci_high, rows[0].p_value]).toEqual([NaN, NaN, NaN]);
    // without the option the copies look like a certain difference: p = 0
    expect(comparisonRows(copies, "analytic")[0].p_value).toBe(0);
  });
});

describe("groupBy and CSV", () => {
  it("does not merge keys that danfojs would join to the same string", () => {
    const groups = groupBy(
      [
        { c: "x-y", m: "z", v: 1 },
        { c: "x", m: "y-z", v: 2 },
        { c: "x-y", m: "z", v: 3 },
      ],
      ["c", "m"],
    );
    expect(groups).toEqual([
      [["x-y", "z"], [{ c: "x-y", m: "z", v: 1 }, { c: "x-y", m: "z", v: 3 }]],
      [["x", "y-z"], [{ c: "x", m: "y-z", v: 2 }]],
    ]);
  });
  it("rows write to CSV that parses back", () => {
    const text = toCsv(SUMMARY_COLUMNS, summaryRows(records));
    const back = parseCsv(text);
    expect(back).toHaveLength(4);
    expect(Object.keys(back[0])).toEqual([...SUMMARY_COLUMNS]);
    expect(Number(back[2].mean)).toBeCloseTo(0.8, 14);
    expect(toCsv(COMPARISON_COLUMNS, comparisonRows(records, "analytic")).split("\n")[0]).toBe(
      "metric,baseline,condition,difference,ci_low,ci_high,p_value,test",
    );
  });
});
