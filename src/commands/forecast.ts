import { checkName } from "../io/names.js";
import { basename, dirname, resolve } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { Command } from "./command.js";
import { deriveSeed } from "../core/rng.js";
import { backtest, type BacktestResult } from "../demand/backtest.js";
import { type ForecastConfig, forecastConfigSchema } from "../demand/forecast-config.js";
import { forecasterName, makeForecaster } from "../demand/make-forecaster.js";
import { generateDemand } from "../demand/process.js";
import { historyColumn, readDemandCsv } from "../demand/replay.js";
import { loadConfig } from "../io/config.js";
import { ConfigError, UsageError } from "../io/errors.js";
import { buildManifest } from "../io/manifest.js";
import { renderSvg } from "../io/plot.js";
import { RunDir } from "../io/run-dir.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym forecast <config.json> [--out DIR]

Backtest demand forecasters (rolling origin) on a simulated or historical demand series.

  <config.json>   e.g. experiments/forecast-seasonal.json; fields: experiment, seed, horizon, trainPeriods,
                  demand ({type: "synthetic", spec, periods} or {type: "csv", file, column?, period?}),
                  forecasters (names or {type, ...}: naive, seasonal-naive, moving-average, holt-winters, mlp),
                  figureHorizon
  --out DIR       the run directory to create (default results/<experiment>/<run-id>/); never overwritten

Each forecaster is fitted once on the first trainPeriods values, then forecasts h = 1..horizon from every
later origin. Writes forecast_backtest.csv (forecaster,horizon,metric,value with metrics mae, rmse, smape
(%), coverage80), forecasts.csv (every forecast), forecast.svg (history, forecasts, 80% intervals) and
manifest.json. Exit code 2 on bad input.`;

export const command: Command = {
  name: "forecast",
  summary: "backtest demand forecasters and write their scores and a figure",
  help,
  async run(argv) {
    const parsed = parseCommandArgs("forecast", argv, { out: { type: "string" } }, help);
    const { positionals, values } = parsed;
    if (positionals.length !== 1) throw new UsageError(`forecast: expected one config file, got ${positionals.length}\n\n${help}`);
    const file = positionals[0];
    const config = loadConfig(forecastConfigSchema, file);
    const experiment = config.experiment ?? basename(file).replace(/\.json$/i, "");
    const nameField =
      config.experiment === undefined
        ? `${file}: the file name (it names the results folder when there is no experiment field)`
        : `${file}: experiment`;
    checkName(nameField, experiment);

    const t0 = performance.now();
    const { series, period, trainingSeries } = loadSeries(config, file);
    if (config.trainPeriods >= series.length) {
      throw new ConfigError(file, [{ path: "trainPeriods", message: `must be below the series length (${series.length})` }]);
    }
    if (config.figureHorizon > config.horizon) {
      throw new ConfigError(file, [{ path: "figureHorizon", message: `must be at most horizon (${config.horizon})` }]);
    }
    const forecasters = config.forecasters.map((spec, i) => {
      try {
        return makeForecaster(spec, { horizon: config.horizon, period, trainingSeries });
      } catch (err) {
        throw new ConfigError(file, [{ path: `forecasters[${i}]`, message: (err as Error).message }]);
      }
    });
    let result: BacktestResult;
    try {
      result = backtest(series, forecasters, { trainSize: config.trainPeriods });
    } catch (err) {
      if (err instanceof RangeError) throw new ConfigError(file, [{ path: "", message: err.message }]);
      throw err;
    }
    const t1 = performance.now();

    const dir = RunDir.open({ experiment, out: values.out, field: nameField });
    try {
      dir.writeCsv("forecast_backtest.csv", ["forecaster", "horizon", "metric", "value"], result.metrics);
      dir.writeCsv("forecasts.csv", ["forecaster", "origin", "horizon", "target", "actual", "point", "lower", "upper"], result.forecasts);
      dir.writeText("forecast.svg", await renderSvg(forecastFigure(series, result, config.trainPeriods, config.figureHorizon)));
      dir.writeJson(
        "manifest.json",
        buildManifest({
          command: `supplygym forecast ${argv.join(" ")}`,
          configFile: file,
          config: { ...config, experiment },
          seeds: [config.seed],
          backend: forecasters.some((f) => f.name === "mlp") ? "tfjs-cpu (mlp training)" : undefined,
          timings: { backtest: (t1 - t0) / 1000, total: (performance.now() - t0) / 1000 },
          extra: {
            series_length: series.length,
            forecasters: forecasters.map((f) => f.describe()),
            backtest: "rolling origin; parameters fitted once on the training periods, state updated with each observation",
          },
        }),
      );
      const path = dir.commit();
      console.log(formatTable(experiment, result));
      console.log(`\nrun directory: ${path}`);
      return 0;
    } catch (err) {
      dir.abort();
      throw err;
    }
  },
};

function loadSeries(config: ForecastConfig, file: string): { series: number[]; period?: number; trainingSeries?: number[][] } {
  const d = config.demand;
  if (d.type === "synthetic") {
    const series = generateDemand(d.spec, d.periods, deriveSeed(config.seed, "forecast", "series"));
    const needsTraining = config.forecasters.some((f) => forecasterName(f) === "mlp");
    const trainingSeries = needsTraining
      ? Array.from({ length: d.mlpTrainingSeries }, (_, i) =>
          generateDemand(d.spec, d.periods, deriveSeed(config.seed, "forecast", "mlp-train", i)),
        )
      : undefined;
    return { series, period: d.spec.seasonal?.period, trainingSeries };
  }
  const path = resolve(dirname(file), d.file);
  const history = readDemandCsv(path, d.column ? { columns: [d.column] } : {});
  return { series: historyColumn(history, 0), period: d.period };
}

function formatTable(name: string, result: BacktestResult): string {
  const names = [...new Set(result.metrics.map((m) => m.forecaster))];
  const horizons = [...new Set(result.metrics.map((m) => m.horizon))];
  const metrics = ["mae", "rmse", "smape", "coverage80"] as const;
  const lines = [`${name}: rolling-origin backtest`, "", `${"forecaster".padEnd(16)} h ${metrics.map((m) => m.padStart(11)).join("")}`];
  for (const n of names) {
    for (const h of horizons) {
      const cells = metrics.map((m) => {
        const v = result.metrics.find((r) => r.forecaster === n && r.horizon === h && r.metric === m)?.value;
        return (v === undefined ? "" : v.toPrecision(4)).padStart(11);
      });
      lines.push(`${n.padEnd(16)} ${h} ${cells.join("")}`);
    }
  }
  return lines.join("\n");
}

/** One panel per forecaster: the series (black), the h-step forecasts from each origin (red) and their 80% band. */
export function forecastFigure(series: readonly number[], result: BacktestResult, trainSize: number, horizon: number): TopLevelSpec {
  const names = [...new Set(result.forecasts.map((f) => f.forecaster))];
  const values: Record<string, unknown>[] = [];
  for (const name of names) {
    const byTarget = new Map(result.forecasts.filter((f) => f.forecaster === name && f.horizon === horizon).map((f) => [f.target, f]));
    series.forEach((y, t) => {
      const f = byTarget.get(t);
      values.push({ forecaster: name, period: t, actual: y, point: f?.point ?? null, lower: f?.lower ?? null, upper: f?.upper ?? null });
    });
  }
  const x = { field: "period", type: "quantitative", title: "period" };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Demand, ${horizon}-step-ahead forecasts and 80% intervals (fitted on periods 0-${trainSize - 1})`,
    data: { values },
    facet: { row: { field: "forecaster", type: "nominal", title: null, sort: names } },
    spec: {
      width: 640,
      height: 130,
      layer: [
        {
          transform: [{ filter: "datum.point !== null" }],
          mark: { type: "area", opacity: 0.25, color: "#d62728" },
          encoding: { x, y: { field: "lower", type: "quantitative", title: "demand scale" }, y2: { field: "upper" } },
        },
        { mark: { type: "line", color: "black", strokeWidth: 1 }, encoding: { x, y: { field: "actual", type: "quantitative" } } },
        {
          transform: [{ filter: "datum.point !== null" }],
          mark: { type: "line", color: "#d62728", strokeWidth: 1.2 },
          encoding: { x, y: { field: "point", type: "quantitative" } },
        },
        { mark: { type: "rule", strokeDash: [4, 4], color: "gray" }, encoding: { x: { datum: trainSize - 0.5 } } },
      ],
    },
  } as TopLevelSpec;
}
