import { describe, expect, it } from "vitest";
import { backtest } from "./backtest.js";
import { MlpForecaster } from "./mlp-forecaster.js";
import { generateDemand } from "./process.js";
import { NaiveForecaster } from "./simple-forecasters.js";
import { tfReady } from "./tf-setup.js";

const spec = { base: 100, seasonal: { period: 12, amplitude: 0.3 }, ar: { phi: 0.3, sigma: 0.03 } };

describe("MlpForecaster", () => {
  const training = [1, 2, 3, 4].map((s) => generateDemand(spec, 120, 1000 + s));
  const opts = { lags: 14, hidden: [16], epochs: 40, batchSize: 64, learningRate: 0.01, seed: 5, trainingSeries: training };

  it("is seeded: the same seed gives the same forecasts, and leaks no tensors", () => {
    const tf = tfReady();
    const before = tf.memory().numTensors;
    const y = generateDemand(spec, 60, 1);
    const a = new MlpForecaster(opts);
    a.fit(y);
    const b = new MlpForecaster(opts);
    b.fit(y);
    expect(a.forecast()).toEqual(b.forecast());
    const c = new MlpForecaster({ ...opts, seed: 6 });
    c.fit(y);
    expect(c.forecast().point).not.toEqual(a.forecast().point);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe("cpu");
  });

  it("trained on simulated history, it beats naive on seasonal data", () => {
    const y = generateDemand(spec, 120, 77);
    const r = backtest(y, [new MlpForecaster(opts), new NaiveForecaster(3)], { trainSize: 60 });
    const maeOf = (name: string) => r.metrics.filter((m) => m.forecaster === name && m.metric === "mae").reduce((s, m) => s + m.value, 0);
    expect(maeOf("mlp")).toBeLessThan(maeOf("naive"));
  });

  it("validates its options", () => {
    expect(() => new MlpForecaster({ lags: 0 })).toThrow(/lags must be a positive integer/);
    expect(() => new MlpForecaster({ hidden: [0] })).toThrow(/hidden widths/);
  });
});
