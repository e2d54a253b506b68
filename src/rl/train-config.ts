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
  numEnvs: posInt.optional().describe("Parallel environment copies."),
  numSteps: posInt.optional().describe("Steps per env per rollout; batch = numEnvs * numSteps."),
  learningRate: lr.optional().describe("Adam learning rate."),
  annealLr: z.boolean().optional().describe("Anneal the learning rate linearly to 0 over the run."),
  gamma: unit.optional().describe("Discount factor."),
  gaeLambda: unit.optional().describe("GAE lambda (REINFORCE: must stay 1, Monte-Carlo returns)."),
  entCoef: nonNeg.optional().describe("Entropy bonus coefficient."),
  vfCoef: nonNeg.optional().describe("Value (baseline) loss coefficient."),
  maxGradNorm: pos.optional().describe("Global gradient-norm clip."),
  adamEps: nonNeg.optional().describe("Adam epsilon."),
  actorHidden: z.array(posInt).optional().describe("Policy MLP hidden layer sizes."),
  criticHidden: z.array(posInt).optional().describe("Value MLP hidden layer sizes."),
  activation: z.enum(ACTIVATION_NAMES).optional().describe("Hidden activation."),
  sharedHidden: z.array(posInt).optional().describe("Hidden layers shared by actor and critic (default none: separate networks)."),
  agentId: z.enum(AGENT_ID_FEATURES).optional().describe("Agent-id feature of a shared policy."),
  agentEmbeddingDim: posInt.optional().describe('Width of the learned agent-id embedding (agentId "embedding").'),
  initLogStd: z.number().finite().optional().describe("Initial log-std of the Gaussian policy (Box actions)."),
  normalizeObservation: z.boolean().optional().describe("Normalise observations by running mean and std."),
  normalizeReward: z.boolean().optional().describe("Normalise rewards by the running std of the discounted return."),
  clipObservation: pos.optional().describe("Clip normalised observations to +- this."),
  clipReward: pos.optional().describe("Clip normalised rewards to +- this."),
  shareParameters: z.boolean().optional().describe("ParallelEnv: one policy shared by every agent instead of independent learners."),
  statsWindow: posInt.optional().describe("Episodes averaged in the learning curve."),
  normAdv: z.boolean().optional().describe("Normalise advantages (PPO per minibatch, REINFORCE over the batch)."),
};

const ppoHyper = z.strictObject({
  ...common,
  numMinibatches: posInt.optional().describe("Minibatches per epoch (at most the batch size)."),
  updateEpochs: posInt.optional().describe("Epochs over each batch."),
  clipCoef: z.number().positive().optional().describe("Surrogate clipping coefficient."),
  clipVloss: z.boolean().optional().describe("Clip the value loss around the old values with clipCoef."),
  targetKl: z
    .number()
    .positive()
    .nullable()
    .optional()
    .describe("Stop an update's epochs early when the approximate KL of the last minibatch exceeds it (null: never)."),
  gradients: z
    .enum(GRADIENT_PATHS)
    .optional()
    .describe('Gradient path: "fast" (hand-written backward pass), "autodiff" (TensorFlow.js), "auto" (fast where it applies).'),
});

const reinforceHyper = z.strictObject(common);

const envSchema = z.union([
  z.string().min(1).describe("A registered environment id."),
  z.strictObject({
    id: z.string().min(1).describe("A registered environment id."),
    options: z.record(z.string(), z.unknown()).optional().describe("Options passed to make(id, options), validated by the environment."),
  }),
]);

const base = {
  experiment: pathNameSchema
    .optional()
    .describe("Name of the experiment (folder under results/ and models/); default the file name without .json."),
  description: z.string().optional().describe("Free text, copied into the manifest."),
  env: envSchema.describe("The environment: an id, or {id, options}."),
  totalSteps: boundedInt(1, LIMITS.totalSteps).describe("Environment steps to train (rounded down to whole batches)."),
  seed: boundedInt(-LIMITS.seedValue, LIMITS.seedValue, "seeds are 32-bit")
    .default(1)
    .describe("Seed of the learner and its environments."),
  numEnvs: boundedInt(1, LIMITS.numEnvs).optional().describe("Overrides hyperparameters.numEnvs."),
  backend: z.enum(BACKENDS).optional().describe("TensorFlow.js backend (default auto)."),
  checkpointEvery: boundedInt(1, LIMITS.iterations)
    .default(50)
    .describe("Save a checkpoint every this many updates (and always at the end)."),
  keepCheckpoints: boundedInt(1, 1000).default(3).describe("Keep this many most recent checkpoints."),
};

export const trainConfigSchema = z.discriminatedUnion("algorithm", [
  z.strictObject({
    ...base,
    algorithm: z.literal("ppo").describe("PPO (CleanRL's ppo.py; ppo_continuous_action.py for Box actions)."),
    hyperparameters: ppoHyper.default({}).describe("PPO hyperparameters over its defaults."),
  }),
  z.strictObject({
    ...base,
    algorithm: z.literal("mappo").describe("MAPPO: PPO with a centralised critic on the env's state() (parallel envs)."),
    hyperparameters: ppoHyper.default({}).describe("MAPPO hyperparameters (PPO's) over its defaults."),
  }),
  z.strictObject({
    ...base,
    algorithm: z.literal("reinforce").describe("REINFORCE with a learned baseline."),
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
