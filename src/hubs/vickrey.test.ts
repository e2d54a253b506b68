import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { bidderUtility, vickreyAuction } from "./vickrey.js";

describe("vickreyAuction", () => {
  it("highest bid wins and pays the second-highest bid or the reserve", () => {
    expect(vickreyAuction([{ bidder: 0, amount: 5 }, { bidder: 1, amount: 9 }, { bidder: 2, amount: 7 }])).toEqual({ winner: 1, price: 7 });
    expect(vickreyAuction([{ bidder: 0, amount: 5 }, { bidder: 1, amount: 9 }], 8)).toEqual({ winner: 1, price: 8 });
    expect(vickreyAuction([{ bidder: 0, amount: 9 }], 3)).toEqual({ winner: 0, price: 3 });
    expect(vickreyAuction([{ bidder: 0, amount: 3 }], 3).winner).toBe(-1);
    expect(vickreyAuction([]).winner).toBe(-1);
    // Ties go to the lower bidder id, which pays the tied amount.
    expect(vickreyAuction([{ bidder: 4, amount: 6 }, { bidder: 2, amount: 6 }])).toEqual({ winner: 2, price: 6 });
  });

  it("truthful bidding is weakly dominant: no unilateral deviation ever raises a bidder's utility", () => {
    const rng = new Rng(11);
    let strictlyBetterSomewhere = 0;
    for (let trial = 0; trial < 400; trial++) {
      const n = 2 + rng.int(5);
      const values = Array.from({ length: n }, () => Math.round(rng.uniform(0, 100)));
      const reserve = rng.bernoulli(0.5) ? Math.round(rng.uniform(0, 60)) : 0;
      // Others bid anything (not necessarily truthfully).
      const others = values.map((v) => (rng.bernoulli(0.5) ? v : Math.round(rng.uniform(0, 120))));
      const i = rng.int(n);
      const bidsWith = (b: number) => others.map((a, j) => ({ bidder: j, amount: j === i ? b : a }));
      const truthful = bidderUtility(vickreyAuction(bidsWith(values[i]), reserve), i, values[i]);
      const deviations = [0, values[i] - 1, values[i] + 1, values[i] * 2, 1000, ...others, reserve, reserve + 0.5, ...Array.from({ length: 10 }, () => rng.uniform(0, 150))];
      for (const d of deviations) {
        const u = bidderUtility(vickreyAuction(bidsWith(d), reserve), i, values[i]);
        expect(u).toBeLessThanOrEqual(truthful + 1e-12);
        if (u < truthful - 1e-12) strictlyBetterSomewhere++;
      }
    }
    // The test can fail: truthful bidding must sometimes be strictly better than a deviation.
    expect(strictlyBetterSomewhere).toBeGreaterThan(0);
  });

  it("a first-price rule would not be truthful (the property test can detect a broken mechanism)", () => {
    // Paying one's own bid: shading below value improves utility, so the same check must fail for it.
    const firstPrice = (bids: { bidder: number; amount: number }[]) => {
      const r = vickreyAuction(bids);
      return r.winner < 0 ? r : { winner: r.winner, price: bids.find((b) => b.bidder === r.winner)!.amount };
    };
    const truthful = bidderUtility(firstPrice([{ bidder: 0, amount: 10 }, { bidder: 1, amount: 4 }]), 0, 10);
    const shaded = bidderUtility(firstPrice([{ bidder: 0, amount: 5 }, { bidder: 1, amount: 4 }]), 0, 10);
    expect(shaded).toBeGreaterThan(truthful);
  });
});
