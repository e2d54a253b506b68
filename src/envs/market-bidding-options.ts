import { boundedInt, LIMITS } from "../io/limits.js";
import { z } from "zod";
import { forecasterSpecSchema, makeForecaster, type ForecasterSpec } from "../demand/make-forecaster.js";
import { demandSpecSchema, type DemandSpec } from "../demand/process.js";
import { parseDemandCsv, readDemandCsv, type DemandHistory } from "../demand/replay.js";
import { ConfigError, nestConfigError, zodConfigError } from "../io/errors.js";
import { newtonDefaults } from "../market/equilibrium.js";
import { compileMarket, type CompiledMarket } from "../market/spec.js";
import { resolveMarketOption } from "./market-option.js";

/**
 * The options of `MarketBidding-v0` and `MarketBiddingParallel-v0`: their zod schema, defaults and
 * `resolveMarketBiddingOptions`, which checks them against the market and fills in the defaults. The engine that
 * runs the market with them is `MarketBiddingCore` (market-bidding-core.ts).
 */

const partialDemandSpec = demandSpecSchema.partial({ base: true });

const inventorySchema = z.strictObject({
  /** Most units of each output good that can be stored (one number for every good, or one per good). */
  capacity: z
    .union([z.number().min(0), z.array(z.number().min(0))])
    .describe("Most units of each output good that can be stored (one number for every good, or one per good)."),
  /** Cost per unit stored per period, charged on the stock at the end of the period. */
  holdingCost: z.number().min(0).describe("Cost per unit stored per period, charged on the stock at the end of the period."),
  /** Stock at the start of an episode (one number or one per good, at most the capacity; default 0). */
  initial: z
    .union([z.number().min(0), z.array(z.number().min(0))])
    .optional()
    .describe("Stock at the start of an episode (one number or one per good, at most the capacity; default 0)."),
});

/** The options of MarketBidding-v0 and MarketBiddingParallel-v0: types, rules and a text per field (docs/config.md). */
export const marketBiddingOptionsSchema = z.strictObject({
  /** The market: a market spec (docs/config.md, "Market spec") or { "generate": { groups, agentsPerGroup, goods, seed } }; default the paper's market. */
  market: z
    .unknown()
    .optional()
    .describe(
      'The market: a market spec (docs/config.md, "Market spec") or { "generate": { groups, agentsPerGroup, goods, seed } }; default the paper\'s market.',
    ),
  /** MarketBidding-v0: name of the learned producer; default "A[1][1]". */
  agent: z.string().min(1).optional().describe('MarketBidding-v0: name of the learned producer; default "A[1][1]".'),
  /** MarketBiddingParallel-v0: names of the learned producers; default every producer. */
  learned: z
    .array(z.string().min(1))
    .min(1, "learn at least one agent")
    .optional()
    .describe("MarketBiddingParallel-v0: names of the learned producers; default every producer."),
  /** Where outside demand comes from; default { "type": "synthetic" }. */
  demand: z
    .discriminatedUnion("type", [
      z.strictObject({
        /** Outside demand drawn from the demand process (src/demand/process.ts). */
        type: z.literal("synthetic").describe("Outside demand drawn from the demand process (src/demand/process.ts)."),
        /** One demand spec for every final good or one per good; base defaults to the market's outside demand alpha. Default: a 13-period season of amplitude 0.25, AR(1) phi 0.5 sigma 0.05, disruptions p 0.02 size -0.3 for 2 periods. */
        spec: z
          .union([partialDemandSpec, z.array(partialDemandSpec)])
          .optional()
          .describe(
            "One demand spec for every final good or one per good; base defaults to the market's outside demand alpha. Default: a 13-period season of amplitude 0.25, AR(1) phi 0.5 sigma 0.05, disruptions p 0.02 size -0.3 for 2 periods.",
          ),
      }),
      z.strictObject({
        /** Outside demand replayed from a CSV (one column per final good). */
        type: z.literal("csv").describe("Outside demand replayed from a CSV (one column per final good)."),
        /** The CSV file (exactly one of file and text). */
        file: z.string().min(1).optional().describe("The CSV file (exactly one of file and text)."),
        /** CSV text instead of a file (tests, notebooks). */
        text: z.string().min(1).optional().describe("CSV text instead of a file (tests, notebooks)."),
        /** One column per final good, in good order; default every column but `period`. */
        columns: z.array(z.string()).optional().describe("One column per final good, in good order; default every column but `period`."),
        /** First row of the episode window: a row index, or "random" (drawn from the reset seed). Default 0. */
        start: z
          .union([z.number().int().min(0), z.literal("random")])
          .optional()
          .describe('First row of the episode window: a row index, or "random" (drawn from the reset seed). Default 0.'),
        /** Season length of the data (for seasonal forecasters and the phase observation). */
        period: z
          .number()
          .int()
          .min(2)
          .optional()
          .describe("Season length of the data (for seasonal forecasters and the phase observation)."),
      }),
    ])
    .optional()
    .describe('Where outside demand comes from; default { "type": "synthetic" }.'),
  /** The demand forecaster whose forecasts the agents observe: a name or {type, ...}; default "holt-winters". */
  forecaster: forecasterSpecSchema
    .optional()
    .describe('The demand forecaster whose forecasts the agents observe: a name or {type, ...}; default "holt-winters".'),
  /** Show the forecasts to learned agents (default true); false fills forecastPoint/Lower/Upper with zeros (the spaces stay the same). */
  observeForecasts: z
    .boolean()
    .optional()
    .describe(
      "Show the forecasts to learned agents (default true); false fills forecastPoint/Lower/Upper with zeros (the spaces stay the same).",
    ),
  /** Periods ahead of each forecast (default 3). */
  horizon: z.number().int().min(1).optional().describe("Periods ahead of each forecast (default 3)."),
  /** Periods of one episode (default 52). */
  episodeLength: boundedInt(1, LIMITS.periods).optional().describe("Periods of one episode (default 52)."),
  /** Periods of demand history before the first period of an episode (forecasters start on it); default max(the forecaster's shortest history, 2 seasons, 13). */
  warmup: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "Periods of demand history before the first period of an episode (forecasters start on it); default max(the forecaster's shortest history, 2 seasons, 13).",
    ),
  /** Synthetic demand: the forecasters are fitted once, on a simulated history of the demand process. */
  forecasterFit: z
    .strictObject({
      /** Simulated periods the forecasters are fitted on (default 520). */
      periods: z.number().int().min(2).optional().describe("Simulated periods the forecasters are fitted on (default 520)."),
      /** Seed of that simulated history (default 0). */
      seed: z.number().int().optional().describe("Seed of that simulated history (default 0)."),
    })
    .optional()
    .describe("Synthetic demand: the forecasters are fitted once, on a simulated history of the demand process."),
  /** Let producers store withheld output and release it later; default none (withheld output is lost). */
  inventory: inventorySchema
    .nullable()
    .optional()
    .describe("Let producers store withheld output and release it later; default none (withheld output is lost)."),
  /** Clear the benchmarks each period: the all-analytic counterfactual and the first best (info.counterfactual, info.firstBest). Default true; false skips both solves (two of three per step) for training. */
  counterfactual: z
    .boolean()
    .optional()
    .describe(
      "Clear the benchmarks each period: the all-analytic counterfactual and the first best (info.counterfactual, info.firstBest). Default true; false skips both solves (two of three per step) for training.",
    ),
  /** Seed used by a first reset() without a seed. Default 0. */
  seed: z.number().int().optional().describe("Seed used by a first reset() without a seed. Default 0."),
  /** Settings of the equilibrium solver (src/market/equilibrium.ts). */
  solver: z
    .strictObject({
      /** Newton solver: stop when max |ln demand - ln supply| <= tolerance in every market (default 1e-12). */
      tolerance: z
        .number()
        .positive()
        .optional()
        .describe("Newton solver: stop when max |ln demand - ln supply| <= tolerance in every market (default 1e-12)."),
      /** Newton solver: iteration cap per clearing (default 200). */
      maxIterations: z.number().int().min(1).optional().describe("Newton solver: iteration cap per clearing (default 200)."),
      /** Newton solver: largest change of any log-price in one step (default 2). */
      maxLogStep: z.number().positive().optional().describe("Newton solver: largest change of any log-price in one step (default 2)."),
    })
    .optional()
    .describe("Settings of the equilibrium solver (src/market/equilibrium.ts)."),
});

export type MarketBiddingOptions = z.input<typeof marketBiddingOptionsSchema>;

/** Defaults, documented once. */
export const MARKET_BIDDING_DEFAULTS = {
  agent: "A[1][1]",
  /** Per final good (base = the market's outside demand alpha): a 13-period season, AR(1) noise, rare disruptions. */
  demandSpec: {
    seasonal: { period: 13, amplitude: 0.25 },
    ar: { phi: 0.5, sigma: 0.05 },
    shocks: { probability: 0.02, size: -0.3, duration: 2 },
  } satisfies Partial<DemandSpec>,
  forecaster: "holt-winters" as ForecasterSpec,
  horizon: 3,
  episodeLength: 52,
  forecasterFit: { periods: 520, seed: 0 },
  seed: 0,
} as const;

/** Upper bound of the demand-scale action (1 = truthful). */
export const MAX_DEMAND_SCALE = 2;

/** The least fraction of its analytic demand and of its output that a bid keeps (demand scale 0, withhold 1). */
export const MIN_BID_FRACTION = 1e-6;

/** The options of a MarketBidding env, checked and with defaults filled in. */
export interface ResolvedMarketBiddingOptions {
  market: CompiledMarket;
  learned: number[];
  horizon: number;
  episodeLength: number;
  warmup: number;
  forecasterSpec: ForecasterSpec;
  synthetic: DemandSpec[] | null;
  history: DemandHistory | null;
  csvStart: number | "random";
  period: number | undefined;
  phaseOffset: number;
  inventory: { capacity: number[]; holdingCost: number; initial: number[] } | null;
  fitPeriods: number;
  fitSeed: number;
  seed: number;
  counterfactual: boolean;
  observeForecasts: boolean;
  solver: typeof newtonDefaults;
}

export function optionsError(envId: string, path: string, message: string): ConfigError {
  return new ConfigError(`${envId} options`, [{ path, message }]);
}

function perGood(v: number | number[], G: number, envId: string, path: string): number[] {
  if (typeof v === "number") return new Array<number>(G).fill(v);
  if (v.length !== G) throw optionsError(envId, path, `has ${v.length} entries; needs one per good (${G})`);
  return [...v];
}

/** Validate options and fill defaults. Errors are ConfigErrors naming the option path. */
export function resolveMarketBiddingOptions(
  envId: string,
  raw: Record<string, unknown>,
  mode: "single" | "parallel",
): ResolvedMarketBiddingOptions {
  const parsed = marketBiddingOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw zodConfigError(`${envId} options`, parsed.error);
  const o = parsed.data;
  if (mode === "single" && o.learned !== undefined)
    throw optionsError(envId, "learned", `is an option of MarketBiddingParallel-v0; ${envId} learns one agent: use "agent"`);
  if (mode === "parallel" && o.agent !== undefined)
    throw optionsError(envId, "agent", `is an option of MarketBidding-v0; ${envId} takes "learned" (a list of agent names)`);
  let market: CompiledMarket;
  try {
    market = compileMarket(resolveMarketOption(o.market) as Parameters<typeof compileMarket>[0]);
  } catch (err) {
    if (err instanceof ConfigError) throw nestConfigError(err, `${envId} options`, "market");
    throw err;
  }
  const G = market.G;
  const index = (name: string, path: string) => {
    const i = market.names.indexOf(name);
    if (i < 0) throw optionsError(envId, path, `no agent named "${name}"; the market has ${market.names.join(", ")}`);
    return i;
  };
  const learned =
    mode === "single"
      ? [index(o.agent ?? MARKET_BIDDING_DEFAULTS.agent, "agent")]
      : o.learned
        ? o.learned.map((n, k) => index(n, `learned[${k}]`))
        : market.names.map((_, i) => i);
  if (new Set(learned).size !== learned.length) throw optionsError(envId, "learned", "names an agent twice");

  const horizon = o.horizon ?? MARKET_BIDDING_DEFAULTS.horizon;
  const episodeLength = o.episodeLength ?? MARKET_BIDDING_DEFAULTS.episodeLength;
  const forecasterSpec = o.forecaster ?? MARKET_BIDDING_DEFAULTS.forecaster;

  let synthetic: DemandSpec[] | null = null;
  let history: DemandHistory | null = null;
  let period: number | undefined;
  let phaseOffset = 0;
  let csvStart: number | "random" = 0;
  const demand = o.demand ?? { type: "synthetic" as const };
  if (demand.type === "synthetic") {
    const specs = Array.isArray(demand.spec) ? demand.spec : new Array(G).fill(demand.spec ?? MARKET_BIDDING_DEFAULTS.demandSpec);
    if (specs.length !== G) throw optionsError(envId, "demand.spec", `has ${specs.length} entries; needs one per final good (${G})`);
    synthetic = specs.map((s, j) => ({ ...s, base: s.base ?? market.demandAlpha[j] }) as DemandSpec);
    period = synthetic[0].seasonal?.period;
    phaseOffset = synthetic[0].seasonal?.phase ?? 0;
  } else {
    if ((demand.file === undefined) === (demand.text === undefined))
      throw optionsError(envId, "demand", 'a csv demand needs exactly one of "file" and "text"');
    const opts = { columns: demand.columns, goods: G };
    history = demand.file !== undefined ? readDemandCsv(demand.file, opts) : parseDemandCsv(demand.text!, { ...opts, file: "demand.text" });
    period = demand.period;
    csvStart = demand.start ?? 0;
  }

  // A forecaster built only to learn its minimum history.
  let minHistory: number;
  try {
    minHistory = makeForecaster(forecasterSpec, { horizon, period }).minHistory;
  } catch (err) {
    throw optionsError(envId, "forecaster", (err as Error).message);
  }
  const warmup = o.warmup ?? Math.max(minHistory, period ? 2 * period : 0, 13);
  if (warmup < minHistory) throw optionsError(envId, "warmup", `must be at least ${minHistory} (the forecaster's shortest history)`);
  if (history) {
    const need = (typeof csvStart === "number" ? csvStart : 0) + warmup + episodeLength;
    if (history.values.length < need) {
      throw optionsError(
        envId,
        "demand",
        `the CSV has ${history.values.length} rows; start + warmup + episodeLength = ${need} are needed (lower warmup or episodeLength)`,
      );
    }
  }

  let inventory: ResolvedMarketBiddingOptions["inventory"] = null;
  if (o.inventory) {
    const capacity = perGood(o.inventory.capacity, G, envId, "inventory.capacity");
    const initial = perGood(o.inventory.initial ?? 0, G, envId, "inventory.initial");
    initial.forEach((v, j) => {
      if (v > capacity[j]) throw optionsError(envId, `inventory.initial[${j}]`, `${v} exceeds the capacity ${capacity[j]}`);
    });
    inventory = { capacity, holdingCost: o.inventory.holdingCost, initial };
  }
  return {
    market,
    learned,
    horizon,
    episodeLength,
    warmup,
    forecasterSpec,
    synthetic,
    history,
    csvStart,
    period,
    phaseOffset,
    inventory,
    fitPeriods: o.forecasterFit?.periods ?? MARKET_BIDDING_DEFAULTS.forecasterFit.periods,
    fitSeed: o.forecasterFit?.seed ?? MARKET_BIDDING_DEFAULTS.forecasterFit.seed,
    seed: o.seed ?? MARKET_BIDDING_DEFAULTS.seed,
    counterfactual: o.counterfactual ?? true,
    observeForecasts: o.observeForecasts ?? true,
    solver: { ...newtonDefaults, ...o.solver },
  };
}
