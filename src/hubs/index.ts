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
export {
  ReviewQueue,
  RunningStats,
  checkOutlier,
  REVIEW_STATUSES,
  type ReviewItem,
  type ReviewStatus,
  type OutlierCheck,
} from "./review.js";
export {
  HubSimulation,
  truthfulAction,
  tradeRecord,
  type HubAction,
  type Trade,
  type TradeStatus,
  type HubPeriodResult,
  type SimulationOptions,
  type Deal,
} from "./simulation.js";
export { CreditBook, type Credit } from "./credits.js";
export { vcgAuction, lotValue, type LotValues, type VcgResult } from "./vcg.js";
export { misreportSearch, MISREPORT_GRID, type MisreportResult } from "./misreport.js";
export { randomHubsConfig, randomHubsInput, RANDOM_HUBS_DEFAULTS, type RandomHubsOptions } from "./generate.js";
export {
  ShortagePredictor,
  SHORTAGE_FORECAST_DEFAULTS,
  resolveShortageForecastOptions,
  supplyRatios,
  type ShortageForecastOptions,
} from "./shortage-forecast.js";
