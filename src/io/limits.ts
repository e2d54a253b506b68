import { z } from "zod";

/**
 * Upper bounds on every count, size and budget a config or flag can set, checked before any work starts (by
 * the schemas, the learners' option schemas among them); a value above its bound is an exit-2 error naming the field and the bound.
 * They are far above anything the experiments here need, and low enough that a typo (1e9 for 1e3) fails at
 * once instead of running out of memory or running for days. docs/reliability.md lists them with the reason.
 */
export const LIMITS = {
  /** Training seeds of an experiment (each is a task per condition). */
  seeds: 1_000,
  /** Conditions of an experiment. */
  conditions: 100,
  /** Seed values (seeds, start + count - 1, evaluation seed): 32-bit, as `Rng` takes them. */
  seedValue: 2 ** 31 - 1,
  /** Environment steps of one training run (per condition and seed). */
  totalSteps: 1_000_000_000,
  /** Parallel environments of a learner. */
  numEnvs: 1_024,
  /** Steps per environment per rollout. */
  numSteps: 100_000,
  /** Steps of one batch, numEnvs * numSteps (the rollout buffer lives in memory). */
  batchSteps: 1_000_000,
  /** PPO epochs over each batch; forecaster (MLP) training epochs. */
  epochs: 10_000,
  /** Hidden units of one layer, and hidden layers. */
  hiddenUnits: 4_096,
  hiddenLayers: 32,
  /** Adam learning rate (above 1 every update overshoots; 1e308 gives NaN weights). */
  learningRate: 1,
  /** Evaluation episodes, negotiation episodes. */
  episodes: 100_000,
  /** Periods of a simulation or demand series (hubs, market episodes, forecasts). */
  periods: 100_000,
  /** Production hubs, producers, subcontractors: agents of one market (market: of one group). */
  agents: 1_000,
  /** Goods per layer of a layered market. */
  goods: 1_000,
  /** Agent groups (producer layers) of a layered market. */
  layers: 100,
  /** Iterations of an iterative solver or negotiation rounds. */
  iterations: 10_000_000,
  /** Magnitude of money and quantity inputs (margins, costs, supplies, prices): sums of many stay finite and exact enough. */
  magnitude: 1e12,
} as const;

/** An integer in [min, max], with messages that name the bound. */
export function boundedInt(min: number, max: number, what = "") {
  const suffix = what ? ` (${what})` : "";
  return z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(min, `must be >= ${min}`)
    .max(max, `must be at most ${max.toLocaleString("en-US")}${suffix}`);
}

/** A finite number with |value| <= LIMITS.magnitude. */
export function boundedNumber(what = "inputs") {
  return z
    .number({ error: "must be a number" })
    .finite("must be finite")
    .refine(
      (v) => Math.abs(v) <= LIMITS.magnitude,
      `must be at most ${LIMITS.magnitude.toExponential()} in magnitude (larger ${what} overflow sums and the optimiser)`,
    );
}
