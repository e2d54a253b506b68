import { describe, expect, it } from "vitest";
import { illogicalFlags, settle, type Deals } from "./outcome.js";
import { PAPER_CONFIG } from "./paper.js";
import { instanceOf } from "./config.js";

const deals: Deals = {
  price: [15, 14, 10],
  quantity: [45, 50, 25],
  allocated: [45, 50, 25],
  refused: [0, 0, 0],
  rounds: 6,
  lastAgreementRound: 6,
  ordered: 120,
  revised: true,
};

describe("settling contracts", () => {
  it("wholesale: profits, chain profit and efficiency by hand (demand 100, 20 unsold)", () => {
    const o = settle(PAPER_CONFIG, deals, 100);
    // retailer: 25*100 - 3*120 - (675 + 700 + 250)
    expect(o.retailerProfit).toBeCloseTo(515, 10);
    expect(o.subcontractorProfit).toEqual([675 - 470, 700 - 590, 250 - 225]);
    expect(o.chainProfit).toBeCloseTo(855, 10);
    // the best chain makes 100: normal 95 + 5 overtime at S2 (13): 22*100 - (400 + 330 + 225 + 65)
    expect(o.maxChainProfit).toBe(1180);
    expect(o.efficiency).toBeCloseTo(855 / 1180, 12);
    expect(o).toMatchObject({ sold: 100, unsold: 20, lostSales: 0, agreement: true, roundsToAgreement: 6, agreements: 3, contracts: 3 });
    // the allocation of the 120 agreed units is the cheapest one
    expect(o.inefficientAllocation).toBe(false);
    // S1 makes 45 at an average cost of 10.44 and is paid 15; S2 makes 50 at 11.8 and is paid 14: out of order
    expect(o.priceOrderInverted).toBe(true);
    expect(o.illogicalPrice).toBe(true);
  });

  it("buy-back: the unsold 20 go back pro rata at half the price", () => {
    const cfg = structuredClone(PAPER_CONFIG);
    cfg.negotiation.contract = "buyback";
    const o = settle(cfg, deals, 100);
    const back = [((20 * 45) / 120) * 7.5, ((20 * 50) / 120) * 7, ((20 * 25) / 120) * 5];
    expect(o.subcontractorProfit[0]).toBeCloseTo(205 - back[0], 10);
    expect(o.subcontractorProfit[1]).toBeCloseTo(110 - back[1], 10);
    expect(o.subcontractorProfit[2]).toBeCloseTo(25 - back[2], 10);
    expect(o.retailerProfit).toBeCloseTo(515 + back[0] + back[1] + back[2], 10);
    expect(o.chainProfit).toBeCloseTo(855, 10); // transfers do not change the chain's profit
  });

  it("shortfall is lost sales", () => {
    const o = settle(PAPER_CONFIG, deals, 130);
    expect(o.lostSales).toBe(10);
    expect(o.sold).toBe(120);
  });

  it("flags each kind of illogical price", () => {
    const subs = instanceOf(PAPER_CONFIG).subcontractors;
    // overtime at S1 (45 > 40, mc 14) while S3 (c = 9) makes 15 < 25
    expect(illogicalFlags(subs, { price: [15, 14, 10], quantity: [45, 60, 15], refused: [0, 0, 0] }, 22).overtimeWhileNormalIdle).toBe(
      true,
    );
    // ... not when S3 walked away
    expect(illogicalFlags(subs, { price: [15, 14, 10], quantity: [45, 60, 15], refused: [0, 0, 1] }, 22).overtimeWhileNormalIdle).toBe(
      false,
    );
    // S2 at 50 costs 30 x 11 + 20 x 13 = 590, 11.8 a unit on average: 11.7 loses money; 12.9 (below the marginal
    // cost 13 of its last unit, above its average cost) is a profitable deal, not illogical
    expect(illogicalFlags(subs, { price: [12, 11.7, 9], quantity: [45, 50, 25], refused: [0, 0, 0] }, 22).priceBelowAverageCost).toBe(true);
    expect(illogicalFlags(subs, { price: [12, 12.9, 9], quantity: [45, 50, 25], refused: [0, 0, 0] }, 22).priceBelowAverageCost).toBe(
      false,
    );
    expect(illogicalFlags(subs, { price: [15, 22.5, 10], quantity: [45, 50, 25], refused: [0, 0, 0] }, 22).priceAboveRetailMargin).toBe(
      true,
    );
    // S1 (average cost 10.44 for 45) paid 15, S2 (11.8) paid 14: prices not ordered as costs
    expect(illogicalFlags(subs, { price: [15, 14, 10], quantity: [45, 50, 25], refused: [0, 0, 0] }, 22).priceOrderInverted).toBe(true);
    expect(illogicalFlags(subs, { price: [12, 13, 9], quantity: [45, 50, 25], refused: [0, 0, 0] }, 22)).toEqual({
      overtimeWhileNormalIdle: false,
      priceOrderInverted: false,
      priceBelowAverageCost: false,
      priceAboveRetailMargin: false,
    });
  });
});
