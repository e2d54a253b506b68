import { z } from "zod";
import { Rng } from "../core/rng.js";
import { ConfigError, zodConfigError } from "../io/errors.js";
import { boundedInt, LIMITS } from "../io/limits.js";
import type { Forecast, Forecaster } from "../demand/forecaster.js";
import { forecasterSpecSchema, makeForecaster } from "../demand/make-forecaster.js";
import type { ResolvedHubsConfig, ShortageEvent } from "./config.js";
import { episodeEvents, predictedCut, supplyAt } from "./shortages.js";

const UNSUPPORTED =
  'forecaster "mlp" is not supported here (one network per hub and resource); use naive, moving-average, seasonal-naive or holt-winters';

/**
 * Shortages predicted `horizon` periods ahead, as a hub agent sees them (the "predicted cut" in its observation).
 *
 * Two sources, combined by taking the larger cut for each future period t+1..t+horizon:
 * - **announced events** (`announced: true`): the cut implied by shortage events already announced at t
 *   (exact, see `predictedCut`);
 * - **a `src/demand` forecaster** (`forecaster`, default moving average over 4 periods) of each hub's and
 *   resource's realised supply ratio (supply / allocation, 1 = no shortage): predicted cut = 1 − point forecast,
 *   clipped to [0, 1]. One forecaster per hub and resource, fitted once on a simulated history of the scenario's
 *   own shortage process (`fitPeriods` periods drawn with the scenario's generator and config events, seed
 *   `hubs-forecast-fit/<config seed>`), then started each episode from a history of full supply (the episode
 *   starts from normal supply) and fed each period's realised ratio when the period starts (its supply is then
 *   known to the hub, as its holdings), so the forecast h = 1..horizon covers the periods after the current one.
 *
 * The observation reports the largest predicted cut over the horizon. The simulator's own credit valuation is not
 * affected (it keeps using announced events).
 */
/** The options of the shortage prediction: one zod schema with the defaults and a text per field. */
export const shortageForecastOptionsSchema = z.strictObject({
  /** A src/demand forecaster spec ("naive", "moving-average", {"type": "holt-winters", "period": 4}, ...) of each hub's and resource's supply ratio, or "none" (announced events only); "mlp" is refused (one network per hub and resource). */
  forecaster: z
    .union([z.literal("none"), forecasterSpecSchema], {
      error: 'must be "none" or a src/demand forecaster spec ("naive", "moving-average", "seasonal-naive", "holt-winters" or {type, ...})',
    })
    .refine((f) => f !== "mlp" && (typeof f === "string" || f.type !== "mlp"), UNSUPPORTED)
    .default({ type: "moving-average", window: 4 })
    .describe(
      'A src/demand forecaster spec ("naive", "moving-average", {"type": "holt-winters", "period": 4}, ...) of each hub\'s and resource\'s supply ratio, or "none" (announced events only); "mlp" is refused (one network per hub and resource).',
    ),
  /** Whether announced shortage events enter the prediction. */
  announced: z.boolean().default(true).describe("Whether announced shortage events enter the prediction."),
  /** Length of the simulated history of the scenario's own shortage process the forecasters are fitted on. */
  fitPeriods: boundedInt(1, LIMITS.periods)
    .default(240)
    .describe("Length of the simulated history of the scenario's own shortage process the forecasters are fitted on."),
});

/** The shortage-forecast options with defaults filled (see {@link shortageForecastOptionsSchema}). */
export type ShortageForecastOptions = z.output<typeof shortageForecastOptionsSchema>;

export const SHORTAGE_FORECAST_DEFAULTS: ShortageForecastOptions = shortageForecastOptionsSchema.parse({});

/**
 * Validate the options and fill the defaults; a bad field is a ConfigError of the document `where` naming the
 * field's path (HubTrading-v0 nests it under `shortageForecast`).
 */
export function resolveShortageForecastOptions(o: unknown, where = "shortage forecast options"): ShortageForecastOptions {
  const parsed = shortageForecastOptionsSchema.safeParse(o ?? {});
  if (!parsed.success) throw zodConfigError(where, parsed.error);
  return parsed.data;
}

/** The realised supply ratio (supply / allocation; 1 when the allocation is 0) of every hub and resource in `period`. */
export function supplyRatios(cfg: ResolvedHubsConfig, events: readonly ShortageEvent[], period: number): number[][] {
  const s = supplyAt(cfg, events, period);
  return s.map((row, h) => row.map((v, r) => (cfg.hubs[h].supply[r] > 0 ? v / cfg.hubs[h].supply[r] : 1)));
}

export class ShortagePredictor {
  readonly options: ShortageForecastOptions;
  /** forecasters[hub][resource], or undefined with forecaster "none". */
  private readonly forecasters?: Forecaster[][];
  private readonly buf: Forecast;
  /** Per hub and resource: the forecast cut for t+1..t+H made from data up to the current period. */
  private cuts: number[][][] = [];
  private events: readonly ShortageEvent[] = [];
  /** The next period whose supply the forecasters expect. */
  private next = 0;

  constructor(
    readonly cfg: ResolvedHubsConfig,
    options: z.input<typeof shortageForecastOptionsSchema> = {},
  ) {
    this.options = resolveShortageForecastOptions(options);
    const H = cfg.horizon;
    this.buf = { point: new Array<number>(H), lower: new Array<number>(H), upper: new Array<number>(H) };
    const spec = this.options.forecaster;
    if (spec === "none") return;
    const fitCfg = { ...cfg, periods: this.options.fitPeriods };
    const events = episodeEvents(fitCfg, new Rng(`hubs-forecast-fit/${cfg.seed}`));
    const history = Array.from({ length: this.options.fitPeriods }, (_, t) => supplyRatios(fitCfg, events, t));
    this.forecasters = cfg.hubs.map((_, h) =>
      cfg.resources.map((_, r) => {
        const f = makeForecaster(spec, { horizon: H });
        const series = history.map((row) => row[h][r]);
        if (series.length < f.minHistory)
          throw new ConfigError("shortage forecast options", [
            { path: "fitPeriods", message: `${f.name} needs at least ${f.minHistory} periods of history; fitPeriods is ${series.length}` },
          ]);
        f.fit(series);
        return f;
      }),
    );
  }

  /** Start an episode: forecasters restart from a history of full supply, then see period 0's supply. */
  reset(events: readonly ShortageEvent[]): void {
    this.events = events;
    this.next = 0;
    if (this.forecasters) for (const row of this.forecasters) for (const f of row) f.start(new Array<number>(f.minHistory).fill(1));
    this.observeSupply(0);
  }

  /**
   * Feed the realised supply of `period`, known when the period starts (periods in order 0, 1, ...; `reset`
   * feeds period 0). Forecasts then cover period + 1 ... period + horizon.
   */
  observeSupply(period: number): void {
    if (period !== this.next) throw new RangeError(`ShortagePredictor: expected period ${this.next}, got ${period}`);
    this.next++;
    if (!this.forecasters) return;
    const ratios = supplyRatios(this.cfg, this.events, period);
    this.forecasters.forEach((row, h) => row.forEach((f, r) => f.observe(ratios[h][r])));
    this.refresh();
  }

  /**
   * Largest predicted cut of resource r at hub h over periods t+1 ... t+horizon, in [0, 1]: announced events
   * known at `knownAt`, and the forecast made from the supply seen so far.
   */
  maxCut(h: number, r: number, t: number, knownAt: number): number {
    let cut = 0;
    for (let k = 1; k <= this.cfg.horizon; k++) {
      if (this.options.announced) cut = Math.max(cut, predictedCut(this.cfg, this.events, h, r, t + k, knownAt));
      if (this.forecasters) cut = Math.max(cut, this.cuts[h][r][k - 1]);
    }
    return Math.min(1, Math.max(0, cut));
  }

  private refresh(): void {
    this.cuts = this.forecasters!.map((row) =>
      row.map((f) => {
        f.forecast(this.buf);
        return this.buf.point.map((p) => Math.min(1, Math.max(0, 1 - p)));
      }),
    );
  }
}
