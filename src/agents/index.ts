// Strategies: scripted and analytic agents as registered Policy factories (registry.ts); importing this module
// registers the built-ins (builtin.ts).
export * from "./registry.js";
import "./market/best-response.js";
import "./contracts/tactics.js";
export { truthfulAction, scaledOptionsSchema, type ScaledOptions, MARKET_ENVS, HUB_ENVS } from "./builtin.js";
