/** Point forecasts and the 80% interval for horizons 1..H (index h-1). */
export interface Forecast {
  point: number[];
  lower: number[];
  upper: number[];
}

/**
 * A forecaster of one series. Lifecycle: `fit(history)` once (parameters and interval widths), then
 * `start(history)` to filter a series up to now, `observe(y)` each new period, `forecast()` for h = 1..horizon.
 * `start` never refits, so a forecaster fitted on simulated history can be used on any episode.
 */
export interface Forecaster {
  readonly name: string;
  readonly horizon: number;
  /** Shortest history that `start` and `fit` accept. */
  readonly minHistory: number;
  readonly fitted: boolean;
  fit(history: readonly number[]): void;
  start(history: readonly number[]): void;
  observe(y: number): void;
  /** Forecast h = 1..horizon from the current state (fills and returns `out` when given). */
  forecast(out?: Forecast): Forecast;
  /** Parameters and interval offsets, for manifests and reports. */
  describe(): Record<string, unknown>;
}

/** z such that P(-z < Z < z) = 0.8 for a standard normal. */
export const Z80 = 1.2815515655446004;

import { quantileSorted } from "../eval/statistics.js";

export { quantileSorted };

/** Fewest h-step residuals for empirical interval quantiles; below it the normal fallback is used. */
export const MIN_RESIDUALS = 10;

/**
 * Shared machinery: subclasses give the state update and the point forecast; this class gives the interval.
 *
 * Intervals (80%): after fitting its parameters, the forecaster is run over its own fitting history (a rolling
 * origin from `minHistory` on, parameters fixed); the h-step errors `y_{t+h} - yhat_{t+h|t}` are collected per
 * horizon h, and the interval is `point + [q10_h, q90_h]`, their empirical 10% and 90% quantiles. With fewer than
 * `MIN_RESIDUALS` errors for some h, it falls back to `point -/+ 1.2816 * rmse_1 * sqrt(h)` (normal, random-walk
 * growth). Forecasts and bounds are clamped at 0 from below: a demand scale is never negative.
 */
export abstract class BaseForecaster implements Forecaster {
  abstract readonly name: string;
  abstract readonly minHistory: number;
  fitted = false;
  /** Per horizon: offsets added to the point forecast. */
  protected lowOffset: number[] = [];
  protected highOffset: number[] = [];
  protected intervalMethod = "";
  private readonly buf: Float64Array;

  constructor(readonly horizon: number) {
    if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`forecaster horizon must be a positive integer, got ${horizon}`);
    this.buf = new Float64Array(horizon);
  }

  /** Fit parameters on the history (default: none). */
  protected fitParams(_history: readonly number[]): void {}
  /** Reset the state from a history (length >= minHistory). */
  protected abstract init(history: readonly number[]): void;
  /** Add one observation to the state. */
  protected abstract update(y: number): void;
  /** Point forecasts for h = 1..horizon into out[0..horizon). */
  protected abstract predict(out: Float64Array): void;

  protected checkHistory(history: readonly number[], what: string): void {
    if (history.length < this.minHistory) {
      throw new RangeError(`${this.name}: ${what} needs at least ${this.minHistory} observations, got ${history.length}`);
    }
    for (let i = 0; i < history.length; i++) {
      if (!Number.isFinite(history[i])) throw new RangeError(`${this.name}: history[${i}] is not a finite number (${history[i]})`);
    }
  }

  fit(history: readonly number[]): void {
    this.checkHistory(history, "fit");
    this.fitParams(history);
    this.fitIntervals(history);
    this.fitted = true;
    this.init(history);
  }

  private fitIntervals(history: readonly number[]): void {
    const H = this.horizon;
    const errors: number[][] = Array.from({ length: H }, () => []);
    this.init(history.slice(0, this.minHistory));
    for (let t = this.minHistory; t < history.length; t++) {
      this.predict(this.buf);
      for (let h = 1; h <= H && t + h - 1 < history.length; h++) errors[h - 1].push(history[t + h - 1] - this.buf[h - 1]);
      this.update(history[t]);
    }
    const e1 = errors[0];
    const rmse1 = e1.length ? Math.sqrt(e1.reduce((s, e) => s + e * e, 0) / e1.length) : 0;
    const empirical = errors.every((e) => e.length >= MIN_RESIDUALS);
    this.intervalMethod = empirical ? "empirical in-sample h-step error quantiles (10%, 90%)" : "normal fallback: +-1.2816 rmse_1 sqrt(h)";
    for (let h = 1; h <= H; h++) {
      if (empirical) {
        const sorted = [...errors[h - 1]].sort((a, b) => a - b);
        this.lowOffset[h - 1] = Math.min(0, quantileSorted(sorted, 0.1));
        this.highOffset[h - 1] = Math.max(0, quantileSorted(sorted, 0.9));
      } else {
        const w = Z80 * rmse1 * Math.sqrt(h);
        this.lowOffset[h - 1] = -w;
        this.highOffset[h - 1] = w;
      }
    }
  }

  start(history: readonly number[]): void {
    if (!this.fitted) throw new Error(`${this.name}: call fit(history) before start()`);
    this.checkHistory(history, "start");
    this.init(history);
  }

  observe(y: number): void {
    if (!Number.isFinite(y)) throw new RangeError(`${this.name}: observed value is not finite (${y})`);
    this.update(y);
  }

  forecast(out?: Forecast): Forecast {
    if (!this.fitted) throw new Error(`${this.name}: call fit(history) before forecast()`);
    const H = this.horizon;
    const f = out ?? { point: new Array<number>(H), lower: new Array<number>(H), upper: new Array<number>(H) };
    this.predict(this.buf);
    for (let h = 0; h < H; h++) {
      const p = this.buf[h];
      f.point[h] = Math.max(0, p);
      f.lower[h] = Math.max(0, p + this.lowOffset[h]);
      f.upper[h] = Math.max(0, p + this.highOffset[h]);
    }
    return f;
  }

  describe(): Record<string, unknown> {
    return {
      name: this.name,
      horizon: this.horizon,
      interval: this.intervalMethod,
      lowOffset: [...this.lowOffset],
      highOffset: [...this.highOffset],
      ...this.params(),
    };
  }

  protected params(): Record<string, unknown> {
    return {};
  }
}
