import { describe, expect, it } from "vitest";
import { groupBy, metricRecords, metricsRows, type MetricRecord } from "./tables.js";

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
      "analytic/eff/1",
      "analytic/eff/2",
      "analytic/eff/3",
      "analytic/gini/1",
      "analytic/gini/2",
      "analytic/gini/3",
      "learned/eff/1",
      "learned/eff/2",
      "learned/eff/3",
      "learned/gini/1",
      "learned/gini/2",
      "learned/gini/3",
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
      [
        ["x-y", "z"],
        [
          { c: "x-y", m: "z", v: 1 },
          { c: "x-y", m: "z", v: 3 },
        ],
      ],
      [["x", "y-z"], [{ c: "x", m: "y-z", v: 2 }]],
    ]);
  });
});
