// Production hubs trading scarce resources (seed 000, docs/model.md section C).
export * from "./config.js";
export { solveSmallLp } from "./small-lp.js";
export { planProduction, hubValue, marginalValues, storedUnits, type ProductionPlan } from "./production.js";
export { episodeEvents, supplyAt, predictedCut } from "./shortages.js";
export { vickreyAuction, bidderUtility, type VickreyBid, type VickreyResult } from "./vickrey.js";
export { concede, negotiateMoney, smallestReaching, largestWithin, type ConcessionResult } from "./negotiation.js";
export { socialOptimum, optimumLp, loadHighs, type OptimumResult } from "./optimum.js";
export {
  FileLedger,
  MemoryLedger,
  verifyLedger,
  manifestCheckpoint,
  readHeadFile,
  canonicalJson,
  chainHash,
  headPath,
  GENESIS,
  type LedgerSink,
  type LedgerHead,
  type LedgerAnchor,
  type VerifyOptions,
  type VerifyResult,
} from "./ledger.js";
export { ReviewQueue, RunningStats, checkOutlier, REVIEW_STATUSES, type ReviewItem, type ReviewStatus, type OutlierCheck } from "./review.js";
export { HubSimulation, truthfulAction, tradeRecord, type HubAction, type Trade, type TradeStatus, type Credit, type HubPeriodResult, type SimulationOptions } from "./simulation.js";
export { observationSpace as hubObservationSpace, actionSpace as hubActionSpace, observe as observeHub, toHubAction } from "./observation.js";
export { runHubEpisode, type EpisodeOutcome, type EpisodeOptions, type HubOutcome, type PeriodOutcome } from "./episode.js";
export { tradeRows, contributionRows, outcomeRows, TRADE_COLUMNS, CONTRIBUTION_COLUMNS, OUTCOME_COLUMNS } from "./report.js";
export { randomHubsConfig, randomHubsInput, RANDOM_HUBS_DEFAULTS, type RandomHubsOptions } from "./generate.js";
export { HubDriver, analyticAction } from "./driver.js";
export { ShortagePredictor, SHORTAGE_FORECAST_DEFAULTS, resolveShortageForecastOptions, supplyRatios, type ShortageForecastOptions } from "./shortage-forecast.js";
