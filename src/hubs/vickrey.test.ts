import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { bidderUtility, vickreyAuction, type VickreyResult } from "./vickrey.js";

describe("vickreyAuction", () => {
  it("highest bid wins and pays the second-highest bid or the reserve", () => {
    expect(
      vickreyAuction([
        { bidder: 0, amount: 5 },
        { bidder: 1, amount: 9 },
        { bidder: 2, amount: 7 },
      ]),
    ).toEqual({ winner: 1, price: 7 });
    expect(
      vickreyAuction(
        [
          { bidder: 0, amount: 5 },
          { bidder: 1, amount: 9 },
        ],
        8,
      ),
    ).toEqual({ winner: 1, price: 8 });
    expect(vickreyAuction([{ bidder: 0, amount: 9 }], 3)).toEqual({ winner: 0, price: 3 });
    expect(vickreyAuction([{ bidder: 0, amount: 3 }], 3).winner).toBe(-1);
    expect(vickreyAuction([]).winner).toBe(-1);
    // Ties go to the lower bidder id, which pays the tied amount.
    expect(
      vickreyAuction([
        { bidder: 4, amount: 6 },
        { bidder: 2, amount: 6 },
      ]),
    ).toEqual({ winner: 2, price: 6 });
  });

  it("truthful bidding is weakly dominant: no unilateral deviation ever raises a bidder's utility", () => {
    const { violations, strictlyBetter } = deviationCheck(vickreyAuction, 11);
    expect(violations).toEqual([]);
    // The test can fail: truthful bidding must sometimes be strictly better than a deviation.
    expect(strictlyBetter).toBeGreaterThan(0);
  });

  it("the same deviation check finds violations in a first-price rule (it can detect a broken mechanism)", () => {
    // Paying one's own bid: shading below value improves utility.
    const firstPrice: Auction = (bids, reserve) => {
      const r = vickreyAuction(bids, reserve);
      return r.winner < 0 ? r : { winner: r.winner, price: bids.find((b) => b.bidder === r.winner)!.amount };
    };
    const { violations } = deviationCheck(firstPrice, 11);
    expect(violations.length).toBeGreaterThan(0);
    // e.g. a winner bidding its value pays all of it (utility 0); bidding just above the reserve or the next bid pays less
    const v = violations[0];
    expect(v.deviated).toBeGreaterThan(v.truthful);
  });
});

type Auction = (bids: { bidder: number; amount: number }[], reserve: number) => VickreyResult;

/**
 * 400 random auctions with arbitrary other bids and reserves: for one bidder, compare its utility when bidding its
 * value with its utility under many deviations. Returns every deviation that did better than truthful bidding.
 */
function deviationCheck(
  auction: Auction,
  seed: number,
): { violations: { trial: number; bid: number; truthful: number; deviated: number }[]; strictlyBetter: number } {
  const rng = new Rng(seed);
  const violations: { trial: number; bid: number; truthful: number; deviated: number }[] = [];
  let strictlyBetter = 0;
  for (let trial = 0; trial < 400; trial++) {
    const n = 2 + rng.int(5);
    const values = Array.from({ length: n }, () => Math.round(rng.uniform(0, 100)));
    const reserve = rng.bernoulli(0.5) ? Math.round(rng.uniform(0, 60)) : 0;
    // Others bid anything (not necessarily truthfully).
    const others = values.map((v) => (rng.bernoulli(0.5) ? v : Math.round(rng.uniform(0, 120))));
    const i = rng.int(n);
    const bidsWith = (b: number) => others.map((a, j) => ({ bidder: j, amount: j === i ? b : a }));
    const truthful = bidderUtility(auction(bidsWith(values[i]), reserve), i, values[i]);
    const deviations = [
      0,
      values[i] - 1,
      values[i] + 1,
      values[i] * 2,
      1000,
      ...others,
      reserve,
      reserve + 0.5,
      ...Array.from({ length: 10 }, () => rng.uniform(0, 150)),
    ];
    for (const d of deviations) {
      const u = bidderUtility(auction(bidsWith(d), reserve), i, values[i]);
      if (u > truthful + 1e-12) violations.push({ trial, bid: d, truthful, deviated: u });
      if (u < truthful - 1e-12) strictlyBetter++;
    }
  }
  return { violations, strictlyBetter };
}
