// The public API of supplygym. Other modules import each other's files directly; users import from here.
export * from "./core/rng.js";
export * from "./core/spaces.js";
export * from "./core/types.js";
export * from "./core/registry.js";
export { TimeLimit } from "./wrappers/time-limit.js";
