// Metrics on plain outcome records (no env or RL imports), statistics over seeds, tables and figures.
export * from "./special.js";
export * from "./statistics.js";
export * from "./outcome.js";
export * from "./efficiency.js";
export * from "./fairness.js";
export * from "./outcome-metrics.js";
export * from "./tables.js";
export * from "./figures.js";
export * from "./hubs-metrics.js";
export * from "./contracts-metrics.js";
export * from "./contracts-summary.js";
export * from "./contracts-report.js";
export * from "./crossed.js";
export * from "./estimates.js";
export * from "./metric-dictionary.js";
