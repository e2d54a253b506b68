// The public API of supplygym: what a user of the workbench needs, every name listed here (no `export *`, so the
// API changes only by editing this file; src/index.test.ts pins the list). Importing it registers every
// environment (src/envs/index.ts). Internals (solver buffers, CSV row builders, helpers) are imported from their
// modules inside the repository, not from here.

// Environments: the Env / ParallelEnv / VectorEnv / Policy interfaces, spaces, the registry, checks, seeding.
export {
  isParallelEnv,
  type ActOptions,
  type Env,
  type EnvSpec,
  type Info,
  type ParallelEnv,
  type ParallelResetResult,
  type ParallelStepResult,
  type Policy,
  type ResetOptions,
  type ResetResult,
  type StepResult,
  type VectorEnv,
  type VectorResetResult,
  type VectorStepResult,
} from "./core/types.js";
export { Box, Dict, Discrete, MultiDiscrete, flatDim, spaceFromJSON, type DictValue, type Space, type SpaceJSON } from "./core/spaces.js";
export { make, register, registeredIds, registration, UnknownEnvError, type EnvFactory, type RegisterOptions } from "./core/registry.js";
export { checkEnv, checkParallelEnv, EnvCheckError, type CheckEnvOptions, type EnvCheckReport } from "./core/check-env.js";
export { envState, setEnvState, canSnapshot, type Snapshotable } from "./core/env-state.js";
export { Rng, deriveSeed, type RngState } from "./core/rng.js";
export { CartPole, Pendulum } from "./envs/classic/index.js";
export { MarketBiddingEnv, MARKET_BIDDING_ID } from "./envs/market-bidding.js";
export { MarketBiddingParallelEnv, MARKET_BIDDING_PARALLEL_ID } from "./envs/market-bidding-parallel.js";
export { MARKET_BIDDING_DEFAULTS, marketBiddingOptionsSchema, type MarketBiddingOptions } from "./envs/market-bidding-options.js";
export type { MarketBiddingObservation, PeriodOutcome } from "./envs/market-bidding-core.js";
import "./envs/index.js";

// Wrappers.
export { Wrapper, TimeLimit, ClipAction, RescaleAction, ParallelRescaleAction, FlattenObservation } from "./wrappers/index.js";
export {
  NormalizeObservation,
  NormalizeReward,
  RunningMeanStd,
  SyncVectorEnv,
  RecordEpisodeStatistics,
  ParallelToVector,
} from "./wrappers/index.js";
export type { NormalizeObservationOptions, NormalizeRewardOptions } from "./wrappers/index.js";

// Learning: backends, PPO and REINFORCE, policies, evaluation, checkpoints, training configs.
export { initBackend, backendName, BACKENDS, type BackendName, type BackendOptions } from "./rl/backend.js";
export { PPO, PPO_DEFAULTS, PPO_CONTINUOUS_DEFAULTS, type PPOOptions } from "./rl/index.js";
export { REINFORCE, REINFORCE_DEFAULTS, type REINFORCEOptions } from "./rl/index.js";
export { OnPolicyLearner, type LearnOptions, type CurveRow, type Progress } from "./rl/on-policy.js";
export { LearnedPolicy, MultiAgentPolicy, type PolicyJSON } from "./rl/policy.js";
export { evaluatePolicy } from "./rl/evaluate.js";
export { saveCheckpoint, loadLatestCheckpoint, type Checkpoint } from "./rl/checkpoint.js";
export { loadTrainConfig, parseTrainConfig, trainConfigSchema, type TrainConfig } from "./rl/train-config.js";
export { learnerFromConfig } from "./rl/learner-from-config.js";
export type { Activation, NetworkSpec } from "./rl/actor-critic.js";

// Metrics on plain records and statistics over seeds.
export {
  firstBestEfficiency,
  lossVsFirstBest,
  surplusVsCompetitive,
  surplusChangeVsCompetitive,
  priceDistortion,
  chainEfficiency,
  paretoCompare,
} from "./eval/efficiency.js";
export { FirstBestSolver, firstBestSurplus, withoutBudgets, allocationSurplus } from "./market/first-best.js";
export { bestBid, iterateBestResponses, profitOfBid, truthfulProfile } from "./market/best-bid.js";
export { maximize } from "./market/optimize.js";
export { jainIndex, gini, shares, minShare, maxShare, nashSocialWelfare, addedValueProportionality } from "./eval/fairness.js";
export { marketMetrics, MARKET_METRICS } from "./eval/outcome-metrics.js";
export { negotiationMetrics, NEGOTIATION_METRICS } from "./eval/contracts-metrics.js";
export { hubsMetrics, HUBS_METRICS } from "./eval/hubs-metrics.js";
export type { Outcome, PeriodPair } from "./eval/outcome.js";
export {
  mean,
  std,
  variance,
  tConfidenceInterval,
  bootstrapConfidenceInterval,
  welchTTest,
  pairedDifference,
  type Interval,
  type MeanCI,
  type TTestResult,
} from "./eval/statistics.js";
export { metricRecords, type MetricRecord } from "./eval/tables.js";
// The run's tables over training seeds x evaluation episodes (docs/statistics.md).
export {
  summaryRows,
  comparisonRows,
  aggregateRows,
  adjustFamily,
  seedMetricRecords,
  type SummaryRow,
  type ComparisonRow,
  type AggregateRow,
} from "./eval/estimates.js";
export {
  crossedInterval,
  crossedDifference,
  cellMatrix,
  holm,
  benjaminiHochberg,
  interquartileMean,
  probabilityOfImprovement,
  wilsonInterval,
  type EpisodeMetricRecord,
} from "./eval/crossed.js";
export { metricInfo, dictionaryRows } from "./eval/metric-dictionary.js";

// Experiments: load, run and summarise an experiment file.
export { loadExperiment, resolveExperiment, type ExperimentFile, type ResolvedExperiment } from "./experiments/schema.js";
export { runExperiment, type RunOptions, type RunOutcome } from "./experiments/runner.js";
export type { Task, TaskContext, TaskResult } from "./experiments/task.js";

// The three simulators, for analysis without an env.
export { paperMarket } from "./market/paper.js";
export { compileMarket, marketSpecSchema, type CompiledMarket, type MarketSpec } from "./market/spec.js";
export { EquilibriumSolver, solveEquilibrium, type Equilibrium } from "./market/equilibrium.js";
export { tatonnement } from "./market/tatonnement.js";
export { welfare } from "./market/welfare.js";
export { randomMarket } from "./market/generate.js";
export { parseNegotiationConfig, type NegotiationConfig } from "./contracts/config.js";
export { PAPER_CONFIG as PAPER_NEGOTIATION_CONFIG } from "./contracts/paper.js";
export { runNegotiations } from "./contracts/runner.js";
export type { NegotiationOutcome } from "./contracts/outcome.js";
// What a contracts strategy sees and does at its protocol turn (docs/extending.md, docs/contracts.md "Strategies").
export { retailerStrategySpaces, subStrategySpaces, type ContractEpisode } from "./envs/contract-negotiation.js";
export { contractTacticOptionsSchema, type ContractTacticOptions } from "./agents/contracts/tactics.js";
export { loadHubsConfig, resolveHubsConfig, type ResolvedHubsConfig } from "./hubs/config.js";

// Errors a caller may catch.
export { ConfigError, UsageError } from "./io/errors.js";
export { MarketSpecError, NoEquilibriumError } from "./market/errors.js";

// Extension points (docs/extending.md): a plugin's top-level code calls these.
export {
  registerStrategy,
  getStrategy,
  strategyNames,
  type StrategyContext,
  type StrategyFactory,
  type StrategyInfo,
} from "./agents/index.js";
export { registerMetric, getMetric, metricDefs, type MetricDef, type MetricInput } from "./eval/metric-registry.js";
export { registerScenario, getScenario, scenarioNames, type ScenarioDef, type ScenarioModule } from "./experiments/scenarios/index.js";
export {
  registerAlgorithm,
  getAlgorithm,
  algorithmNames,
  type AlgorithmDef,
  type Learner,
  type LearnerClass,
  type LearnerOptions,
} from "./rl/algorithm-registry.js";
export { RegistrationError } from "./io/errors.js";
