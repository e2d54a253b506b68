import { describe, expect, it } from "vitest";
import { addedValueProportionality, gini, jainIndex, maxShare, minShare, nashSocialWelfare, pearson, shares } from "./fairness.js";

/** Gini by the literal double sum, as an independent check of the sorted O(n log n) form. */
function giniNaive(xs: number[]): number {
  const n = xs.length;
  const mu = xs.reduce((a, b) => a + b, 0) / n;
  let s = 0;
  for (const a of xs) for (const b of xs) s += Math.abs(a - b);
  return s / (2 * n * n * mu);
}

describe("Jain's index", () => {
  it("is 1 for an equal split and 1/n when one party has everything", () => {
    expect(jainIndex([3, 3, 3])).toBe(1);
    expect(jainIndex([0, 0, 7, 0])).toBe(0.25);
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 14);
  });
  it("all zero is an equal split; negatives and empty are undefined", () => {
    expect(jainIndex([0, 0])).toBe(1);
    expect(jainIndex([1, -1])).toBeNaN();
    expect(jainIndex([])).toBeNaN();
  });
});

describe("Gini", () => {
  it("hand values: equal split 0, all-to-one 1 - 1/n, 1,2,3 -> 2/9", () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 8])).toBeCloseTo(0.75, 14);
    // pairs |1-2| + |1-3| + |2-3| = 4, doubled 8, / (2 · 9 · 2) = 2/9
    expect(gini([3, 1, 2])).toBeCloseTo(2 / 9, 14);
    expect(gini([7])).toBe(0);
  });
  it("matches the double-sum definition", () => {
    const xs = [4.2, 0.3, 9.9, 1.1, 1.1, 6.5, 0];
    expect(gini(xs)).toBeCloseTo(giniNaive(xs), 13);
  });
  it("negative values: allow (can exceed 1), clip, or NaN", () => {
    const xs = [-2, 1, 4]; // mean 1; pair differences 3 + 6 + 3 = 12, doubled 24, / (2 · 9 · 1)
    expect(gini(xs, "allow")).toBeCloseTo(24 / 18, 14);
    expect(gini(xs)).toBeGreaterThan(1);
    expect(gini(xs, "clip")).toBeCloseTo(gini([0, 1, 4]), 14);
    expect(gini(xs, "nan")).toBeNaN();
    expect(gini([-3, 1, 1])).toBeNaN(); // mean <= 0
    expect(gini([])).toBeNaN();
  });
});

describe("shares and Nash welfare", () => {
  it("shares, min and max", () => {
    expect(shares([1, 3])).toEqual([0.25, 0.75]);
    expect(minShare([2, -1, 3])).toBe(-0.25);
    expect(maxShare([2, -1, 3])).toBe(0.75);
    expect(minShare([0, 0])).toBeNaN();
  });
  it("Nash social welfare is the sum of logs, NaN unless every profit is positive", () => {
    expect(nashSocialWelfare([Math.E, 1, Math.E ** 2])).toBeCloseTo(3, 14);
    expect(nashSocialWelfare([1, 0])).toBeNaN();
    expect(nashSocialWelfare([1, -2])).toBeNaN();
    expect(nashSocialWelfare([])).toBeNaN();
  });
});

describe("added-value proportionality", () => {
  it("a proportional split has distance 0 and correlation 1", () => {
    const r = addedValueProportionality([10, 20, 30], [1, 2, 3]);
    expect(r.tvDistance).toBeCloseTo(0, 14);
    expect(r.correlation).toBeCloseTo(1, 14);
  });
  it("hand values: profit shares (0.5, 0.5, 0) against cost shares (0.2, 0.3, 0.5)", () => {
    const r = addedValueProportionality([5, 5, 0], [2, 3, 5]);
    expect(r.profitShares).toEqual([0.5, 0.5, 0]);
    expect(r.tvDistance).toBeCloseTo(0.5 * (0.3 + 0.2 + 0.5), 14);
    // centred x = (1/6, 1/6, -1/3), y = (-2/15, -1/30, 1/6)
    const sxy = (1 / 6) * (-2 / 15) + (1 / 6) * (-1 / 30) + (-1 / 3) * (1 / 6);
    const sxx = 1 / 36 + 1 / 36 + 1 / 9;
    const syy = 4 / 225 + 1 / 900 + 1 / 36;
    expect(r.correlation).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 14);
  });
  it("undefined cases", () => {
    expect(addedValueProportionality([1, 1], [1, 2]).correlation).toBeNaN(); // constant profit shares
    expect(addedValueProportionality([0, 0], [1, 2]).tvDistance).toBeNaN();
    expect(() => addedValueProportionality([1], [1, 2])).toThrow(/costs/);
    expect(pearson([1], [2])).toBeNaN();
  });
});
