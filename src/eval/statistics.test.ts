import { describe, expect, it } from "vitest";
import { incompleteBeta, logGamma, tCdf, tQuantile, tTwoSidedTail } from "./special.js";
import {
  bootstrapConfidenceInterval,
  mean,
  pairedDifference,
  quantileSorted,
  std,
  tConfidenceInterval,
  variance,
  welchTTest,
} from "./statistics.js";

describe("special functions", () => {
  it("logGamma matches factorials and Γ(1/2) = √π", () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
  });

  it("incompleteBeta matches closed forms", () => {
    // I_x(a, 1) = x^a ; I_x(1, b) = 1 - (1 - x)^b ; I_x(a, a) at 1/2 = 1/2
    for (const x of [0.01, 0.2, 0.5, 0.9, 0.999]) {
      expect(incompleteBeta(x, 3.5, 1)).toBeCloseTo(x ** 3.5, 13);
      expect(incompleteBeta(x, 1, 2.5)).toBeCloseTo(1 - (1 - x) ** 2.5, 13);
    }
    expect(incompleteBeta(0.5, 7.3, 7.3)).toBeCloseTo(0.5, 13);
    // I_x(1/2, 1/2) = (2/π) asin(√x)
    expect(incompleteBeta(0.1, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(0.1)), 13);
    // I_0.6(3, 4) = sum_{j=3}^{6} C(6, j) 0.6^j 0.4^(6-j) = 0.8208 (binomial identity)
    expect(incompleteBeta(0.6, 3, 4)).toBeCloseTo(0.8208, 13);
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
    expect(incompleteBeta(1.5, 2, 3)).toBeNaN();
  });

  it("tCdf matches the closed forms for df = 1, 2 and 4", () => {
    for (const t of [-7, -1.3, -0.2, 0, 0.4, 2.5, 30]) {
      expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(tCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
      const u = 1 + (t * t) / 4;
      expect(tCdf(t, 4)).toBeCloseTo(0.5 + (3 / 8) * (t / Math.sqrt(u)) * (1 - (t * t) / (12 * u)), 13);
    }
  });

  it("tQuantile reproduces t-table values", () => {
    const table: [number, number, number][] = [
      [0.975, 1, 12.706205],
      [0.975, 2, 4.302653],
      [0.975, 4, 2.776445],
      [0.975, 10, 2.228139],
      [0.975, 29, 2.04523],
      [0.95, 5, 2.015048],
      [0.995, 3, 5.840909],
      [0.975, 1000, 1.962339],
    ];
    for (const [p, df, t] of table) {
      expect(tQuantile(p, df)).toBeCloseTo(t, 5);
      expect(tQuantile(1 - p, df)).toBeCloseTo(-t, 5);
    }
    // non-integer df (Welch) and a very heavy tail
    expect(tQuantile(0.975, 5.882352941176471)).toBeCloseTo(2.4588237, 6);
    expect(tQuantile(0.9, 0.5)).toBeCloseTo(10.2703244, 5);
    expect(tQuantile(0.5, 3)).toBe(0);
  });

  it("tQuantile inverts tCdf to high precision", () => {
    for (const df of [1, 2.5, 7, 40]) {
      for (const p of [0.001, 0.025, 0.3, 0.8, 0.975, 0.9999]) {
        expect(tCdf(tQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
  });

  it("two-sided tail is 1 at 0 and small far out", () => {
    expect(tTwoSidedTail(0, 5)).toBe(1);
    expect(tTwoSidedTail(12.706204736, 1)).toBeCloseTo(0.05, 9);
  });
});

describe("mean, std, t confidence interval", () => {
  it("hand-computed on 2, 4, 4, 4, 5, 5, 7, 9", () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(variance(xs)).toBeCloseTo(32 / 7, 14); // sum of squared deviations 32
    expect(std(xs)).toBeCloseTo(Math.sqrt(32 / 7), 14);
  });

  it("t CI: 1..5 gives 3 ± 2.776445·√2.5/√5", () => {
    const ci = tConfidenceInterval([1, 2, 3, 4, 5]);
    const half = (2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(ci.mean).toBe(3);
    expect(ci.n).toBe(5);
    expect(ci.low).toBeCloseTo(3 - half, 8);
    expect(ci.high).toBeCloseTo(3 + half, 8);
  });

  it("degenerate inputs give NaN rather than throwing", () => {
    expect(mean([])).toBeNaN();
    expect(std([3])).toBeNaN();
    const one = tConfidenceInterval([3]);
    expect(one.mean).toBe(3);
    expect(one.low).toBeNaN();
    const flat = tConfidenceInterval([2, 2, 2]);
    expect([flat.low, flat.high]).toEqual([2, 2]);
    expect(() => tConfidenceInterval([1, 2], 1.5)).toThrow(/level/);
  });
});

describe("bootstrap", () => {
  it("type-7 quantiles", () => {
    const s = [1, 2, 3, 4];
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(4);
    expect(quantileSorted(s, 0.5)).toBe(2.5);
    expect(quantileSorted(s, 0.25)).toBeCloseTo(1.75, 14);
  });

  it("is seeded, brackets the mean, and stays within the data range", () => {
    const xs = [3.1, 4.7, 2.2, 5.9, 4.4, 3.8, 5.1, 2.9];
    const a = bootstrapConfidenceInterval(xs, { seed: 7, resamples: 2000 });
    const b = bootstrapConfidenceInterval(xs, { seed: 7, resamples: 2000 });
    const c = bootstrapConfidenceInterval(xs, { seed: 8, resamples: 2000 });
    expect(a).toEqual(b);
    expect(c.low).not.toBe(a.low);
    expect(a.estimate).toBeCloseTo(mean(xs), 14);
    expect(a.low).toBeLessThan(a.estimate);
    expect(a.high).toBeGreaterThan(a.estimate);
    expect(a.low).toBeGreaterThanOrEqual(2.2);
    expect(a.high).toBeLessThanOrEqual(5.9);
    // for a roughly symmetric sample the percentile interval is close to the t interval (a bit narrower)
    const t = tConfidenceInterval(xs);
    expect(Math.abs(a.low - t.low)).toBeLessThan(0.35);
    expect(Math.abs(a.high - t.high)).toBeLessThan(0.35);
    expect(a.high - a.low).toBeLessThan(t.high - t.low);
  });

  it("two values: the bootstrap mean only takes values a, (a+b)/2, b with probabilities 1/4, 1/2, 1/4", () => {
    // so the 2.5% quantile is a and the 97.5% quantile is b
    const ci = bootstrapConfidenceInterval([0, 10], { seed: 1, resamples: 4000 });
    expect(ci.low).toBe(0);
    expect(ci.high).toBe(10);
    const mid = bootstrapConfidenceInterval([0, 10], { seed: 1, resamples: 4000, level: 0.2 });
    expect(mid.low).toBe(5);
    expect(mid.high).toBe(5);
  });

  it("rejects a bad number of resamples", () => {
    expect(() => bootstrapConfidenceInterval([1, 2], { resamples: 0 })).toThrow(/resamples/);
  });
});

describe("Welch and paired tests", () => {
  it("Welch: 1..5 against 2,4,..,10 (hand: t = -3/√2.5, df = 6.25/1.0625)", () => {
    const r = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    expect(r.difference).toBe(-3);
    expect(r.se).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(r.t).toBeCloseTo(-3 / Math.sqrt(2.5), 12);
    expect(r.df).toBeCloseTo(6.25 / 1.0625, 12);
    expect(r.pValue).toBeCloseTo(0.1075311949, 8); // scipy.stats.ttest_ind(equal_var=False)
    const half = 2.4588237097 * Math.sqrt(2.5);
    expect(r.low).toBeCloseTo(-3 - half, 7);
    expect(r.high).toBeCloseTo(-3 + half, 7);
  });

  it("Welch: symmetric in sign, degenerate cases", () => {
    const r = welchTTest([2, 4, 6, 8, 10], [1, 2, 3, 4, 5]);
    expect(r.t).toBeCloseTo(3 / Math.sqrt(2.5), 12);
    expect(welchTTest([1], [1, 2]).pValue).toBeNaN();
    expect(welchTTest([1, 1], [1, 1]).pValue).toBe(1);
    expect(welchTTest([2, 2], [1, 1]).pValue).toBe(0);
  });

  it("paired: d = 1,1,0,1,2 -> mean 1, sd √0.5, t = √10, df 4", () => {
    const r = pairedDifference([3, 5, 4, 6, 7], [2, 4, 4, 5, 5]);
    expect(r.difference).toBe(1);
    expect(r.n).toBe(5);
    expect(r.t).toBeCloseTo(Math.sqrt(10), 12);
    expect(r.df).toBe(4);
    // p from the df = 4 closed-form CDF
    const t = Math.sqrt(10);
    const u = 1 + (t * t) / 4;
    const cdf = 0.5 + (3 / 8) * (t / Math.sqrt(u)) * (1 - (t * t) / (12 * u));
    expect(r.pValue).toBeCloseTo(2 * (1 - cdf), 12);
    expect(r.pValue).toBeCloseTo(0.0341094232, 9);
    const half = (2.7764451052 * Math.sqrt(0.5)) / Math.sqrt(5);
    expect(r.low).toBeCloseTo(1 - half, 8);
    expect(r.high).toBeCloseTo(1 + half, 8);
  });

  it("paired differs from Welch when units are correlated", () => {
    const x = [10, 20, 30, 40];
    const y = [9, 19.5, 28.5, 39];
    expect(pairedDifference(x, y).pValue).toBeLessThan(0.05);
    expect(welchTTest(x, y).pValue).toBeGreaterThan(0.5);
    expect(() => pairedDifference([1, 2], [1])).toThrow(/equal lengths/);
  });
});
