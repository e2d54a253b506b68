import { describe, expect, it } from "vitest";
import {
  benjaminiHochberg,
  cellMatrix,
  crossedDifference,
  crossedInterval,
  holm,
  interquartileMean,
  median,
  probabilityGreater,
  probabilityOfImprovement,
  strata,
  stratifiedInterval,
  trimMean,
  weightedRatio,
  wilsonInterval,
  type EpisodeMetricRecord,
} from "./crossed.js";

function records(condition: string, values: number[][], metric = "m"): EpisodeMetricRecord[] {
  return values.flatMap((row, s) => row.map((value, e) => ({ condition, seed: s, episode: e, metric, value })));
}

describe("p-value adjustment against R's p.adjust", () => {
  // p <- c(0.04, 0.001, 0.03, 0.5, 0.012, 0.03)
  // p.adjust(p, "holm") -> 0.120 0.006 0.120 0.500 0.060 0.120
  // p.adjust(p, "BH")   -> 0.048 0.006 0.045 0.500 0.036 0.045
  // (by hand: Holm sorts 0.001, 0.012, 0.03, 0.03, 0.04, 0.5 and multiplies by 6..1, running max:
  //  0.006, 0.06, 0.12, max(0.12, 0.09), max(0.12, 0.08), 0.5; BH multiplies by 6/rank from the top, running min.)
  const p = [0.04, 0.001, 0.03, 0.5, 0.012, 0.03];
  it("holm", () => {
    const h = holm(p);
    [0.12, 0.006, 0.12, 0.5, 0.06, 0.12].forEach((x, i) => expect(h[i]).toBeCloseTo(x, 12));
  });
  it("BH", () => {
    const b = benjaminiHochberg(p);
    [0.048, 0.006, 0.045, 0.5, 0.036, 0.045].forEach((x, i) => expect(b[i]).toBeCloseTo(x, 12));
  });
  it("p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), 'holm') = 0.05 0.08 0.09 0.09 0.09; 'BH' = 0.05 x 5", () => {
    holm([0.01, 0.02, 0.03, 0.04, 0.05]).forEach((x, i) => expect(x).toBeCloseTo([0.05, 0.08, 0.09, 0.09, 0.09][i], 12));
    benjaminiHochberg([0.01, 0.02, 0.03, 0.04, 0.05]).forEach((x) => expect(x).toBeCloseTo(0.05, 12));
  });
  it("caps at 1 and leaves NaN out of the family (R: p.adjust(c(0.3, NA, 0.6), 'holm') = 0.6 NA 0.6)", () => {
    const h = holm([0.3, NaN, 0.6]);
    expect(h[0]).toBeCloseTo(0.6, 12);
    expect(h[1]).toBeNaN();
    expect(h[2]).toBeCloseTo(0.6, 12);
    expect(holm([0.6, 0.7])).toEqual([1, 1]);
  });
});

describe("aggregates against scipy", () => {
  it("trim_mean and median (scipy.stats.trim_mean(x, 0.25), numpy.median)", () => {
    const x = [3.1, 0.2, 5.5, 2.2, 9.9, 1.0, 4.4, 7.7, 6.1, 2.9, 8.3];
    expect(interquartileMean(x)).toBeCloseTo(4.557142857142858, 12); // scipy 1.17.1
    expect(median(x)).toBeCloseTo(4.4, 12);
    const y = [1, 2, 2, 3, 4, 5, 5, 5, 6, 100];
    expect(trimMean(y, 0.25)).toBeCloseTo(4.0, 12);
    expect(median(y)).toBeCloseTo(4.5, 12);
  });
  it("P(X > Y) + P(X = Y)/2 = mannwhitneyu(a, b).statistic / (n m)", () => {
    // scipy.stats.mannwhitneyu([1, 2.5, 3, 3, 4.2], [0.5, 3, 3, 2]).statistic = 13.0
    expect(probabilityGreater([1.0, 2.5, 3.0, 3.0, 4.2], [0.5, 3.0, 3.0, 2.0])).toBeCloseTo(13 / 20, 12);
  });
  it("probability of improvement averages over episodes (strata)", () => {
    expect(probabilityOfImprovement([[2, 3], [0]], [[1], [1]])).toBeCloseTo((1 + 0) / 2, 12);
  });
  it("the stratified bootstrap resamples seeds within episodes: one seed per episode has no variation", () => {
    const iv = stratifiedInterval([[[1], [5], [9]]], (x) => interquartileMean(x.flat()));
    expect(iv.noVariation).toBe(true);
    const iv2 = stratifiedInterval(
      [
        [
          [1, 2, 8],
          [5, 6, 0],
        ],
      ],
      (x) => median(x.flat()),
      { resamples: 2000 },
    );
    expect(iv2.noVariation).toBe(false);
    expect(iv2.low).toBeLessThanOrEqual(iv2.estimate);
    expect(iv2.high).toBeGreaterThanOrEqual(iv2.estimate);
  });
});

describe("Wilson interval (scipy.stats.binomtest(k, n).proportion_ci(method='wilson'))", () => {
  it("matches scipy and stays in [0, 1]", () => {
    const a = wilsonInterval(0, 20);
    expect(a.low).toBe(0);
    expect(a.high).toBeCloseTo(0.16112515805281935, 10);
    const b = wilsonInterval(7, 20);
    expect(b.low).toBeCloseTo(0.1811918241010821, 10);
    expect(b.high).toBeCloseTo(0.5671457233147637, 10);
  });
});

describe("crossed (pigeonhole) bootstrap", () => {
  it("ratio-of-sums estimate: Σ num / Σ den, undefined cells left out", () => {
    const m = cellMatrix([
      { condition: "a", seed: 0, episode: 0, metric: "r", value: 0.5, num: 1, den: 2 },
      { condition: "a", seed: 0, episode: 1, metric: "r", value: 1, num: 3, den: 3 },
      { condition: "a", seed: 1, episode: 0, metric: "r", value: NaN },
      { condition: "a", seed: 1, episode: 1, metric: "r", value: 2, num: 4, den: 2 },
    ]);
    expect(weightedRatio(m)).toBeCloseTo(8 / 7, 12);
  });
  it("copies of one outcome: no variation (the caller reports `deterministic`, never p = 0)", () => {
    const a = cellMatrix(
      records("a", [
        [1, 1],
        [1, 1],
      ]),
    );
    const b = cellMatrix(records("b", [[2, 2]]));
    expect(crossedInterval(a).noVariation).toBe(true);
    const d = crossedDifference(b, a);
    expect(d.estimate).toBe(1);
    expect(d.noVariation).toBe(true);
    expect(d.pValue).toBeNaN();
  });
  it("an analytic condition (one replicate) gets an interval from the draws", () => {
    const a = cellMatrix(records("a", [[1, 2, 3, 4, 5, 6, 7, 8]]));
    const iv = crossedInterval(a, { resamples: 4000 });
    expect(iv.noVariation).toBe(false);
    expect(iv.estimate).toBeCloseTo(4.5, 12);
    expect(iv.low).toBeGreaterThan(2.5);
    expect(iv.high).toBeLessThan(6.5);
    expect(iv.low).toBeLessThan(4.5);
  });
  it("pairs on the episode: a constant shift over varying draws is an exact difference", () => {
    const base = cellMatrix(records("a", [[1, 5, 9, 2]]));
    const shifted = cellMatrix(records("b", [[2, 6, 10, 3]]));
    const d = crossedDifference(shifted, base);
    expect(d.estimate).toBeCloseTo(1, 12);
    expect(d.noVariation).toBe(true);
  });
  it("seeds are independent replicates: seed noise widens the interval; a clear shift has a small p, never 0", () => {
    const base = cellMatrix(records("a", [[1, 5, 9, 2, 4, 7]]));
    const x = cellMatrix(
      records("b", [
        [3.1, 7.2, 11.0, 4.1, 6.0, 9.1],
        [2.9, 6.8, 10.9, 3.8, 6.1, 8.9],
        [3.0, 7.1, 11.2, 4.0, 5.9, 9.0],
      ]),
    );
    const d = crossedDifference(x, base, { resamples: 2000 });
    expect(d.estimate).toBeCloseTo(2.0, 1);
    expect(d.low).toBeGreaterThan(1.5);
    expect(d.high).toBeLessThan(2.5);
    expect(d.pValue).toBeGreaterThan(0);
    expect(d.pValue).toBeCloseTo(2 / 2001, 12);
    const same = crossedDifference(
      cellMatrix(
        records("b", [
          [1.2, 4.9, 9.1, 2.0, 3.8, 7.1],
          [0.8, 5.1, 8.9, 2.1, 4.1, 6.9],
        ]),
      ),
      base,
      { resamples: 2000 },
    );
    expect(same.pValue).toBeGreaterThan(0.2);
  });
  it("refuses conditions evaluated on different episodes", () => {
    expect(() => crossedDifference(cellMatrix(records("a", [[1, 2]])), cellMatrix(records("b", [[1, 2, 3]])))).toThrow(/same episodes/);
  });
  it("strata group the seeds' values by episode", () => {
    expect(
      strata(
        cellMatrix(
          records("a", [
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    ).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });
});
