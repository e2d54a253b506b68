import { describe, expect, it } from "vitest";
import { chainProfit, cheapestAllocation, marginalCost, maxChainProfit, productionCost, type Subcontractor } from "./model.js";
import { instanceOf } from "./config.js";
import { PAPER_CONFIG } from "./paper.js";

const sub = (id: string, cn: number, cm: number, c: number, e: number): Subcontractor => ({
  id,
  normalCapacity: cn,
  maxCapacity: cm,
  unitCost: c,
  extraCost: e,
});

describe("contracts model", () => {
  it("costs: c q below CN, plus e per unit above", () => {
    const s = sub("A", 40, 60, 10, 4);
    expect(productionCost(s, 30)).toBe(300);
    expect(productionCost(s, 40)).toBe(400);
    expect(productionCost(s, 45)).toBe(470); // 450 + 4 * 5
    expect(marginalCost(s, 40)).toBe(10);
    expect(marginalCost(s, 41)).toBe(14);
  });

  it("cheapest allocation of the paper setting: normal first, then overtime from the cheapest c + e", () => {
    const inst = instanceOf(PAPER_CONFIG);
    // normal 40 + 30 + 25 = 95; 25 overtime units: S2 (13/unit) takes its 20, S1 (14/unit) 5, S3 (15) none.
    expect(Array.from(cheapestAllocation(inst.subcontractors, 120))).toEqual([45, 50, 25]);
    // chain profit = (25 - 3) * 120 - (470 + 590 + 225) = 2640 - 1285
    expect(maxChainProfit(inst)).toBe(1355);
    expect(chainProfit(inst, [60, 50, 10])).toBe(2640 - (680 + 590 + 90));
  });

  it("fills by tranche cost, so a dear normal tranche comes after a cheap overtime one", () => {
    const subs = [sub("A", 10, 20, 10, 1), sub("B", 10, 20, 3, 2)];
    // tranches: B normal @3 (10), B overtime @5 (10), A normal @10 (10), A overtime @11 (10)
    expect(Array.from(cheapestAllocation(subs, 25))).toEqual([5, 20]);
    expect(Array.from(cheapestAllocation(subs, 8))).toEqual([0, 8]);
  });

  it("rejects quantities outside [0, sum CM]", () => {
    const subs = [sub("A", 10, 20, 10, 1)];
    expect(() => cheapestAllocation(subs, 21)).toThrow(/outside \[0, 20\]/);
    expect(() => cheapestAllocation(subs, -1)).toThrow(RangeError);
  });
});
