// The public API of supplygym. Other modules import each other's files directly; users import from here.
export * from "./core/rng.js";
export * from "./core/spaces.js";
export * from "./core/types.js";
export * from "./core/registry.js";
export { TimeLimit } from "./wrappers/time-limit.js";
export * from "./market/index.js";
export { loadEquilibriumConfig, equilibriumConfigSchema, type EquilibriumConfig } from "./market/config.js";
export { RunDir } from "./io/run-dir.js";
export { toCsv, parseCsv } from "./io/csv.js";
export { renderSvg, svgToPng } from "./io/plot.js";
export { UsageError, ConfigError } from "./io/errors.js";
