// The public API of supplygym. Importing it registers every environment (src/envs/index.ts).
// Core, wrappers, market, environments, learners and metrics are flat; the demand, experiment-runner and the
// contracts and hubs simulators are namespaces (import { contracts } from "supplygym"), to keep names unambiguous.
export * from "./core/rng.js";
export * from "./core/spaces.js";
export * from "./core/types.js";
export * from "./core/registry.js";
export * from "./core/check-env.js";
export * from "./core/env-state.js";
export * from "./wrappers/index.js";
export * from "./market/index.js";
export { loadEquilibriumConfig, equilibriumConfigSchema, type EquilibriumConfig } from "./market/config.js";
export * as demand from "./demand/index.js";
export * from "./envs/index.js";
export { CartPole, Pendulum } from "./envs/classic/index.js";
export * from "./rl/index.js";
export * from "./eval/index.js";
export * as experiments from "./experiments/index.js";
export * as contracts from "./contracts/index.js";
export * as hubs from "./hubs/index.js";
export { RunDir } from "./io/run-dir.js";
export { toCsv, parseCsv } from "./io/csv.js";
export { renderSvg, svgToPng } from "./io/plot.js";
export { UsageError, ConfigError } from "./io/errors.js";

// Extension points (docs/extending.md): a plugin's top-level code calls these.
export { registerStrategy, getStrategy, strategyNames, type StrategyContext, type StrategyFactory, type StrategyInfo } from "./agents/index.js";
export { registerMetric, getMetric, metricDefs, type MetricDef, type MetricInput } from "./eval/metric-registry.js";
export { registerScenario, getScenario, scenarioNames, type ScenarioDef, type ScenarioModule } from "./experiments/scenarios/index.js";
export { registerAlgorithm, getAlgorithm, algorithmNames, type AlgorithmDef, type Learner, type LearnerClass, type LearnerOptions } from "./rl/algorithm-registry.js";
export { RegistrationError } from "./io/errors.js";
