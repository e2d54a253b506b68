import { describe, expect, it } from "vitest";
import { backtest } from "./backtest.js";
import { quantileSorted } from "./forecaster.js";
import { HoltWintersForecaster } from "./holt-winters.js";
import { makeForecaster } from "./make-forecaster.js";
import { coverage, mae, rmse, smape } from "./metrics.js";
import { generateDemand } from "./process.js";
import { MovingAverageForecaster, NaiveForecaster, SeasonalNaiveForecaster } from "./simple-forecasters.js";

const seasonalSpec = { base: 100, seasonal: { period: 12, amplitude: 0.3 }, trend: 0.002, ar: { phi: 0.3, sigma: 0.03 } };

describe("metrics", () => {
  it("match hand computation", () => {
    const y = [10, 20, 0];
    const f = [12, 15, 0];
    expect(mae(y, f)).toBeCloseTo(7 / 3, 12);
    expect(rmse(y, f)).toBeCloseTo(Math.sqrt((4 + 25) / 3), 12);
    // sMAPE: 200*2/22, 200*5/35, 0 (both zero)
    expect(smape(y, f)).toBeCloseTo((400 / 22 + 1000 / 35) / 3, 10);
    expect(coverage(y, [9, 21, 0], [11, 22, 0])).toBeCloseTo(2 / 3, 12);
    expect(() => mae([1], [1, 2])).toThrow(/1 actuals vs 2 forecasts/);
  });
  it("quantile type 7", () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 12);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
  });
});

describe("simple forecasters", () => {
  it("naive, seasonal naive and moving average by hand", () => {
    const hist = [1, 2, 3, 4, 5, 6, 7];
    const n = new NaiveForecaster(3);
    n.fit(hist);
    expect(n.forecast().point).toEqual([7, 7, 7]);
    n.observe(9);
    expect(n.forecast().point).toEqual([9, 9, 9]);
    const s = new SeasonalNaiveForecaster(3, 4);
    s.fit(hist);
    // Last season: 5, 6, 7 -> forecasts for the next 4 periods: 5, 6, 7, 5.
    expect(s.forecast().point).toEqual([5, 6, 7, 5]);
    const m = new MovingAverageForecaster(3, 2);
    m.fit(hist);
    expect(m.forecast().point).toEqual([6, 6]);
    m.observe(12);
    expect(m.forecast().point).toEqual([25 / 3, 25 / 3]);
  });

  it("intervals come from in-sample h-step errors: a naive forecaster on a +1 ramp has errors exactly h", () => {
    const ramp = Array.from({ length: 40 }, (_, t) => t);
    const n = new NaiveForecaster(3);
    n.fit(ramp);
    const f = n.forecast();
    // Every h-step error is h: the 10% and 90% quantiles are both h; the lower offset is clamped at 0.
    expect(f.point).toEqual([39, 39, 39]);
    expect(f.upper).toEqual([40, 41, 42]);
    expect(f.lower).toEqual([39, 39, 39]);
  });

  it("refuse too short a history and use before fit", () => {
    const s = new SeasonalNaiveForecaster(12);
    expect(() => s.fit([1, 2, 3])).toThrow(/at least 12 observations, got 3/);
    expect(() => s.forecast()).toThrow(/call fit/);
  });
});

describe("Holt-Winters", () => {
  it("forecasts a noise-free trend + season almost exactly", () => {
    const y = Array.from({ length: 60 }, (_, t) => 50 + 0.5 * t + 10 * Math.sin((2 * Math.PI * t) / 12));
    const hw = new HoltWintersForecaster(12, 3);
    hw.fit(y);
    const f = hw.forecast();
    for (let h = 1; h <= 3; h++) {
      const truth = 50 + 0.5 * (59 + h) + 10 * Math.sin((2 * Math.PI * (59 + h)) / 12);
      expect(Math.abs(f.point[h - 1] - truth)).toBeLessThan(0.5);
    }
  });

  it("fitting lowers the one-step SSE below the default parameters", () => {
    const y = generateDemand(seasonalSpec, 96, 11);
    const hw = new HoltWintersForecaster(12, 3);
    const before = hw.oneStepSse(y, { alpha: 0.3, beta: 0.05, gamma: 0.1 });
    hw.fit(y);
    expect(hw.sse).toBeLessThanOrEqual(before);
    const p = hw.describe();
    for (const k of ["alpha", "beta", "gamma"]) expect(p[k]).toBeGreaterThanOrEqual(0);
  });

  it("beats naive on seasonal data (MAE at every horizon, averaged over 5 seeds)", () => {
    const totals = { hw: [0, 0, 0], naive: [0, 0, 0] };
    for (let seed = 1; seed <= 5; seed++) {
      const y = generateDemand(seasonalSpec, 120, seed);
      const r = backtest(y, [new HoltWintersForecaster(12, 3), new NaiveForecaster(3)], { trainSize: 72 });
      for (const m of r.metrics.filter((m) => m.metric === "mae"))
        (m.forecaster === "naive" ? totals.naive : totals.hw)[m.horizon - 1] += m.value;
    }
    for (let h = 0; h < 3; h++) expect(totals.hw[h]).toBeLessThan(0.7 * totals.naive[h]);
  });

  it("80% intervals cover roughly 80% out of sample", () => {
    let inside = 0;
    let total = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const y = generateDemand(seasonalSpec, 200, 100 + seed);
      const r = backtest(y, [new HoltWintersForecaster(12, 1)], { trainSize: 100 });
      for (const f of r.forecasts) {
        total++;
        if (f.actual >= f.lower && f.actual <= f.upper) inside++;
      }
    }
    expect(inside / total).toBeGreaterThan(0.65);
    expect(inside / total).toBeLessThan(0.92);
  });
});

describe("backtest", () => {
  it("scores every forecaster at every horizon with the four metrics", () => {
    const y = generateDemand(seasonalSpec, 80, 2);
    const specs = ["naive", "seasonal-naive", "moving-average", "holt-winters"] as const;
    const r = backtest(
      y,
      specs.map((s) => makeForecaster(s, { horizon: 3, period: 12 })),
      { trainSize: 50 },
    );
    expect(r.metrics.length).toBe(4 * 3 * 4);
    for (const m of r.metrics) expect(Number.isFinite(m.value)).toBe(true);
    // Origins 50..79; horizon 3 drops the last two origins.
    expect(r.forecasts.filter((f) => f.forecaster === "naive" && f.horizon === 3).length).toBe(28);
    const first = r.forecasts.find((f) => f.forecaster === "naive" && f.origin === 50 && f.horizon === 1)!;
    expect(first.point).toBe(y[49]);
    expect(first.actual).toBe(y[50]);
  });
  it("rejects duplicate names and a bad train size", () => {
    const y = [1, 2, 3, 4];
    expect(() => backtest(y, [new NaiveForecaster(), new NaiveForecaster()], { trainSize: 2 })).toThrow(
      /two forecasters are named "naive"/,
    );
    expect(() => backtest(y, [new NaiveForecaster()], { trainSize: 4 })).toThrow(/trainSize/);
  });
  it("a seasonal forecaster without a period says where to give one", () => {
    expect(() => makeForecaster("holt-winters", { horizon: 3 })).toThrow(/needs a season period/);
  });
});
