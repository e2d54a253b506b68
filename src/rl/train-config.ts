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

/**
 * Hyperparameters every algorithm takes, each optional: an absent one is the algorithm's default (PPO_DEFAULTS,
 * PPO_CONTINUOUS_DEFAULTS for Box actions, REINFORCE_DEFAULTS; docs/learning.md lists them).
 */
const common = {
  /** Parallel environment copies. */
  numEnvs: posInt.optional().describe("Parallel environment copies."),
  /** Steps per env per rollout; batch = numEnvs * numSteps. */
  numSteps: posInt.optional().describe("Steps per env per rollout; batch = numEnvs * numSteps."),
  /** Adam learning rate. */
  learningRate: lr.optional().describe("Adam learning rate."),
  /** Anneal the learning rate linearly to 0 over the run. */
  annealLr: z.boolean().optional().describe("Anneal the learning rate linearly to 0 over the run."),
  /** Discount factor. */
  gamma: unit.optional().describe("Discount factor."),
  /** GAE lambda (REINFORCE: must stay 1, Monte-Carlo returns). */
  gaeLambda: unit.optional().describe("GAE lambda (REINFORCE: must stay 1, Monte-Carlo returns)."),
  /** Entropy bonus coefficient. */
  entCoef: nonNeg.optional().describe("Entropy bonus coefficient."),
  /** Value (baseline) loss coefficient. */
  vfCoef: nonNeg.optional().describe("Value (baseline) loss coefficient."),
  /** Global gradient-norm clip. */
  maxGradNorm: pos.optional().describe("Global gradient-norm clip."),
  /** Adam epsilon. */
  adamEps: nonNeg.optional().describe("Adam epsilon."),
  /** Policy MLP hidden layer sizes. */
  actorHidden: z.array(posInt).optional().describe("Policy MLP hidden layer sizes."),
  /** Value MLP hidden layer sizes. */
  criticHidden: z.array(posInt).optional().describe("Value MLP hidden layer sizes."),
  /** Hidden activation. */
  activation: z.enum(ACTIVATION_NAMES).optional().describe("Hidden activation."),
  /** Hidden layers shared by actor and critic (default none: separate networks). */
  sharedHidden: z.array(posInt).optional().describe("Hidden layers shared by actor and critic (default none: separate networks)."),
  /** Agent-id feature of a shared policy. */
  agentId: z.enum(AGENT_ID_FEATURES).optional().describe("Agent-id feature of a shared policy."),
  /** Width of the learned agent-id embedding (agentId "embedding"). */
  agentEmbeddingDim: posInt.optional().describe('Width of the learned agent-id embedding (agentId "embedding").'),
  /** Initial log-std of the Gaussian policy (Box actions). */
  initLogStd: z.number().finite().optional().describe("Initial log-std of the Gaussian policy (Box actions)."),
  /** Normalise observations by running mean and std. */
  normalizeObservation: z.boolean().optional().describe("Normalise observations by running mean and std."),
  /** Normalise rewards by the running std of the discounted return. */
  normalizeReward: z.boolean().optional().describe("Normalise rewards by the running std of the discounted return."),
  /** Clip normalised observations to +- this. */
  clipObservation: pos.optional().describe("Clip normalised observations to +- this."),
  /** Clip normalised rewards to +- this. */
  clipReward: pos.optional().describe("Clip normalised rewards to +- this."),
  /** ParallelEnv: one policy shared by every agent instead of independent learners. */
  shareParameters: z.boolean().optional().describe("ParallelEnv: one policy shared by every agent instead of independent learners."),
  /** Episodes averaged in the learning curve. */
  statsWindow: posInt.optional().describe("Episodes averaged in the learning curve."),
  /** Normalise advantages (PPO per minibatch, REINFORCE over the batch). */
  normAdv: z.boolean().optional().describe("Normalise advantages (PPO per minibatch, REINFORCE over the batch)."),
};

const ppoHyper = z.strictObject({
  ...common,
  /** Minibatches per epoch (at most the batch size). */
  numMinibatches: posInt.optional().describe("Minibatches per epoch (at most the batch size)."),
  /** Epochs over each batch. */
  updateEpochs: posInt.optional().describe("Epochs over each batch."),
  /** Surrogate clipping coefficient. */
  clipCoef: z.number().positive().optional().describe("Surrogate clipping coefficient."),
  /** Clip the value loss around the old values with clipCoef. */
  clipVloss: z.boolean().optional().describe("Clip the value loss around the old values with clipCoef."),
  /** Stop an update's epochs early when the approximate KL of the last minibatch exceeds it (null: never). */
  targetKl: z
    .number()
    .positive()
    .nullable()
    .optional()
    .describe("Stop an update's epochs early when the approximate KL of the last minibatch exceeds it (null: never)."),
  /** Gradient path: "fast" (hand-written backward pass), "autodiff" (TensorFlow.js), "auto" (fast where it applies). */
  gradients: z
    .enum(GRADIENT_PATHS)
    .optional()
    .describe('Gradient path: "fast" (hand-written backward pass), "autodiff" (TensorFlow.js), "auto" (fast where it applies).'),
});

const reinforceHyper = z.strictObject(common);

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
    /** PPO hyperparameters over its defaults. */
    hyperparameters: ppoHyper.default({}).describe("PPO hyperparameters over its defaults."),
  }),
  z.strictObject({
    ...base,
    /** MAPPO: PPO with a centralised critic on the env's state() (parallel envs). */
    algorithm: z.literal("mappo").describe("MAPPO: PPO with a centralised critic on the env's state() (parallel envs)."),
    /** MAPPO hyperparameters (PPO's) over its defaults. */
    hyperparameters: ppoHyper.default({}).describe("MAPPO hyperparameters (PPO's) over its defaults."),
  }),
  z.strictObject({
    ...base,
    /** REINFORCE with a learned baseline. */
    algorithm: z.literal("reinforce").describe("REINFORCE with a learned baseline."),
    /** REINFORCE hyperparameters over its defaults. */
    hyperparameters: reinforceHyper.default({}).describe("REINFORCE hyperparameters over its defaults."),
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
