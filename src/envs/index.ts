// Importing this module registers every environment. One import line per environment module.
import "./classic/index.js";
import "./contract-negotiation.js";
import "./contract-negotiation-parallel.js";
import "./hub-trading.js";
import "./market-bidding.js";
import "./market-bidding-parallel.js";
import "./team-match.js";

export { MarketBiddingEnv, MARKET_BIDDING_ID } from "./market-bidding.js";
export { MarketBiddingParallelEnv, MARKET_BIDDING_PARALLEL_ID } from "./market-bidding-parallel.js";
export { MarketBiddingCore, actionNames, type MarketBiddingObservation, type PeriodOutcome } from "./market-bidding-core.js";
export {
  MARKET_BIDDING_DEFAULTS,
  MAX_DEMAND_SCALE,
  marketBiddingOptionsSchema,
  resolveMarketBiddingOptions,
  type MarketBiddingOptions,
} from "./market-bidding-options.js";
export { HubDriver, analyticAction } from "./hub-driver.js";
export {
  observationSpace as hubObservationSpace,
  actionSpace as hubActionSpace,
  observe as observeHub,
  toHubAction,
} from "./hub-observation.js";
