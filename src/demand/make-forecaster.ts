import { boundedInt, LIMITS } from "../io/limits.js";
import { z } from "zod";
import type { Forecaster } from "./forecaster.js";
import { HoltWintersForecaster } from "./holt-winters.js";
import { MlpForecaster } from "./mlp-forecaster.js";
import { MovingAverageForecaster, NaiveForecaster, SeasonalNaiveForecaster } from "./simple-forecasters.js";

const name = z
  .enum(["naive", "seasonal-naive", "moving-average", "holt-winters", "mlp"])
  .describe("A forecaster by name, with its default parameters.");

const seasonPeriod = "Season length; default the data's or the demand process's season.";

/** A forecaster in a config: a name with defaults, or an object with its type and parameters (docs/environments.md). */
export const forecasterSpecSchema = z
  .union([
    name,
    z.strictObject({
      /** The last value. */
      type: z.literal("naive").describe("The last value."),
    }),
    z.strictObject({
      /** The value one season ago. */
      type: z.literal("seasonal-naive").describe("The value one season ago."),
      /** Season length; default the data's or the demand process's season. */
      period: boundedInt(1, LIMITS.periods).optional().describe(seasonPeriod),
    }),
    z.strictObject({
      /** The mean of the last `window` values. */
      type: z.literal("moving-average").describe("The mean of the last `window` values."),
      /** Values averaged (default 4). */
      window: boundedInt(1, LIMITS.periods).optional().describe("Values averaged (default 4)."),
    }),
    z.strictObject({
      /** Additive Holt-Winters; alpha, beta, gamma fitted by least squares unless given. */
      type: z.literal("holt-winters").describe("Additive Holt-Winters; alpha, beta, gamma fitted by least squares unless given."),
      /** Season length; default the data's or the demand process's season. */
      period: boundedInt(2, LIMITS.periods).optional().describe(seasonPeriod),
      /** Level smoothing (fixed; default fitted, 0.3 when another is fixed). */
      alpha: z.number().min(0).max(1).optional().describe("Level smoothing (fixed; default fitted, 0.3 when another is fixed)."),
      /** Trend smoothing (fixed; default fitted, 0.05 when another is fixed). */
      beta: z.number().min(0).max(1).optional().describe("Trend smoothing (fixed; default fitted, 0.05 when another is fixed)."),
      /** Season smoothing (fixed; default fitted, 0.1 when another is fixed). */
      gamma: z.number().min(0).max(1).optional().describe("Season smoothing (fixed; default fitted, 0.1 when another is fixed)."),
    }),
    z.strictObject({
      /** A TensorFlow.js MLP of the last `lags` values, trained on simulated history. */
      type: z.literal("mlp").describe("A TensorFlow.js MLP of the last `lags` values, trained on simulated history."),
      /** Inputs: the last `lags` values (default max(8, period + 2), 8 without a season). */
      lags: boundedInt(1, LIMITS.periods)
        .optional()
        .describe("Inputs: the last `lags` values (default max(8, period + 2), 8 without a season)."),
      /** Hidden layer widths (default [32, 32]). */
      hidden: z
        .array(boundedInt(1, LIMITS.hiddenUnits))
        .max(LIMITS.hiddenLayers)
        .optional()
        .describe("Hidden layer widths (default [32, 32])."),
      /** Training epochs (default 200). */
      epochs: boundedInt(1, LIMITS.epochs).optional().describe("Training epochs (default 200)."),
      /** Minibatch size (default 128). */
      batchSize: boundedInt(1, LIMITS.batchSteps).optional().describe("Minibatch size (default 128)."),
      /** Adam learning rate (default 0.01). */
      learningRate: z
        .number()
        .positive()
        .max(LIMITS.learningRate, `must be at most ${LIMITS.learningRate}`)
        .optional()
        .describe("Adam learning rate (default 0.01)."),
      /** Seed of the initial weights and minibatch order (default 1). */
      seed: z.number().int().optional().describe("Seed of the initial weights and minibatch order (default 1)."),
    }),
  ])
  .describe("A forecaster: a name, or {type, ...parameters}.");

export type ForecasterSpec = z.infer<typeof forecasterSpecSchema>;
export type ForecasterName = z.infer<typeof name>;

export interface ForecasterContext {
  horizon: number;
  /** Season length of the data, for seasonal-naive and holt-winters when the spec does not give one. */
  period?: number;
  /** Extra training series for the mlp. */
  trainingSeries?: number[][];
}

export function forecasterName(spec: ForecasterSpec): string {
  return typeof spec === "string" ? spec : spec.type;
}

/** Build an (unfitted) forecaster from its spec. Seasonal ones need a period, from the spec or the context. */
export function makeForecaster(spec: ForecasterSpec, ctx: ForecasterContext): Forecaster {
  const s = typeof spec === "string" ? ({ type: spec } as Exclude<ForecasterSpec, string>) : spec;
  const needPeriod = (p: number | undefined): number => {
    const period = p ?? ctx.period;
    if (period === undefined)
      throw new RangeError(`${s.type}: needs a season period (give "period", or use a demand process with seasonality)`);
    return period;
  };
  switch (s.type) {
    case "naive":
      return new NaiveForecaster(ctx.horizon);
    case "seasonal-naive":
      return new SeasonalNaiveForecaster(needPeriod(s.period), ctx.horizon);
    case "moving-average":
      return new MovingAverageForecaster(s.window ?? 4, ctx.horizon);
    case "holt-winters": {
      const fixed = s.alpha !== undefined || s.beta !== undefined || s.gamma !== undefined;
      const params = fixed ? { alpha: s.alpha ?? 0.3, beta: s.beta ?? 0.05, gamma: s.gamma ?? 0.1 } : undefined;
      return new HoltWintersForecaster(needPeriod(s.period), ctx.horizon, params);
    }
    case "mlp": {
      const { type: _t, ...rest } = s;
      const period = ctx.period;
      return new MlpForecaster({
        lags: period ? Math.max(8, period + 2) : 8,
        ...rest,
        horizon: ctx.horizon,
        trainingSeries: ctx.trainingSeries,
      });
    }
  }
}
