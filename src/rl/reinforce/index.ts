export { REINFORCE, resolveREINFORCEOptions, type REINFORCEOptions, type ResolvedREINFORCEOptions } from "./reinforce.js";
export { REINFORCE_DEFAULTS, type REINFORCEHyperparameters } from "./defaults.js";
