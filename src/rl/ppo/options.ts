import { z } from "zod";
import { make } from "../../core/registry.js";
import { Box } from "../../core/spaces.js";
import { isParallelEnv, type Env, type ParallelEnv } from "../../core/types.js";
import { LIMITS } from "../../io/limits.js";
import { fastBackwardSupports } from "../activation-names.js";
import {
  checkBatchSize,
  checkEnvOptions,
  definedOptions,
  envErrors,
  finiteNumber,
  flag,
  learnerFields,
  oneOf,
  onPolicyFieldsWith,
  parseOptions,
  positiveInt,
  rule,
  type EnvSource,
  type OwnDefaults,
} from "../on-policy-options.js";

/**
 * PPO's and MAPPO's options: one zod schema carrying every option's type, rule, default (CleanRL's) and text, and
 * `resolvePPOOptions`, which picks CleanRL's continuous defaults for Box actions and reports broken rules as a
 * ConfigError of `PPO options` (`MAPPO options`) at the option's path. No TensorFlow.js here.
 */

export const GRADIENT_PATHS = ["auto", "fast", "autodiff"] as const;
export type GradientPath = (typeof GRADIENT_PATHS)[number];

/** PPO's defaults of the shared fields each algorithm sets itself: CleanRL's `ppo.py` (its flags in brackets). */
const PPO_OWN_DEFAULTS: OwnDefaults = {
  /** Steps per env per rollout (`--num-steps 128`); batch = numEnvs * numSteps = 512. */
  numSteps: 128,
  /** Adam learning rate (`--learning-rate 2.5e-4`). */
  learningRate: 2.5e-4,
  /** Anneal the learning rate linearly to 0 over the run (`--anneal-lr True`). */
  annealLr: true,
  /** Adam epsilon (CleanRL passes eps=1e-5). */
  adamEps: 1e-5,
  /** GAE lambda (`--gae-lambda 0.95`). */
  gaeLambda: 0.95,
  /** Entropy bonus coefficient (`--ent-coef 0.01`). */
  entCoef: 0.01,
};

/**
 * PPO's hyperparameters (MAPPO's too) = CleanRL's `ppo.py` (Huang et al., "The 37 implementation details of PPO"):
 * the shared on-policy fields with PPO's defaults, then PPO's own fields.
 */
export const ppoHyperparametersSchema = z.strictObject({
  ...onPolicyFieldsWith(PPO_OWN_DEFAULTS),
  /** Minibatches per epoch (CleanRL's `--num-minibatches 4`); at most the batch size. */
  numMinibatches: positiveInt().default(4).describe("Minibatches per epoch (CleanRL's `--num-minibatches 4`); at most the batch size."),
  /** Epochs over each batch (CleanRL's `--update-epochs 4`). */
  updateEpochs: positiveInt(LIMITS.epochs).default(4).describe("Epochs over each batch (CleanRL's `--update-epochs 4`)."),
  /** Surrogate clipping coefficient (CleanRL's `--clip-coef 0.2`). */
  clipCoef: finiteNumber("> 0").default(0.2).describe("Surrogate clipping coefficient (CleanRL's `--clip-coef 0.2`)."),
  /** Clip the value loss around the old values with clipCoef (CleanRL's `--clip-vloss True`). */
  clipVloss: flag().default(true).describe("Clip the value loss around the old values with clipCoef (CleanRL's `--clip-vloss True`)."),
  /** Stop an update's epochs early when the approximate KL of the last minibatch exceeds it; null: never (CleanRL's `--target-kl None`). */
  targetKl: z
    .number(rule("must be > 0 or null"))
    .gt(0, rule("must be > 0 or null"))
    .nullable()
    .default(null)
    .describe(
      "Stop an update's epochs early when the approximate KL of the last minibatch exceeds it; null: never (CleanRL's `--target-kl None`).",
    ),
  /** Gradient path: "fast" (the hand-written backward pass: separate tanh or relu MLPs, the CleanRL network), "autodiff" (TensorFlow.js tf.variableGrads over any network the options describe), "auto" (fast where it applies). */
  gradients: oneOf(GRADIENT_PATHS)
    .default("auto")
    .describe(
      'Gradient path: "fast" (the hand-written backward pass: separate tanh or relu MLPs, the CleanRL network), "autodiff" (TensorFlow.js tf.variableGrads over any network the options describe), "auto" (fast where it applies).',
    ),
});

/** PPO hyperparameters after resolving: every field set. */
export type PPOHyperparameters = z.output<typeof ppoHyperparametersSchema>;

/** PPO defaults for Discrete actions = CleanRL's `ppo.py`: the schema's defaults. */
export const PPO_DEFAULTS: Readonly<PPOHyperparameters> = Object.freeze(ppoHyperparametersSchema.parse({}));

/**
 * PPO defaults for Box actions = CleanRL's `ppo_continuous_action.py`: fields that differ from
 * {@link PPO_DEFAULTS}, under the options a caller sets. (Its env wrappers NormalizeObservation, NormalizeReward and
 * the +-10 clips are the normalize* / clip* options here; ClipAction is how Gaussian actions reach the env, see
 * distributions.ts.)
 */
export const PPO_CONTINUOUS_DEFAULTS: Readonly<Partial<PPOHyperparameters>> = Object.freeze({
  /** `--num-envs 1` */
  numEnvs: 1,
  /** `--num-steps 2048` */
  numSteps: 2048,
  /** `--learning-rate 3e-4` */
  learningRate: 3e-4,
  /** `--num-minibatches 32` (minibatch 64) */
  numMinibatches: 32,
  /** `--update-epochs 10` */
  updateEpochs: 10,
  /** `--ent-coef 0.0` */
  entCoef: 0.0,
  /** gym.wrappers.NormalizeObservation */
  normalizeObservation: true,
  /** gym.wrappers.NormalizeReward(gamma) */
  normalizeReward: true,
});

/**
 * Why the fast hand-written backward pass does not apply to these options (undefined when it does): it covers
 * separate actor and critic MLPs on the same input with an activation whose derivative is a function of its output
 * (tanh, relu), and a one-hot agent id (just more inputs); a shared trunk, an agent embedding, GELU / SiLU or a
 * centralised critic need autodiff.
 */
export function fastPathObstacle(
  c: Pick<PPOHyperparameters, "activation" | "sharedHidden" | "agentId">,
  centralCritic: boolean,
): string | undefined {
  if (!fastBackwardSupports(c.activation)) return `activation "${c.activation}" (no hand-written derivative)`;
  if (c.sharedHidden.length > 0) return "a shared trunk (sharedHidden)";
  if (c.agentId === "embedding") return "an agent-id embedding";
  if (centralCritic) return "a centralised critic";
  return undefined;
}

/** The rules between PPO's fields; `centralCritic`: the critic reads the env's global state (MAPPO). */
function ppoRules(centralCritic: boolean) {
  return (c: PPOHyperparameters, ctx: z.RefinementCtx): void => {
    checkBatchSize(c, ctx);
    const batch = c.numEnvs * c.numSteps;
    if (Math.floor(batch / c.numMinibatches) < 1)
      ctx.addIssue({
        code: "custom",
        path: ["numMinibatches"],
        input: c.numMinibatches,
        message: `must be at most the batch size numEnvs * numSteps = ${batch} (a minibatch needs a transition), got ${c.numMinibatches}`,
      });
    const obstacle = fastPathObstacle(c, centralCritic);
    if (c.gradients === "fast" && obstacle)
      ctx.addIssue({
        code: "custom",
        path: ["gradients"],
        input: c.gradients,
        message: `"fast" does not apply to ${obstacle}; use "autodiff" (or "auto")`,
      });
  };
}

/** The options of `new PPO(...)`: the hyperparameters, the environment, seed and backend, and the rules between them. */
export const ppoOptionsSchema = ppoHyperparametersSchema.extend(learnerFields).superRefine(ppoRules(false));

/** The options of `new MAPPO(...)`: PPO's, with its centralised critic (which the fast gradient path does not cover). */
export const mappoOptionsSchema = ppoHyperparametersSchema.extend(learnerFields).superRefine(ppoRules(true));

export type PPOOptions = z.input<typeof ppoOptionsSchema>;
export type ResolvedPPOOptions = z.output<typeof ppoOptionsSchema>;

/** True when the env's (first agent's) action space is a Box: picks the continuous defaults. */
function isContinuous(env: EnvSource, envOptions: Record<string, unknown> | undefined, algorithm: string): boolean {
  return envErrors(algorithm, env, () => {
    const e = typeof env === "string" ? make(env, envOptions ?? {}) : env();
    const space = isParallelEnv(e) ? (e as ParallelEnv).actionSpace(e.possibleAgents[0]) : (e as Env).actionSpace;
    e.close();
    return space instanceof Box;
  });
}

/**
 * Fill PPO's defaults (CleanRL's; the continuous script's under the options given for Box actions) and check every
 * rule; a broken rule is a ConfigError of `<algorithm> options` naming each option. `schema`: MAPPO's for MAPPO.
 */
export function resolvePPOOptions(opts: PPOOptions, schema = ppoOptionsSchema, algorithm = "PPO"): ResolvedPPOOptions {
  const given = definedOptions(opts, algorithm);
  checkEnvOptions(given, algorithm);
  const continuous = isContinuous(given.env as EnvSource, given.envOptions as Record<string, unknown> | undefined, algorithm);
  return parseOptions(schema, continuous ? { ...PPO_CONTINUOUS_DEFAULTS, ...given } : given, algorithm);
}
