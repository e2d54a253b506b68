import type { CommonOptions } from "./on-policy.js";
import { OptionError } from "./option-error.js";

/** The fields whose defaults PPO and REINFORCE share (the network, normalisation and bookkeeping). */
export type CommonDefaults = Pick<
  CommonOptions,
  | "gamma"
  | "vfCoef"
  | "maxGradNorm"
  | "actorHidden"
  | "criticHidden"
  | "activation"
  | "sharedHidden"
  | "agentId"
  | "agentEmbeddingDim"
  | "initLogStd"
  | "normalizeObservation"
  | "normalizeReward"
  | "clipObservation"
  | "clipReward"
  | "shareParameters"
  | "statsWindow"
>;

/**
 * Defaults both on-policy learners use, as CleanRL's `ppo.py` (its flags in brackets); each algorithm's defaults
 * object ({@link PPO_DEFAULTS}, {@link REINFORCE_DEFAULTS}) spreads these and adds its own.
 */
export const COMMON_DEFAULTS: Readonly<CommonDefaults> = Object.freeze({
  /** Discount (`--gamma 0.99`). */
  gamma: 0.99,
  /** Value (baseline) loss coefficient (`--vf-coef 0.5`). */
  vfCoef: 0.5,
  /** Global gradient-norm clip (`--max-grad-norm 0.5`). */
  maxGradNorm: 0.5,
  /** Policy MLP hidden sizes (CleanRL: 64, 64). */
  actorHidden: [64, 64],
  /** Value MLP hidden sizes (CleanRL: 64, 64). */
  criticHidden: [64, 64],
  /** Hidden activation (CleanRL: tanh); one of the activations table (tanh, relu, gelu, silu). */
  activation: "tanh",
  /** Hidden layers shared by actor and critic (CleanRL: none, separate networks). */
  sharedHidden: [],
  /** Agent-id feature of a shared policy (not in CleanRL): none. */
  agentId: "none",
  /** Width of the learned agent-id embedding (agentId "embedding"). */
  agentEmbeddingDim: 8,
  /** Initial log-std of the Gaussian (Box actions; CleanRL: zeros). */
  initLogStd: 0,
  /** Observation normalisation (CleanRL ppo.py: none). */
  normalizeObservation: false,
  /** Reward normalisation by the running std of the discounted return (CleanRL ppo.py: none). */
  normalizeReward: false,
  /** Clip normalised observations to +-this (CleanRL's continuous script: 10). */
  clipObservation: 10,
  /** Clip normalised rewards to +-this (CleanRL's continuous script: 10). */
  clipReward: 10,
  /** ParallelEnv: independent learners per agent by default. */
  shareParameters: false,
  /** Episodes averaged in the learning curve (not a CleanRL option; SB3 uses 100). */
  statsWindow: 20,
});

/** `defaults`, then seed 1, then every option the caller set (an undefined option means "use the default"). */
export function withDefaults<R>(defaults: object, opts: object, algorithm: string): R {
  if (opts === null || typeof opts !== "object") throw new OptionError("", `${algorithm}: options must be an object`);
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  return { ...defaults, seed: 1, ...defined } as R;
}
