import { COMMON_DEFAULTS } from "../common-defaults.js";
import type { CommonOptions } from "../on-policy.js";

/** PPO hyperparameters on top of the shared on-policy options. */
export interface PPOHyperparameters extends Omit<CommonOptions, "env" | "envOptions" | "seed" | "backend"> {
  numMinibatches: number;
  updateEpochs: number;
  normAdv: boolean;
  clipCoef: number;
  clipVloss: boolean;
  /** Stop the epochs of an update early when the approximate KL of the last minibatch exceeds it (null: never). */
  targetKl: number | null;
  /**
   * Gradient path: "fast" = the hand-written backward pass (separate tanh/relu MLPs, the CleanRL network),
   * "autodiff" = TF.js `tf.variableGrads` over any network the options describe, "auto" = fast where it applies.
   */
  gradients: "auto" | "fast" | "autodiff";
}

/**
 * PPO defaults for Discrete actions = CleanRL's `ppo.py` (Huang et al., "The 37 implementation details of PPO"):
 * {@link COMMON_DEFAULTS} and the fields below.
 */
export const PPO_DEFAULTS: Readonly<PPOHyperparameters> = Object.freeze({
  ...COMMON_DEFAULTS,
  /** Parallel environment copies (`--num-envs 4`). */
  numEnvs: 4,
  /** Steps per env per rollout (`--num-steps 128`); batch = numEnvs * numSteps = 512. */
  numSteps: 128,
  /** Adam learning rate (`--learning-rate 2.5e-4`). */
  learningRate: 2.5e-4,
  /** Anneal the learning rate linearly to 0 over the run (`--anneal-lr True`). */
  annealLr: true,
  /** GAE lambda (`--gae-lambda 0.95`). */
  gaeLambda: 0.95,
  /** Minibatches per epoch (`--num-minibatches 4`); minibatch = 128. */
  numMinibatches: 4,
  /** Epochs over each batch (`--update-epochs 4`). */
  updateEpochs: 4,
  /** Normalise advantages per minibatch (`--norm-adv True`). */
  normAdv: true,
  /** Surrogate clipping coefficient (`--clip-coef 0.2`). */
  clipCoef: 0.2,
  /** Clip the value loss around the old values with clipCoef (`--clip-vloss True`). */
  clipVloss: true,
  /** Entropy bonus coefficient (`--ent-coef 0.01`). */
  entCoef: 0.01,
  /** Target KL for early stopping (`--target-kl None`). */
  targetKl: null,
  /** Adam epsilon (CleanRL passes eps=1e-5). */
  adamEps: 1e-5,
  gradients: "auto",
});

/**
 * PPO defaults for Box actions = CleanRL's `ppo_continuous_action.py`: fields that differ from
 * {@link PPO_DEFAULTS}. (Its env wrappers NormalizeObservation, NormalizeReward and the +-10 clips are the
 * normalize* / clip* options here; ClipAction is how Gaussian actions reach the env, see distributions.ts.)
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
