import { describe, expect, it } from "vitest";
import { hubsMetrics, type HubEpisodeRecord } from "./hubs-metrics.js";

const ep1: HubEpisodeRecord = {
  periods: 3,
  profits: { A: 100, B: 300 },
  rewards: { A: 80, B: 250 },
  noTradeRewards: { A: 90, B: 200 },
  delayCost: 70,
  noTradeDelayCost: 120,
  value: 330,
  noTradeValue: 290,
  optimumValue: 400,
  mechanismDeficit: 10,
};
const ep2: HubEpisodeRecord = {
  periods: 2,
  profits: { A: 50, B: 50 },
  rewards: { A: 40, B: 45 },
  noTradeRewards: { A: 30, B: 40 },
  delayCost: 15,
  noTradeDelayCost: 25,
  value: 85,
  noTradeValue: 70,
  optimumValue: 100,
  mechanismDeficit: 5,
};

describe("hubsMetrics", () => {
  it("hand-computed: sums over episodes, per-period means, fairness on rewards (after delay cost), Pareto on rewards vs no trade", () => {
    const m = hubsMetrics([ep1, ep2]);
    expect(m["hubs/delay_cost"]).toBeCloseTo(85 / 5, 12);
    expect(m["hubs/delay_cost_no_trade"]).toBeCloseTo(145 / 5, 12);
    expect(m["efficiency/optimum"]).toBeUndefined(); // a ratio of values with an arbitrary zero: not reported
    expect(m["hubs/mechanism_deficit"]).toBeCloseTo(15 / 5, 12);
    expect(m["efficiency/gain_captured"]).toBeCloseTo(55 / 140, 12);
    // rewards A 120 vs 120 (unchanged), B 295 vs 240 (gains)
    expect(m["pareto/gainers_vs_no_trade"]).toBe(1);
    expect(m["pareto/losers_vs_no_trade"]).toBe(0);
    expect(m["pareto/dominated_vs_no_trade"]).toBe(0);
    // fairness on rewards (profit after delay cost) A 120, B 295 (profits would be A 150, B 350)
    expect(m["fairness/jain"]).toBeCloseTo(415 ** 2 / (2 * (120 ** 2 + 295 ** 2)), 12);
    expect(m["fairness/gini"]).toBeCloseTo(175 / 830, 12);
    expect(m["fairness/min_share"]).toBeCloseTo(120 / 415, 12);
    expect(m["fairness/max_share"]).toBeCloseTo(295 / 415, 12);
    expect(m["fairness/nash_welfare"]).toBeCloseTo(Math.log(24) + Math.log(59), 12);
    expect(m["profit/total"]).toBeCloseTo(100, 12);
    expect(m["profit/A"]).toBeCloseTo(30, 12);
    expect(m["profit/B"]).toBeCloseTo(70, 12);
    expect(m["welfare/total_surplus"]).toBeCloseTo(83, 12);
    expect(m["hubs/value_optimum"]).toBeCloseTo(100, 12);
  });

  it("a hub worse off than without trade is a loser; no achievable gain gives NaN gain_captured; selection works", () => {
    const worse = { ...ep1, rewards: { A: 10, B: 200 } };
    const m = hubsMetrics([worse]);
    expect(m["pareto/losers_vs_no_trade"]).toBe(1);
    expect(m["pareto/gainers_vs_no_trade"]).toBe(0);
    expect(m["pareto/dominated_vs_no_trade"]).toBe(1);
    const flat = hubsMetrics([{ ...ep1, optimumValue: 290 }], { metrics: ["efficiency/gain_captured"] });
    expect(flat["efficiency/gain_captured"]).toBeNaN();
    expect(flat["hubs/delay_cost"]).toBeUndefined();
    expect(flat["profit/A"]).toBeCloseTo(100 / 3, 12);
  });
});
