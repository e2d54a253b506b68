export { DemandProcess, generateDemand, demandSpecSchema, seasonPeriod, type DemandSpec } from "./process.js";
export { DemandCsvError, parseDemandCsv, readDemandCsv, historyColumn, type DemandHistory, type ParseDemandCsvOptions } from "./replay.js";
export { BaseForecaster, quantileSorted, Z80, MIN_RESIDUALS, type Forecast, type Forecaster } from "./forecaster.js";
export { NaiveForecaster, SeasonalNaiveForecaster, MovingAverageForecaster } from "./simple-forecasters.js";
export { HoltWintersForecaster, type HoltWintersParams } from "./holt-winters.js";
export { MlpForecaster, MLP_FORECASTER_DEFAULTS, type MlpForecasterOptions } from "./mlp-forecaster.js";
export { makeForecaster, forecasterSpecSchema, forecasterName, type ForecasterSpec, type ForecasterContext } from "./make-forecaster.js";
export { mae, rmse, smape, coverage } from "./metrics.js";
export { backtest, type BacktestOptions, type BacktestResult, type BacktestMetric, type BacktestForecast } from "./backtest.js";
