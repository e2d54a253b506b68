import type { Forecaster } from "./forecaster.js";
import { coverage, mae, rmse, smape } from "./metrics.js";

export interface BacktestOptions {
  /** Observations used to fit each forecaster; origins run from here to the end. */
  trainSize: number;
}

/** One forecast of one origin: made after observing y[0..origin), for y[origin + h - 1]. */
export interface BacktestForecast {
  forecaster: string;
  origin: number;
  horizon: number;
  /** Index of the forecast period in the series. */
  target: number;
  actual: number;
  point: number;
  lower: number;
  upper: number;
}

export interface BacktestMetric {
  forecaster: string;
  horizon: number;
  metric: "mae" | "rmse" | "smape" | "coverage80";
  value: number;
}

export interface BacktestResult {
  metrics: BacktestMetric[];
  forecasts: BacktestForecast[];
}

/**
 * Rolling-origin evaluation: each forecaster is fitted once on `series[0..trainSize)`, then for every origin
 * t = trainSize, ..., n-1 it forecasts h = 1..horizon from y[0..t) and observes y[t]; its parameters stay fixed
 * (no refit per origin) and only its state follows the data. Forecasts whose target lies past the end are dropped.
 * Metrics per forecaster and horizon: MAE, RMSE, sMAPE (%) and the coverage of the 80% interval.
 */
export function backtest(series: readonly number[], forecasters: readonly Forecaster[], opts: BacktestOptions): BacktestResult {
  const { trainSize } = opts;
  if (!Number.isInteger(trainSize) || trainSize < 1 || trainSize >= series.length) {
    throw new RangeError(`backtest: trainSize must be an integer in [1, ${series.length - 1}], got ${trainSize}`);
  }
  const names = new Set<string>();
  const forecasts: BacktestForecast[] = [];
  const metrics: BacktestMetric[] = [];
  const train = series.slice(0, trainSize);
  for (const f of forecasters) {
    if (names.has(f.name)) throw new RangeError(`backtest: two forecasters are named "${f.name}"`);
    names.add(f.name);
    f.fit(train);
    f.start(train);
    const H = f.horizon;
    const per = Array.from({ length: H }, () => ({ y: [] as number[], p: [] as number[], lo: [] as number[], hi: [] as number[] }));
    for (let t = trainSize; t < series.length; t++) {
      const fc = f.forecast();
      for (let h = 1; h <= H && t + h - 1 < series.length; h++) {
        const target = t + h - 1;
        const row = {
          forecaster: f.name,
          origin: t,
          horizon: h,
          target,
          actual: series[target],
          point: fc.point[h - 1],
          lower: fc.lower[h - 1],
          upper: fc.upper[h - 1],
        };
        forecasts.push(row);
        per[h - 1].y.push(row.actual);
        per[h - 1].p.push(row.point);
        per[h - 1].lo.push(row.lower);
        per[h - 1].hi.push(row.upper);
      }
      f.observe(series[t]);
    }
    per.forEach((d, i) => {
      if (d.y.length === 0) return;
      const horizon = i + 1;
      metrics.push({ forecaster: f.name, horizon, metric: "mae", value: mae(d.y, d.p) });
      metrics.push({ forecaster: f.name, horizon, metric: "rmse", value: rmse(d.y, d.p) });
      metrics.push({ forecaster: f.name, horizon, metric: "smape", value: smape(d.y, d.p) });
      metrics.push({ forecaster: f.name, horizon, metric: "coverage80", value: coverage(d.y, d.lo, d.hi) });
    });
  }
  return { metrics, forecasts };
}
