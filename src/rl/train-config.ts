import { boundedInt, LIMITS } from "../io/limits.js";
import { nameProblem, pathNameSchema } from "../io/names.js";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { ConfigError, zodConfigError } from "../io/errors.js";
import { BACKENDS } from "./backend.js";
import { ppoHyperparametersSchema } from "./ppo/options.js";
import { reinforceHyperparametersSchema } from "./reinforce/options.js";

/**
 * A training config's `hyperparameters`: each field checked against the algorithm's schema (type, rule, unknown
 * names) and kept as written, since an absent field is the algorithm's default and PPO's depend on the env's action
 * space (PPO_CONTINUOUS_DEFAULTS for Box actions). The rules between fields (minibatches per batch, the batch size,
 * the gradient path) are checked when the learner is built (learner-from-config.ts), with the env.
 */
function checkedBy(schema: z.ZodType) {
  return z
    .record(z.string(), z.unknown())
    .default({})
    .superRefine((h, ctx) => {
      const r = schema.safeParse(h);
      if (!r.success) for (const issue of r.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    });
}

const envSchema = z.union([
  z.string().min(1).describe("A registered environment id."),
  z.strictObject({
    /** A registered environment id. */
    id: z.string().min(1).describe("A registered environment id."),
    /** Options passed to make(id, options), validated by the environment. */
    options: z.record(z.string(), z.unknown()).optional().describe("Options passed to make(id, options), validated by the environment."),
  }),
]);

const base = {
  /** Name of the experiment (folder under results/ and models/); default the file name without .json. */
  experiment: pathNameSchema
    .optional()
    .describe("Name of the experiment (folder under results/ and models/); default the file name without .json."),
  /** Free text, copied into the manifest. */
  description: z.string().optional().describe("Free text, copied into the manifest."),
  /** The environment: an id, or {id, options}. */
  env: envSchema.describe("The environment: an id, or {id, options}."),
  /** Environment steps to train (rounded down to whole batches). */
  totalSteps: boundedInt(1, LIMITS.totalSteps).describe("Environment steps to train (rounded down to whole batches)."),
  /** Seed of the learner and its environments. */
  seed: boundedInt(-LIMITS.seedValue, LIMITS.seedValue, "seeds are 32-bit")
    .default(1)
    .describe("Seed of the learner and its environments."),
  /** Overrides hyperparameters.numEnvs. */
  numEnvs: boundedInt(1, LIMITS.numEnvs).optional().describe("Overrides hyperparameters.numEnvs."),
  /** TensorFlow.js backend (default auto). */
  backend: z.enum(BACKENDS).optional().describe("TensorFlow.js backend (default auto)."),
  /** Save a checkpoint every this many updates (and always at the end). */
  checkpointEvery: boundedInt(1, LIMITS.iterations)
    .default(50)
    .describe("Save a checkpoint every this many updates (and always at the end)."),
  /** Keep this many most recent checkpoints. */
  keepCheckpoints: boundedInt(1, 1000).default(3).describe("Keep this many most recent checkpoints."),
};

export const trainConfigSchema = z.discriminatedUnion("algorithm", [
  z.strictObject({
    ...base,
    /** PPO (CleanRL's ppo.py; ppo_continuous_action.py for Box actions). */
    algorithm: z.literal("ppo").describe("PPO (CleanRL's ppo.py; ppo_continuous_action.py for Box actions)."),
    /** PPO hyperparameters over its defaults (table "PPO and MAPPO hyperparameters"). */
    hyperparameters: checkedBy(ppoHyperparametersSchema).describe(
      'PPO hyperparameters over its defaults (table "PPO and MAPPO hyperparameters").',
    ),
  }),
  z.strictObject({
    ...base,
    /** MAPPO: PPO with a centralised critic on the env's state() (parallel envs). */
    algorithm: z.literal("mappo").describe("MAPPO: PPO with a centralised critic on the env's state() (parallel envs)."),
    /** MAPPO hyperparameters (PPO's) over its defaults (table "PPO and MAPPO hyperparameters"). */
    hyperparameters: checkedBy(ppoHyperparametersSchema).describe(
      'MAPPO hyperparameters (PPO\'s) over its defaults (table "PPO and MAPPO hyperparameters").',
    ),
  }),
  z.strictObject({
    ...base,
    /** REINFORCE with a learned baseline. */
    algorithm: z.literal("reinforce").describe("REINFORCE with a learned baseline."),
    /** REINFORCE hyperparameters over its defaults (table "REINFORCE hyperparameters"). */
    hyperparameters: checkedBy(reinforceHyperparametersSchema).describe(
      'REINFORCE hyperparameters over its defaults (table "REINFORCE hyperparameters").',
    ),
  }),
]);

export type TrainConfig = z.infer<typeof trainConfigSchema> & { experiment: string };

/** Validate a parsed JSON training config; `file` names it in errors. */
export function parseTrainConfig(json: unknown, file: string): TrainConfig {
  const r = trainConfigSchema.safeParse(json);
  if (!r.success) throw zodConfigError(file, r.error);
  const experiment = r.data.experiment ?? basename(file).replace(/\.json$/i, "");
  const problem = nameProblem(experiment);
  if (problem !== undefined)
    throw new ConfigError(file, [
      { path: "experiment", message: r.data.experiment === undefined ? `absent, so the file name is used, which ${problem}` : problem },
    ]);
  return { ...r.data, experiment };
}

/** Read and validate a training config file. */
export function loadTrainConfig(file: string): TrainConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `not valid JSON: ${(err as Error).message}` }]);
  }
  return parseTrainConfig(json, file);
}

/** The env id and options of a config. */
export function envOf(c: TrainConfig): { id: string; options: Record<string, unknown> } {
  return typeof c.env === "string" ? { id: c.env, options: {} } : { id: c.env.id, options: c.env.options ?? {} };
}
