import { boundedInt, LIMITS } from "../io/limits.js";
import { z } from "zod";
import type { Forecaster } from "./forecaster.js";
import { HoltWintersForecaster } from "./holt-winters.js";
import { MlpForecaster } from "./mlp-forecaster.js";
import { MovingAverageForecaster, NaiveForecaster, SeasonalNaiveForecaster } from "./simple-forecasters.js";

const name = z.enum(["naive", "seasonal-naive", "moving-average", "holt-winters", "mlp"]);

/** A forecaster in a config: a name with defaults, or an object with its type and parameters. */
export const forecasterSpecSchema = z.union([
  name,
  z.object({ type: z.literal("naive") }).strict(),
  z.object({ type: z.literal("seasonal-naive"), period: boundedInt(1, LIMITS.periods).optional() }).strict(),
  z.object({ type: z.literal("moving-average"), window: boundedInt(1, LIMITS.periods).optional() }).strict(),
  z
    .object({
      type: z.literal("holt-winters"),
      period: boundedInt(2, LIMITS.periods).optional(),
      alpha: z.number().min(0).max(1).optional(),
      beta: z.number().min(0).max(1).optional(),
      gamma: z.number().min(0).max(1).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("mlp"),
      lags: boundedInt(1, LIMITS.periods).optional(),
      hidden: z.array(boundedInt(1, LIMITS.hiddenUnits)).max(LIMITS.hiddenLayers).optional(),
      epochs: boundedInt(1, LIMITS.epochs).optional(),
      batchSize: boundedInt(1, LIMITS.batchSteps).optional(),
      learningRate: z.number().positive().max(LIMITS.learningRate, `must be at most ${LIMITS.learningRate}`).optional(),
      seed: z.number().int().optional(),
    })
    .strict(),
]);

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
