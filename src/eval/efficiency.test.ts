import { describe, expect, it } from "vitest";
import {
  chainEfficiency,
  firstBestEfficiency,
  lossVsFirstBest,
  paretoCompare,
  priceDistortion,
  surplusChangeVsCompetitive,
  surplusVsCompetitive,
} from "./efficiency.js";
import { marketMetrics } from "./outcome-metrics.js";
import { partyPayoffs, sumOutcomes, totalSurplus, type Outcome, type PeriodPair } from "./outcome.js";

const cf1: Outcome = { profits: { A: 10, B: 20 }, outsideSurplus: { D: 70 }, prices: { M0: 2, M1: 4 } }; // TS 100
const out1: Outcome = { profits: { A: 14, B: 16 }, outsideSurplus: { D: 60 }, prices: { M0: 3, M1: 4 } }; // TS 90
const cf2: Outcome = { profits: { A: 5, B: 5 }, outsideSurplus: { D: 40 }, prices: { M0: 1, M1: 5 } }; // TS 50
const out2: Outcome = { profits: { A: 5, B: 5 }, outsideSurplus: { D: 40 }, prices: { M0: 1, M1: 4 } }; // TS 50
const fb1: Outcome = { profits: { A: 20, B: 20 }, outsideSurplus: { D: 80 } }; // TS 120
const fb2: Outcome = { profits: { A: 5, B: 5 }, outsideSurplus: { D: 50 } }; // TS 60
const pairs: PeriodPair[] = [
  { outcome: out1, counterfactual: cf1, firstBest: fb1 },
  { outcome: out2, counterfactual: cf2, firstBest: fb2 },
];

describe("outcome records", () => {
  it("total surplus defaults to profits + outside surplus, or takes the given value", () => {
    expect(totalSurplus(cf1)).toBe(100);
    expect(totalSurplus({ profits: { A: 1 }, totalSurplus: 7 })).toBe(7);
  });
  it("sums periods party by party and averages prices", () => {
    const s = sumOutcomes([out1, out2]);
    expect(s.profits).toEqual({ A: 19, B: 21 });
    expect(s.outsideSurplus).toEqual({ D: 100 });
    expect(s.totalSurplus).toBe(140);
    expect(s.prices).toEqual({ M0: 2, M1: 4 });
  });
  it("refuses a party that is both an agent and an outside party", () => {
    expect(() => partyPayoffs({ profits: { X: 1 }, outsideSurplus: { X: 2 } })).toThrow(/both/);
  });
});

describe("efficiency", () => {
  it("first-best efficiency is a ratio of sums: (90 + 50) / (120 + 60); NaN without a first best", () => {
    expect(firstBestEfficiency(pairs)).toBeCloseTo(140 / 180, 14);
    expect(firstBestEfficiency([{ outcome: out1, counterfactual: cf1 }])).toBeNaN();
    expect(firstBestEfficiency([{ outcome: out1, counterfactual: cf1, firstBest: { profits: { A: 0 } } }])).toBeNaN();
  });
  it("loss against the first best is the mean per-period shortfall: (30 + 10) / 2", () => {
    expect(lossVsFirstBest(pairs)).toBe(20);
    expect(lossVsFirstBest([])).toBeNaN();
  });
  it("surplus relative to the competitive equilibrium: (90 + 50) / (100 + 50), change (-10 + 0) / 2, positive when above", () => {
    expect(surplusVsCompetitive(pairs)).toBeCloseTo(140 / 150, 14);
    expect(surplusVsCompetitive([{ outcome: out1, counterfactual: { profits: { A: 0 } } }])).toBeNaN();
    expect(surplusChangeVsCompetitive(pairs)).toBe(-5);
    expect(surplusChangeVsCompetitive([{ outcome: cf1, counterfactual: out1 }])).toBe(10);
    expect(surplusChangeVsCompetitive([])).toBeNaN();
  });
  it("price distortion: mean of |p - p*| / p* over 4 market-periods = (0.5 + 0 + 0 + 0.2) / 4", () => {
    expect(priceDistortion(pairs)).toBeCloseTo(0.7 / 4, 14);
    expect(priceDistortion([{ outcome: { profits: {} }, counterfactual: cf1 }])).toBeNaN();
  });
  it("chain efficiency", () => {
    expect(chainEfficiency(75, 100)).toBe(0.75);
    expect(chainEfficiency(5, 0)).toBeNaN();
  });
});

describe("Pareto comparison", () => {
  it("a mixed outcome is neither dominated nor dominating", () => {
    const r = paretoCompare(out1, cf1);
    expect(r.gainers).toEqual(["A"]);
    expect(r.losers).toEqual(["B", "D"]);
    expect(r.dominated).toBe(false);
    expect(r.dominates).toBe(false);
  });
  it("an outcome where one loses and nobody gains is dominated", () => {
    const worse: Outcome = { profits: { A: 5, B: 5 }, outsideSurplus: { D: 39 } };
    const r = paretoCompare(worse, cf2);
    expect(r.dominated).toBe(true);
    expect(r.losers).toEqual(["D"]);
    expect(r.unchanged).toEqual(["A", "B"]);
    expect(paretoCompare(cf2, worse).dominates).toBe(true);
  });
  it("differences inside the tolerance count as unchanged", () => {
    const tiny: Outcome = { profits: { A: 5 + 1e-8, B: 5 }, outsideSurplus: { D: 40 } };
    expect(paretoCompare(tiny, cf2).unchanged).toHaveLength(3);
    expect(paretoCompare(tiny, cf2, { atol: 0, rtol: 0 }).gainers).toEqual(["A"]);
    expect(paretoCompare(out2, cf2).dominated).toBe(false); // identical payoffs: not dominated
  });
  it("refuses outcomes with different parties", () => {
    expect(() => paretoCompare({ profits: { A: 1 } }, { profits: { B: 1 } })).toThrow(/differ/);
  });
});

describe("marketMetrics", () => {
  it("reports the selected metrics and per-agent mean profits", () => {
    const m = marketMetrics(pairs);
    expect(m["efficiency/first_best"]).toBeCloseTo(140 / 180, 14);
    expect(m["welfare/loss_vs_first_best"]).toBe(20);
    expect(m["welfare/vs_competitive"]).toBeCloseTo(140 / 150, 14);
    expect(m["welfare/change_vs_competitive"]).toBe(-5);
    expect(m["efficiency/allocative"]).toBeUndefined();
    // whole evaluation: A 19 vs 15 (gains), B 21 vs 25 (loses), D 100 vs 110 (loses)
    expect(m["pareto/gainers"]).toBe(1);
    expect(m["pareto/losers"]).toBe(2);
    expect(m["pareto/dominated"]).toBe(0);
    expect(m["profit/A"]).toBe(9.5);
    expect(m["profit/B"]).toBe(10.5);
    expect(m["profit/total"]).toBe(20);
    expect(m["welfare/total_surplus"]).toBe(70);
    // profits 19, 21: Jain = 40² / (2 · (361 + 441)) ; Gini = |19 - 21| · 2 / (2 · 4 · 20)
    expect(m["fairness/jain"]).toBeCloseTo(1600 / 1604, 14);
    expect(m["fairness/gini"]).toBeCloseTo(0.025, 14);
    expect(m["fairness/nash_welfare"]).toBeCloseTo(Math.log(9.5) + Math.log(10.5), 14);
    const only = marketMetrics(pairs, { metrics: ["fairness/gini"] });
    expect(Object.keys(only).sort()).toEqual(["fairness/gini", "profit/A", "profit/B"]);
  });
});
