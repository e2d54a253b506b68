import { boundedInt, LIMITS } from "../io/limits.js";
import { nameProblem, pathNameSchema } from "../io/names.js";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { ConfigError, zodConfigError } from "../io/errors.js";
import { BACKENDS } from "./backend.js";
import { ACTIVATION_NAMES } from "./activations.js";
import { AGENT_ID_FEATURES } from "./on-policy.js";
import { GRADIENT_PATHS } from "./ppo/ppo.js";

const posInt = z.number().int().positive();
const nonNeg = z.number().finite().nonnegative();
/** A zero here would silently stop learning (gradients scaled to zero, everything clipped to zero). */
const pos = z.number().finite().positive();
const lr = pos.max(LIMITS.learningRate, `must be at most ${LIMITS.learningRate} (a larger Adam step ends in NaN weights)`);
const unit = z.number().min(0).max(1);

/** Hyperparameters both algorithms take (each optional; defaults come from the algorithm's defaults object). */
const common = {
  numEnvs: posInt.optional(),
  numSteps: posInt.optional(),
  learningRate: lr.optional(),
  annealLr: z.boolean().optional(),
  gamma: unit.optional(),
  gaeLambda: unit.optional(),
  entCoef: nonNeg.optional(),
  vfCoef: nonNeg.optional(),
  maxGradNorm: pos.optional(),
  adamEps: nonNeg.optional(),
  actorHidden: z.array(posInt).optional(),
  criticHidden: z.array(posInt).optional(),
  activation: z.enum(ACTIVATION_NAMES).optional(),
  sharedHidden: z.array(posInt).optional(),
  agentId: z.enum(AGENT_ID_FEATURES).optional(),
  agentEmbeddingDim: posInt.optional(),
  initLogStd: z.number().finite().optional(),
  normalizeObservation: z.boolean().optional(),
  normalizeReward: z.boolean().optional(),
  clipObservation: pos.optional(),
  clipReward: pos.optional(),
  shareParameters: z.boolean().optional(),
  statsWindow: posInt.optional(),
  normAdv: z.boolean().optional(),
};

const ppoHyper = z.strictObject({
  ...common,
  numMinibatches: posInt.optional(),
  updateEpochs: posInt.optional(),
  clipCoef: z.number().positive().optional(),
  clipVloss: z.boolean().optional(),
  targetKl: z.number().positive().nullable().optional(),
  gradients: z.enum(GRADIENT_PATHS).optional(),
});

const reinforceHyper = z.strictObject(common);

const envSchema = z.union([
  z.string().min(1),
  z.strictObject({ id: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
]);

const base = {
  /** Name of the experiment (folder under results/ and models/); default: the file name without .json. */
  experiment: pathNameSchema.optional(),
  description: z.string().optional(),
  env: envSchema,
  totalSteps: boundedInt(1, LIMITS.totalSteps),
  seed: boundedInt(-LIMITS.seedValue, LIMITS.seedValue, "seeds are 32-bit").default(1),
  /** Overrides hyperparameters.numEnvs. */
  numEnvs: boundedInt(1, LIMITS.numEnvs).optional(),
  backend: z.enum(BACKENDS).optional(),
  /** Save a checkpoint every this many updates (and always at the end). */
  checkpointEvery: boundedInt(1, LIMITS.iterations).default(50),
  /** Keep this many most recent checkpoints. */
  keepCheckpoints: boundedInt(1, 1000).default(3),
};

export const trainConfigSchema = z.discriminatedUnion("algorithm", [
  z.strictObject({ ...base, algorithm: z.literal("ppo"), hyperparameters: ppoHyper.default({}) }),
  z.strictObject({ ...base, algorithm: z.literal("mappo"), hyperparameters: ppoHyper.default({}) }),
  z.strictObject({ ...base, algorithm: z.literal("reinforce"), hyperparameters: reinforceHyper.default({}) }),
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
