import { COMMON_DEFAULTS } from "../common-defaults.js";
import type { CommonOptions } from "../on-policy.js";

export interface REINFORCEHyperparameters extends Omit<CommonOptions, "env" | "envOptions" | "seed" | "backend"> {
  /** Normalise the advantages G_t - b(s_t) over the batch. */
  normAdv: boolean;
}

/**
 * REINFORCE with a learned state-value baseline (Williams 1992; Sutton & Barto 13.4), one gradient step per
 * batch of `numEnvs * numSteps` transitions. Returns are Monte-Carlo discounted rewards-to-go (GAE with
 * lambda = 1), bootstrapped with the critic only where the rollout or a time limit cuts an episode.
 * {@link COMMON_DEFAULTS} (gamma 0.99, vfCoef 0.5, maxGradNorm 0.5, 64x64 tanh, no normalisation) and the fields below.
 */
export const REINFORCE_DEFAULTS: Readonly<REINFORCEHyperparameters> = Object.freeze({
  ...COMMON_DEFAULTS,
  /** Parallel environment copies. */
  numEnvs: 4,
  /** Steps per env per batch (batch = 2048). */
  numSteps: 512,
  /** Adam learning rate (one step per batch, so larger than PPO's). */
  learningRate: 1e-3,
  /** Keep the learning rate constant. */
  annealLr: false,
  /** Must stay 1 (Monte-Carlo returns); exposed for the shared machinery. */
  gaeLambda: 1,
  /** Normalise advantages over the batch. */
  normAdv: true,
  /** Entropy bonus coefficient. */
  entCoef: 0.0,
  /** Adam epsilon. */
  adamEps: 1e-8,
});
