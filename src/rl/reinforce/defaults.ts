import type { CommonOptions } from "../on-policy.js";

export interface REINFORCEHyperparameters extends Omit<CommonOptions, "env" | "envOptions" | "seed" | "backend"> {
  /** Normalise the advantages G_t - b(s_t) over the batch. */
  normAdv: boolean;
}

/**
 * REINFORCE with a learned state-value baseline (Williams 1992; Sutton & Barto 13.4), one gradient step per
 * batch of `numEnvs * numSteps` transitions. Returns are Monte-Carlo discounted rewards-to-go (GAE with
 * lambda = 1), bootstrapped with the critic only where the rollout or a time limit cuts an episode.
 */
export const REINFORCE_DEFAULTS: Readonly<REINFORCEHyperparameters> = Object.freeze({
  /** Parallel environment copies. */
  numEnvs: 4,
  /** Steps per env per batch (batch = 2048). */
  numSteps: 512,
  /** Adam learning rate (one step per batch, so larger than PPO's). */
  learningRate: 1e-3,
  /** Keep the learning rate constant. */
  annealLr: false,
  /** Discount. */
  gamma: 0.99,
  /** Must stay 1 (Monte-Carlo returns); exposed for the shared machinery. */
  gaeLambda: 1,
  /** Normalise advantages over the batch. */
  normAdv: true,
  /** Entropy bonus coefficient. */
  entCoef: 0.0,
  /** Baseline (value) loss coefficient. */
  vfCoef: 0.5,
  /** Global gradient-norm clip. */
  maxGradNorm: 0.5,
  /** Adam epsilon. */
  adamEps: 1e-8,
  actorHidden: [64, 64],
  criticHidden: [64, 64],
  activation: "tanh",
  initLogStd: 0,
  normalizeObservation: false,
  normalizeReward: false,
  clipObservation: 10,
  clipReward: 10,
  shareParameters: false,
  statsWindow: 20,
});
