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
export const equilibriumConfigSchema = z
  .object({
    name: pathNameSchema,
    description: z.string().optional(),
    market: marketSpecSchema,
    method: z.enum(["newton", "tatonnement"]).optional(),
    tatonnement: z
      .object({
        step: z.number().gt(0, "must be positive").max(1, "must be at most 1"),
        tolerance,
        maxIterations: positiveInt,
        traceEvery: positiveInt,
        adaptive: z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
    solver: z
      .object({
        tolerance,
        maxIterations: positiveInt,
        maxLogStep: z.number().positive(),
        reuseJacobian: z.union([z.boolean(), z.literal("auto")]),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

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
