// Learning: TF.js backend choice, actor-critic MLPs, PPO and REINFORCE, policies, checkpoints, training configs.
export { initBackend, backendName, isBackendName, BACKENDS, type BackendName, type BackendOptions } from "./backend.js";
export {
  PPO,
  resolvePPOOptions,
  PPO_DEFAULTS,
  PPO_CONTINUOUS_DEFAULTS,
  type PPOOptions,
  type ResolvedPPOOptions,
  type PPOHyperparameters,
  ppoHyperparametersSchema,
  ppoOptionsSchema,
  mappoOptionsSchema,
} from "./ppo/index.js";
export { MAPPO } from "./mappo/index.js";
export {
  REINFORCE,
  resolveREINFORCEOptions,
  REINFORCE_DEFAULTS,
  type REINFORCEOptions,
  type ResolvedREINFORCEOptions,
  type REINFORCEHyperparameters,
  reinforceHyperparametersSchema,
  reinforceOptionsSchema,
} from "./reinforce/index.js";
export {
  OnPolicyLearner,
  CURVE_COLUMNS,
  type CommonOptions,
  type CurveRow,
  type EnvSource,
  type LearnOptions,
  type LearnerState,
  type Progress,
} from "./on-policy.js";
export { LearnedPolicy, MultiAgentPolicy, type PolicyJSON, type ObsNormalization } from "./policy.js";
export { evaluatePolicy } from "./evaluate.js";
export { computeGae } from "./gae.js";
export { orthogonal } from "./orthogonal.js";
export { saveCheckpoint, loadLatestCheckpoint, listCheckpoints, type Checkpoint } from "./checkpoint.js";
export { loadTrainConfig, parseTrainConfig, trainConfigSchema, type TrainConfig } from "./train-config.js";
export { learnerFromConfig } from "./learner-from-config.js";
export type { Activation, NetworkSpec } from "./actor-critic.js";
export { ACTIVATIONS, ACTIVATION_NAMES, activationOf } from "./activations.js";
