export { REINFORCE, resolveREINFORCEOptions, type REINFORCEOptions, type ResolvedREINFORCEOptions } from "./reinforce.js";
export {
  REINFORCE_DEFAULTS,
  reinforceHyperparametersSchema,
  reinforceOptionsSchema,
  type REINFORCEHyperparameters,
} from "./options.js";
