export { PPO, resolvePPOOptions, normalizeAdvantages, type PPOOptions, type ResolvedPPOOptions } from "./ppo.js";
export { PPO_DEFAULTS, PPO_CONTINUOUS_DEFAULTS, type PPOHyperparameters } from "./defaults.js";
