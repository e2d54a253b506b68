import { register } from "../core/registry.js";
import type { Box, Dict, Space } from "../core/spaces.js";
import type { Env, EnvSpec, Info, ResetOptions, ResetResult, StepResult } from "../core/types.js";
import { MarketBiddingCore, type MarketBiddingObservation, type PeriodOutcome } from "./market-bidding-core.js";
import type { MarketBiddingCoreState } from "./market-bidding-core.js";
import type { MarketBiddingOptions } from "./market-bidding-options.js";

export const MARKET_BIDDING_ID = "MarketBidding-v0";

/**
 * `MarketBidding-v0`: one producer of the layered market (option `agent`, default A[1][1]) is learned; every
 * other agent bids its analytic demand and supply functions. One step is one trading period (see
 * `market-bidding-core.ts` for the order of events).
 *
 * - Action (Box, 2G or 3G numbers): per good a demand scale in [0, 2] (1 = truthful), then per good a withholding
 *   fraction in [0, 1] (0 = offer all), then, with inventory, per good the fraction of stock offered. The budget
 *   always holds (the scaled demand is re-fitted to it). Actions outside the space throw; nothing is clipped.
 * - Observation (Dict, flattenable with FlattenObservation): see `MarketBiddingObservation`.
 * - Reward: the agent's profit in the period (minus holding cost with inventory).
 * - Episodes end by truncation after `episodeLength` periods (default 52); `terminated` is always false.
 * - Info: period, demandAlpha, prices, quantities (per market, index layer*G + good), profits (every agent, in
 *   `agents` order), totalSurplus, counterfactual {prices, quantities, profits, totalSurplus} of the all-analytic
 *   market with the same demand, efficiency = totalSurplus / counterfactual.totalSurplus, and with inventory the
 *   stock and holding cost.
 */
export class MarketBiddingEnv implements Env<MarketBiddingObservation, number[]> {
  readonly core: MarketBiddingCore;
  readonly observationSpace: Dict & Space<MarketBiddingObservation>;
  readonly actionSpace: Box;
  readonly agent: string;
  spec?: EnvSpec;
  private readonly index: number;

  constructor(options: MarketBiddingOptions = {}) {
    this.core = new MarketBiddingCore(MARKET_BIDDING_ID, options as Record<string, unknown>, "single");
    this.index = this.core.learned[0];
    this.agent = this.core.market.names[this.index];
    this.observationSpace = this.core.observationSpace as Dict & Space<MarketBiddingObservation>;
    this.actionSpace = this.core.actionSpace;
  }

  /** Every agent's name, in the order of `info.profits`. */
  get agents(): readonly string[] {
    return this.core.market.names;
  }

  /** The env's state for an exact resume (the engine's). */
  getState(): MarketBiddingCoreState {
    return this.core.getState();
  }

  setState(s: MarketBiddingCoreState): void {
    this.core.setState(s);
  }

  reset(opts: ResetOptions = {}): ResetResult<MarketBiddingObservation> {
    if (opts.options !== undefined && Object.keys(opts.options).length > 0) {
      throw new RangeError(
        `${MARKET_BIDDING_ID}: reset() takes no options (got ${Object.keys(opts.options).join(", ")}); pass options to make()`,
      );
    }
    this.core.reset(opts.seed);
    this.core.refreshForecasts();
    return { observation: this.core.observation(this.index), info: { period: 0, agent: this.agent } };
  }

  step(action: number[]): StepResult<MarketBiddingObservation> {
    const core = this.core;
    if (!core.live) core.clearPeriod(MARKET_BIDDING_ID); // throws the right "reset first" error
    core.setAction(this.index, action, MARKET_BIDDING_ID);
    const outcome = core.clearPeriod(MARKET_BIDDING_ID);
    core.refreshForecasts();
    return {
      observation: core.observation(this.index),
      reward: core.reward(this.index),
      terminated: false,
      truncated: !core.live,
      info: this.info(outcome),
    };
  }

  private info(outcome: PeriodOutcome): Info {
    const info: Info = { ...outcome, agents: this.core.market.names };
    if (this.core.opts.inventory) {
      info.inventory = this.core.stockOf(this.index);
      info.holdingCost = this.core.holdingCostOf(this.index);
    }
    return info;
  }

  close(): void {}
}

register(MARKET_BIDDING_ID, (options) => new MarketBiddingEnv(options as MarketBiddingOptions), {
  description: "one learned producer bids (demand scale, withholding) against analytic agents in the layered market",
});
