import { describe, expect, it } from "vitest";
import { parseNegotiationConfig } from "../contracts/config.js";
import { fairness, finiteMean, negotiationMetrics, NEGOTIATION_METRICS } from "./contracts-metrics.js";
import { settle, type Deals } from "../contracts/outcome.js";
import { PAPER_CONFIG } from "../contracts/paper.js";
import { summarizeOutcomes } from "./contracts-summary.js";

// Paper setting: S1 (CN 40, CM 60, c 10, e 4), S2 (30, 50, 11, 2), S3 (25, 40, 9, 6); R 25, c_R 3, D 120.
const cfg = parseNegotiationConfig(PAPER_CONFIG);
const deals = (price: number[], quantity: number[], allocated: number[], last: number): Deals => ({
  price,
  quantity,
  allocated,
  refused: [0, 0, 0],
  rounds: 10,
  lastAgreementRound: last,
  ordered: 120,
  revised: false,
});

// A: the cheapest allocation at prices 15 / 13 / 10. Costs 470 / 590 / 225; profits 205 / 60 / 25; the retailer
// 25 x 120 - 3 x 120 - 1575 = 1065; chain 1355 = the maximum. Its prices are out of order with the sellers'
// average costs (S1 10.44 paid 15, S2 11.8 paid 13), so it counts as an illogical price.
const A = settle(cfg, deals([15, 13, 10], [45, 50, 25], [45, 50, 25], 4), 120);
// B: S3 never agrees (lost sales 10); S1 in overtime while S3's cheaper normal capacity is idle (illogical).
// Profits 14 x 60 - 680 = 160, 13 x 50 - 590 = 60, 0; retailer 25 x 110 - 330 - 1490 = 930; chain 1150.
const B = settle(cfg, deals([14, 13, NaN], [60, 50, 0], [60, 50, 10], 6), 120);
// C: like A but S3 sells at 8 < its cost 9: a loss of 25 (Jain undefined for this negotiation).
const C = settle(cfg, deals([15, 13, 8], [45, 50, 25], [45, 50, 25], 5), 120);

describe("negotiationMetrics (hand-computed)", () => {
  it("checks the hand-built outcomes first", () => {
    expect([A.retailerProfit, ...A.subcontractorProfit, A.chainProfit, A.maxChainProfit]).toEqual([1065, 205, 60, 25, 1355, 1355]);
    expect([B.retailerProfit, ...B.subcontractorProfit, B.chainProfit, B.agreement, B.illogicalPrice]).toEqual([
      930,
      160,
      60,
      0,
      1150,
      false,
      true,
    ]);
    expect([
      A.agreement,
      A.illogicalPrice,
      A.priceOrderInverted,
      C.illogicalPrice,
      C.priceBelowAverageCost,
      C.subcontractorProfit[2],
    ]).toEqual([true, true, true, true, true, -25]);
  });

  it("rates, rounds, chain efficiency, profits", () => {
    const m = negotiationMetrics([A, B], { subcontractorIds: ["S1", "S2", "S3"] });
    expect(m["contracts/agreement_rate"]).toBe(0.5);
    expect(m["contracts/rounds_to_agreement"]).toBe(4); // B did not agree: left out
    expect(m["contracts/illogical_rate"]).toBe(1);
    expect(m["efficiency/chain"]).toBeCloseTo(2505 / 2710, 14);
    expect(m["profit/total"]).toBeCloseTo(1252.5, 10);
    expect(m["profit/retailer"]).toBeCloseTo(997.5, 10);
    expect([m["profit/S1"], m["profit/S2"], m["profit/S3"]]).toEqual([182.5, 60, 12.5]);
    expect(Object.keys(m).sort()).toEqual([...NEGOTIATION_METRICS, "profit/retailer", "profit/S1", "profit/S2", "profit/S3"].sort());
  });

  it("fairness per negotiation over the actors that took part, averaged", () => {
    const m = negotiationMetrics([A, B]);
    const jainA = 1355 ** 2 / (4 * (1065 ** 2 + 205 ** 2 + 60 ** 2 + 25 ** 2));
    const jainB = 1150 ** 2 / (3 * (930 ** 2 + 160 ** 2 + 60 ** 2)); // S3 took no part
    expect(m["fairness/jain"]).toBeCloseTo((jainA + jainB) / 2, 14);
    expect(m["fairness/min_share"]).toBeCloseTo((25 / 1355 + 60 / 1150) / 2, 14);
    expect(m["fairness/max_share"]).toBeCloseTo((1065 / 1355 + 930 / 1150) / 2, 14);
    expect(m["fairness/nash_welfare"]).toBeCloseTo((Math.log(1065 * 205 * 60 * 25) + Math.log(930 * 160 * 60)) / 2, 12);
    // added value of A: retailer 3 x 120 = 360, S1 470, S2 590, S3 225 (total 1645)
    const tvA =
      0.5 *
      (Math.abs(1065 / 1355 - 360 / 1645) +
        Math.abs(205 / 1355 - 470 / 1645) +
        Math.abs(60 / 1355 - 590 / 1645) +
        Math.abs(25 / 1355 - 225 / 1645));
    expect(negotiationMetrics([A])["fairness/added_value_tv"]).toBeCloseTo(tvA, 14);
    // Gini of A: sorted 25, 60, 205, 1065; sum over pairs |xi - xj| = 35 + 180 + 1040 + 145 + 1005 + 860 = 3265
    expect(negotiationMetrics([A])["fairness/gini"]).toBeCloseTo((2 * 3265) / (2 * 16 * (1355 / 4)), 14);
  });

  it("undefined per-negotiation values are left out; none defined gives NaN", () => {
    const m = negotiationMetrics([A, C], { metrics: ["fairness/jain", "fairness/nash_welfare"] });
    expect(m["fairness/jain"]).toBeCloseTo(negotiationMetrics([A])["fairness/jain"], 14); // C has a loss-making actor
    expect(m["fairness/nash_welfare"]).toBeCloseTo(Math.log(1065 * 205 * 60 * 25), 12);
    expect(Object.keys(m)).not.toContain("efficiency/chain"); // only the selected metrics (and profits)
    expect(negotiationMetrics([C])["fairness/jain"]).toBeNaN();
    expect(negotiationMetrics([], { subcontractorIds: [] })["contracts/agreement_rate"]).toBeNaN();
    expect(() => negotiationMetrics([A], { subcontractorIds: ["S1"] })).toThrow(RangeError);
    expect(finiteMean([1, NaN, 3, Infinity])).toBe(2);
    expect(finiteMean([])).toBeNaN();
  });
});

describe("one chain efficiency", () => {
  it("summarizeOutcomes (supplygym negotiate) reports negotiationMetrics' ratio of sums, not a mean of ratios", () => {
    // A: 1355 of 1355; B: 1150 of 1355; a third with half the maximum: 400 of 800.
    const D = { ...B, chainProfit: 400, maxChainProfit: 800, efficiency: 0.5 };
    const all = [A, B, D];
    const ratioOfSums = (1355 + 1150 + 400) / (1355 + 1355 + 800);
    const meanOfRatios = (1 + 1150 / 1355 + 0.5) / 3;
    expect(Math.abs(ratioOfSums - meanOfRatios)).toBeGreaterThan(0.01); // the two definitions differ here
    expect(summarizeOutcomes(all).chainEfficiency).toBeCloseTo(ratioOfSums, 12);
    expect(negotiationMetrics(all)["efficiency/chain"]).toBeCloseTo(ratioOfSums, 12);
  });
});

describe("fairness", () => {
  it("fairness against added value by hand", () => {
    // profits [3, 1] vs costs [1, 1]: shares 0.75/0.25 vs 0.5/0.5 -> TV 0.25
    const f = fairness([3, 1], [1, 1]);
    expect(f.fairnessTV).toBeCloseTo(0.25, 15);
    expect(f.jainProfit).toBeCloseTo(16 / 20, 15);
    expect(f.giniProfit).toBeCloseTo(2 / 8, 15); // sum |xi - xj| = 4; 4 / (2 * 4 * 2)
    expect(f.jainReturnOnCost).toBeCloseTo(16 / 20, 15);
    expect(f.fairnessCorrelation).toBeNaN(); // equal cost shares have no variance
    // profits proportional to costs: perfectly fair against added value
    const g = fairness([2, 4, 6], [1, 2, 3]);
    expect(g.fairnessTV).toBeCloseTo(0, 15);
    expect(g.fairnessCorrelation).toBeCloseTo(1, 15);
    expect(g.jainReturnOnCost).toBeCloseTo(1, 15);
    // a loss-making actor: profits [3, -1] (total 2) vs costs [1, 1]: shares 1.5 / -0.5 vs 0.5 / 0.5 -> TV 1;
    // Jain undefined with a negative value; Gini allows it: sum |xi - xj| = 8, 8 / (2 x 4 x 1) = 1
    const h = fairness([3, -1], [1, 1]);
    expect(h.fairnessTV).toBeCloseTo(1, 15);
    expect(h.jainProfit).toBeNaN();
    expect(h.jainReturnOnCost).toBeNaN();
    expect(h.giniProfit).toBeCloseTo(1, 15);
  });
});
