import { describe, expect, it } from "vitest";
import { concede, largestWithin, negotiateMoney, smallestReaching } from "./negotiation.js";

describe("negotiation", () => {
  it("linear concession meets at the midpoint of the first crossing (hand computed)", () => {
    // steps 5: seller 100 -> 20 (100, 80, 60, ...), buyer 0 -> 80 (0, 20, 40, 60, ...): cross at k=2? ask 60 > bid 40;
    // k=3: ask 40, bid 60 -> agree at 50.
    expect(concede(100, 20, 0, 80, 5)).toEqual({ agreed: true, step: 3, value: 50 });
  });

  it("fails when reservations do not overlap, and with one step agrees only on crossing quotes", () => {
    expect(concede(100, 50, 0, 40, 5).agreed).toBe(false);
    expect(concede(10, 5, 0, 7, 1)).toEqual({ agreed: true, step: 0, value: 6 });
  });

  it("money negotiation respects the maximum price and says when the cap blocked a deal", () => {
    const r = negotiateMoney({ sellerReserve: 70, buyerReserve: 6750, maxPrice: Infinity, steps: 5 });
    // seller 140 -> 70, buyer 0 -> 6750: k=1 ask 122.5, bid 1687.5 -> 905.
    expect(r).toEqual({ agreed: true, step: 1, value: 905, blockedByCap: false });
    const capped = negotiateMoney({ sellerReserve: 70, buyerReserve: 6750, maxPrice: 100, steps: 5 });
    expect(capped.agreed).toBe(true);
    expect(capped.value).toBeLessThanOrEqual(100);
    const blocked = negotiateMoney({ sellerReserve: 200, buyerReserve: 6750, maxPrice: 100, steps: 5 });
    expect(blocked).toMatchObject({ agreed: false, blockedByCap: true });
    expect(negotiateMoney({ sellerReserve: 200, buyerReserve: 150, maxPrice: 100, steps: 5 }).blockedByCap).toBe(false);
  });

  it("bisection helpers find thresholds of monotone functions", () => {
    expect(smallestReaching((x) => Math.min(x, 5) * 2, 6, 0, 10, 1e-9)).toBeCloseTo(3, 8);
    expect(smallestReaching((x) => x, 20, 0, 10)).toBeNaN();
    expect(largestWithin((x) => x * x, 4, 0, 10, 1e-9)).toBeCloseTo(2, 8);
    expect(largestWithin((x) => x + 1, 0, 0, 10)).toBeNaN();
  });
});
