import { describe, expect, it } from "vitest";
import { finiteMean, giniCoefficient, jainIndex, pearsonCorrelation, totalVariationDistance } from "./metrics.js";

describe("contracts metrics (hand-computed)", () => {
  it("Jain's index", () => {
    expect(jainIndex([5, 5, 5])).toBe(1);
    expect(jainIndex([1, 0, 0])).toBeCloseTo(1 / 3, 15);
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 15);
    expect(jainIndex([])).toBeNaN();
    expect(jainIndex([0, 0])).toBeNaN();
  });

  it("Gini coefficient", () => {
    expect(giniCoefficient([4, 4, 4, 4])).toBe(0);
    expect(giniCoefficient([1, 0, 0])).toBeCloseTo(2 / 3, 15);
    // sum over ordered pairs |xi - xj| = 2 (1 + 2 + 1) = 8; 8 / (2 * 9 * 2)
    expect(giniCoefficient([3, 1, 2])).toBeCloseTo(8 / 36, 15);
    expect(giniCoefficient([-1, 1])).toBeNaN();
  });

  it("Pearson correlation and total-variation distance", () => {
    expect(pearsonCorrelation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(pearsonCorrelation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    // a = [1,2,3,4], b = [1,3,2,4]: cov sum 4, var sums 5 and 5 -> 0.8
    expect(pearsonCorrelation([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 15);
    expect(pearsonCorrelation([1, 1], [1, 2])).toBeNaN();
    expect(totalVariationDistance([0.5, 0.5], [0.2, 0.8])).toBeCloseTo(0.3, 15);
    expect(totalVariationDistance([1, 0], [0, 1])).toBe(1);
    expect(() => totalVariationDistance([1], [0.5, 0.5])).toThrow(RangeError);
    expect(finiteMean([1, NaN, 3])).toBe(2);
  });
});
