import { boundedInt, LIMITS } from "../io/limits.js";
import { pathNameSchema } from "../io/names.js";
import { z } from "zod";
import { nestConfigError } from "../io/errors.js";
import { loadConfig } from "../io/config.js";
import { MarketSpecError } from "./errors.js";
import { newtonDefaults, type NewtonOptions } from "./equilibrium.js";
import { compileMarket, marketSpecSchema, type CompiledMarket, type MarketSpec } from "./spec.js";
import { tatonnementDefaults, type TatonnementOptions } from "./tatonnement.js";

const positiveInt = boundedInt(1, LIMITS.iterations);
const tolerance = z.number().gt(0, "must be positive").lt(1, "must be below 1");

/** A market equilibrium file (`supplygym equilibrium`), e.g. experiments/kaihara-paper.json. */
export const equilibriumConfigSchema = z.strictObject({
  /** The run's name; results go to results/<name>/. */
  name: pathNameSchema.describe("The run's name; results go to results/<name>/."),
  /** Free text, copied into the manifest. */
  description: z.string().optional().describe("Free text, copied into the manifest."),
  /** The market (next table). */
  market: marketSpecSchema.describe("The market (next table)."),
  /** How the equilibrium is found: "newton" (default; the tatonnement trace is still written) or "tatonnement". */
  method: z
    .enum(["newton", "tatonnement"])
    .optional()
    .describe('How the equilibrium is found: "newton" (default; the tatonnement trace is still written) or "tatonnement".'),
  /** Settings of the tatonnement (src/market/tatonnement.ts). */
  tatonnement: z
    .strictObject({
      /** Step eta of the price rule ln p <- ln p + eta (D - S) / (D + S) (default 0.5). */
      step: z
        .number()
        .gt(0, "must be positive")
        .max(1, "must be at most 1")
        .describe("Step eta of the price rule ln p <- ln p + eta (D - S) / (D + S) (default 0.5)."),
      /** Stop when every market's relative excess demand |D - S| / max(D, S) is at most this (default 1e-11). */
      tolerance: tolerance.describe("Stop when every market's relative excess demand |D - S| / max(D, S) is at most this (default 1e-11)."),
      /** Iteration cap (default 100000). */
      maxIterations: positiveInt.describe("Iteration cap (default 100000)."),
      /** Record the trace every this many iterations (default 1 = all; the final iteration is always recorded). */
      traceEvery: positiveInt.describe(
        "Record the trace every this many iterations (default 1 = all; the final iteration is always recorded).",
      ),
      /** Each auction halves its own step when its excess demand changes sign without at least halving in size (default false: the paper's fixed step). */
      adaptive: z
        .boolean()
        .describe(
          "Each auction halves its own step when its excess demand changes sign without at least halving in size (default false: the paper's fixed step).",
        ),
    })
    .partial()
    .optional()
    .describe("Settings of the tatonnement (src/market/tatonnement.ts)."),
  /** Settings of the Newton solver (src/market/equilibrium.ts). */
  solver: z
    .strictObject({
      /** Stop when max |ln demand - ln supply| <= tolerance in every market (default 1e-12). */
      tolerance: tolerance.describe("Stop when max |ln demand - ln supply| <= tolerance in every market (default 1e-12)."),
      /** Iteration cap (default 200). */
      maxIterations: positiveInt.describe("Iteration cap (default 200)."),
      /** Largest change of any log-price in one Newton step (default 2). */
      maxLogStep: z.number().positive().describe("Largest change of any log-price in one Newton step (default 2)."),
      /** Reuse the last factorised Jacobian while it keeps contracting the residual; "auto" (default) when that is cheaper. */
      reuseJacobian: z
        .union([z.boolean(), z.literal("auto")])
        .describe('Reuse the last factorised Jacobian while it keeps contracting the residual; "auto" (default) when that is cheaper.'),
    })
    .partial()
    .optional()
    .describe("Settings of the Newton solver (src/market/equilibrium.ts)."),
});

export interface EquilibriumConfig {
  name: string;
  description: string;
  market: MarketSpec;
  method: "newton" | "tatonnement";
  tatonnement: TatonnementOptions;
  solver: NewtonOptions;
}

/** Defaults filled in, market rules checked (a broken rule becomes a ConfigError at `market.<path>`). */
export function resolveEquilibriumConfig(
  raw: z.output<typeof equilibriumConfigSchema>,
  file: string,
): { config: EquilibriumConfig; market: CompiledMarket } {
  let market: CompiledMarket;
  try {
    market = compileMarket(raw.market);
  } catch (err) {
    if (err instanceof MarketSpecError) throw nestConfigError(err, file, "market");
    throw err;
  }
  return {
    market,
    config: {
      name: raw.name,
      description: raw.description ?? "",
      market: raw.market as MarketSpec,
      method: raw.method ?? "newton",
      tatonnement: { ...tatonnementDefaults, ...raw.tatonnement },
      solver: { ...newtonDefaults, ...raw.solver },
    },
  };
}

export function loadEquilibriumConfig(file: string): { config: EquilibriumConfig; market: CompiledMarket } {
  return resolveEquilibriumConfig(loadConfig(equilibriumConfigSchema, file), file);
}
