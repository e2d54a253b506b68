import { register } from "../core/registry.js";
import type { Box, Dict, Space } from "../core/spaces.js";
import type { EnvSpec, Info, ParallelEnv, ParallelResetResult, ParallelStepResult, ResetOptions } from "../core/types.js";
import { MarketBiddingCore, type MarketBiddingObservation } from "./market-bidding-core.js";
import type { MarketBiddingCoreState } from "./market-bidding-core.js";
import type { MarketBiddingOptions } from "./market-bidding-options.js";

export const MARKET_BIDDING_PARALLEL_ID = "MarketBiddingParallel-v0";

/**
 * `MarketBiddingParallel-v0`: any subset of producers learned (option `learned`, a list of agent names; default
 * every producer), the rest analytic. Each learned agent has the spaces of `MarketBidding-v0` (every agent's own
 * markets, profit, budget and stock; shared forecasts and phase) and is rewarded with its own profit. All agents
 * are truncated together after `episodeLength` periods. Every live agent must act each step; an action for an
 * unknown or missing agent throws.
 */
export class MarketBiddingParallelEnv implements ParallelEnv<MarketBiddingObservation, number[]> {
  readonly core: MarketBiddingCore;
  readonly possibleAgents: readonly string[];
  agents: string[] = [];
  spec?: EnvSpec;
  private readonly indexOf = new Map<string, number>();
  private stateBox?: Box;

  constructor(options: MarketBiddingOptions = {}) {
    this.core = new MarketBiddingCore(MARKET_BIDDING_PARALLEL_ID, options as Record<string, unknown>, "parallel");
    this.possibleAgents = this.core.learned.map((i) => this.core.market.names[i]);
    this.core.learned.forEach((i, k) => this.indexOf.set(this.possibleAgents[k], i));
  }

  private check(agent: string): void {
    if (!this.indexOf.has(agent))
      throw new RangeError(`${MARKET_BIDDING_PARALLEL_ID}: unknown agent "${agent}"; learned agents: ${this.possibleAgents.join(", ")}`);
  }

  /** Every learned agent shares one space object (same shapes); the same object on every call. */
  observationSpace(agent: string): Dict & Space<MarketBiddingObservation> {
    this.check(agent);
    return this.core.observationSpace as Dict & Space<MarketBiddingObservation>;
  }

  actionSpace(agent: string): Box {
    this.check(agent);
    return this.core.actionSpace;
  }

  /** The env's state for an exact resume (the engine's, and the live agents). */
  getState(): { core: MarketBiddingCoreState; agents: string[] } {
    return { core: this.core.getState(), agents: [...this.agents] };
  }

  setState(s: { core: MarketBiddingCoreState; agents: string[] }): void {
    this.core.setState(s.core);
    this.agents = [...s.agents];
  }

  reset(opts: ResetOptions = {}): ParallelResetResult<MarketBiddingObservation> {
    if (opts.options !== undefined && Object.keys(opts.options).length > 0) {
      throw new RangeError(
        `${MARKET_BIDDING_PARALLEL_ID}: reset() takes no options (got ${Object.keys(opts.options).join(", ")}); pass options to make()`,
      );
    }
    this.core.reset(opts.seed);
    this.core.refreshForecasts();
    this.agents = [...this.possibleAgents];
    const observations: Record<string, MarketBiddingObservation> = {};
    const infos: Record<string, Info> = {};
    for (const a of this.agents) {
      observations[a] = this.core.observation(this.indexOf.get(a)!);
      infos[a] = { period: 0 };
    }
    return { observations, infos };
  }

  step(actions: Record<string, number[]>): ParallelStepResult<MarketBiddingObservation> {
    const core = this.core;
    if (!core.live) core.clearPeriod(MARKET_BIDDING_PARALLEL_ID); // throws the right "reset first" error
    if (typeof actions !== "object" || actions === null)
      throw new TypeError(`${MARKET_BIDDING_PARALLEL_ID}: step() takes a record of actions keyed by agent`);
    for (const a of Object.keys(actions)) this.check(a);
    for (const a of this.agents) {
      if (!(a in actions))
        throw new RangeError(`${MARKET_BIDDING_PARALLEL_ID}: no action for live agent "${a}"; every live agent acts each step`);
      core.setAction(this.indexOf.get(a)!, actions[a], `${MARKET_BIDDING_PARALLEL_ID} agent ${a}`);
    }
    const outcome = core.clearPeriod(MARKET_BIDDING_PARALLEL_ID);
    core.refreshForecasts();
    const truncated = !core.live;
    const shared: Info = { ...outcome, agents: core.market.names };
    const out: ParallelStepResult<MarketBiddingObservation> = {
      observations: {},
      rewards: {},
      terminations: {},
      truncations: {},
      infos: {},
    };
    for (const a of this.agents) {
      const i = this.indexOf.get(a)!;
      out.observations[a] = core.observation(i);
      out.rewards[a] = core.reward(i);
      out.terminations[a] = false;
      out.truncations[a] = truncated;
      // One shared record of the period (the same object for every agent), plus the agent's own stock.
      out.infos[a] = core.opts.inventory ? { ...shared, inventory: core.stockOf(i), holdingCost: core.holdingCostOf(i) } : shared;
    }
    if (truncated) this.agents = [];
    return out;
  }

  close(): void {}

  /**
   * The global state (PettingZoo's state()): the last period's prices and quantities of every market, every
   * producer's last profit (analytic ones included), the forecasts, the season phase, and every producer's stock
   * when inventory is on. What a centralised critic (MAPPO) reads; agents only see their own markets.
   */
  get stateSpace(): Box {
    return (this.stateBox ??= this.core.stateSpace());
  }

  state(): Float32Array {
    return this.core.globalState();
  }
}

register(MARKET_BIDDING_PARALLEL_ID, (options) => new MarketBiddingParallelEnv(options as MarketBiddingOptions), {
  description: "several learned producers (default all) bid against analytic agents in the layered market",
});
