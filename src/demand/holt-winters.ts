import { BaseForecaster } from "./forecaster.js";

export interface HoltWintersParams {
  alpha: number;
  beta: number;
  gamma: number;
}

/**
 * Additive Holt-Winters (level, trend, season of period m):
 *
 *   l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l_{t-1} + b_{t-1})
 *   b_t = beta (l_t - l_{t-1}) + (1 - beta) b_{t-1}
 *   s_t = gamma (y_t - l_{t-1} - b_{t-1}) + (1 - gamma) s_{t-m}
 *   yhat_{t+h|t} = l_t + h b_t + s_{t+h-m(k+1)},  k = floor((h - 1) / m)
 *
 * Initial state from the first two seasons (so `minHistory` = 2m): b = (mean of season 2 - mean of season 1) / m;
 * the level at the end of season 1 is its mean plus b (m - 1) / 2; s_i = y_i - (that season's linear level).
 * Filtering then starts at t = m.
 *
 * Fitting: alpha, beta, gamma in [0, 1] minimise the sum of squared one-step errors over the history: the best
 * point of a grid (alpha in {.1,.3,.5,.7,.9}, beta in {.01,.05,.1,.3}, gamma in {.05,.1,.3,.5}), refined by
 * coordinate search (try +-step on each parameter, keep improvements, halve the step when none, stop at 1e-4).
 * Deterministic; no randomness.
 */
export class HoltWintersForecaster extends BaseForecaster {
  readonly name = "holt-winters";
  readonly minHistory: number;
  params_: HoltWintersParams;
  private fixed: boolean;
  private level = 0;
  private trend = 0;
  private readonly season: Float64Array;
  /** Index in `season` of s_{t+1-m}, the seasonal term the next observation uses. */
  private pos = 0;
  sse = NaN;

  constructor(
    readonly period: number,
    horizon = 3,
    params?: HoltWintersParams,
  ) {
    super(horizon);
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`holt-winters: period must be an integer >= 2, got ${period}`);
    this.minHistory = 2 * period;
    this.season = new Float64Array(period);
    this.params_ = params ?? { alpha: 0.3, beta: 0.05, gamma: 0.1 };
    this.fixed = params !== undefined;
    for (const [k, v] of Object.entries(this.params_)) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`holt-winters: ${k} must be in [0, 1], got ${v}`);
    }
  }

  protected init(history: readonly number[]): void {
    const m = this.period;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < m; i++) {
      m1 += history[i];
      m2 += history[m + i];
    }
    m1 /= m;
    m2 /= m;
    const b = (m2 - m1) / m;
    for (let i = 0; i < m; i++) this.season[i] = history[i] - (m1 + b * (i - (m - 1) / 2));
    this.level = m1 + (b * (m - 1)) / 2;
    this.trend = b;
    this.pos = 0; // season[0] is s_{m-m} = s_0, the term for t = m
    for (let t = m; t < history.length; t++) this.update(history[t]);
  }

  protected update(y: number): void {
    const { alpha, beta, gamma } = this.params_;
    const s = this.season[this.pos];
    const prevLevel = this.level;
    const prevTrend = this.trend;
    this.level = alpha * (y - s) + (1 - alpha) * (prevLevel + prevTrend);
    this.trend = beta * (this.level - prevLevel) + (1 - beta) * prevTrend;
    this.season[this.pos] = gamma * (y - prevLevel - prevTrend) + (1 - gamma) * s;
    this.pos = (this.pos + 1) % this.period;
  }

  protected predict(out: Float64Array): void {
    const m = this.period;
    for (let h = 1; h <= out.length; h++) out[h - 1] = this.level + h * this.trend + this.season[(this.pos + h - 1) % m];
  }

  /** Sum of squared one-step errors over `history` with parameters `p` (state from its first two seasons). */
  oneStepSse(history: readonly number[], p: HoltWintersParams): number {
    const saved = this.params_;
    this.params_ = p;
    const m = this.period;
    this.init(history.slice(0, 2 * m));
    // The first two seasons built the initial state; errors count from t = 2m.
    let sse = 0;
    for (let t = 2 * m; t < history.length; t++) {
      const yhat = this.level + this.trend + this.season[this.pos];
      const e = history[t] - yhat;
      sse += e * e;
      this.update(history[t]);
    }
    this.params_ = saved;
    return sse;
  }

  protected override fitParams(history: readonly number[]): void {
    if (this.fixed) {
      this.sse = this.oneStepSse(history, this.params_);
      return;
    }
    let best = { alpha: 0.3, beta: 0.05, gamma: 0.1 };
    let bestSse = Infinity;
    for (const alpha of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      for (const beta of [0.01, 0.05, 0.1, 0.3]) {
        for (const gamma of [0.05, 0.1, 0.3, 0.5]) {
          const sse = this.oneStepSse(history, { alpha, beta, gamma });
          if (sse < bestSse) {
            bestSse = sse;
            best = { alpha, beta, gamma };
          }
        }
      }
    }
    const keys = ["alpha", "beta", "gamma"] as const;
    for (let step = 0.05; step >= 1e-4; ) {
      let improved = false;
      for (const k of keys) {
        for (const dir of [1, -1]) {
          const trial = { ...best, [k]: Math.min(1, Math.max(0, best[k] + dir * step)) };
          if (trial[k] === best[k]) continue;
          const sse = this.oneStepSse(history, trial);
          if (sse < bestSse) {
            bestSse = sse;
            best = trial;
            improved = true;
          }
        }
      }
      if (!improved) step /= 2;
    }
    this.params_ = best;
    this.sse = bestSse;
  }

  protected override params() {
    return { period: this.period, ...this.params_, sse: this.sse };
  }
}
