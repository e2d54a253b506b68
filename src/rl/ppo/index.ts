export { PPO, resolvePPOOptions, type PPOOptions, type ResolvedPPOOptions } from "./ppo.js";
export { normalizeAdvantages } from "../advantages.js";
export {
  PPO_DEFAULTS,
  PPO_CONTINUOUS_DEFAULTS,
  ppoHyperparametersSchema,
  ppoOptionsSchema,
  mappoOptionsSchema,
  type PPOHyperparameters,
} from "./options.js";
