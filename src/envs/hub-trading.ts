import { Rng } from "../core/rng.js";
import { register } from "../core/registry.js";
import type { Box } from "../core/spaces.js";
import type { EnvSpec, Info, ParallelEnv, ParallelResetResult, ParallelStepResult, ResetOptions } from "../core/types.js";
import { loadHubsConfig, resolveHubsConfig, type ResolvedHubsConfig } from "../hubs/config.js";
import { randomHubsConfig } from "../hubs/generate.js";
import { actionSpace, observationSpace, observe, toHubAction } from "../hubs/observation.js";
import { ReviewQueue } from "../hubs/review.js";
import { HubSimulation } from "../hubs/simulation.js";

/**
 * HubTrading-v0: production hubs trading scarce resources (MODEL.md section C) as a PettingZoo-style parallel
 * environment. Each hub is an agent; one step is one period (shortages, credit redemptions, up to maxRounds
 * trading rounds with every hub's bid/ask scales, production). Reward = own profit (margin + money received -
 * money paid) minus own delay cost, times `rewardScale`. Observations include shortages predicted `horizon`
 * periods ahead from announced events (see src/hubs/observation.ts for both spaces).
 */
export interface HubTradingOptions {
  /** A hubs config: a file path or the JSON object. Default: a random scenario (`hubs`, `periods`). */
  config?: string | Record<string, unknown>;
  /** Hubs in the random default scenario. */
  hubs: number;
  /** Periods in the random default scenario. */
  periods: number;
  /** Seed of the random default scenario's hubs (the episode's shortages use the reset seed). */
  scenarioSeed: number;
  /** Rewards are multiplied by this (profits are in money units, often 1e5-1e6 per period). */
  rewardScale: number;
}

export const HUB_TRADING_DEFAULTS: HubTradingOptions = { hubs: 4, periods: 12, scenarioSeed: 0, rewardScale: 1e-5 };

export function resolveHubTradingOptions(options: Record<string, unknown>): HubTradingOptions & { cfg: ResolvedHubsConfig } {
  const known = new Set(["config", ...Object.keys(HUB_TRADING_DEFAULTS)]);
  for (const k of Object.keys(options)) if (!known.has(k)) throw new RangeError(`HubTrading-v0: unknown option "${k}" (known: ${[...known].join(", ")})`);
  const o = { ...HUB_TRADING_DEFAULTS, ...options } as HubTradingOptions;
  if (!(Number.isFinite(o.rewardScale) && o.rewardScale > 0)) throw new RangeError(`HubTrading-v0: rewardScale must be a positive number, got ${o.rewardScale}`);
  let cfg: ResolvedHubsConfig;
  if (typeof o.config === "string") cfg = loadHubsConfig(o.config);
  else if (o.config !== undefined) cfg = resolveHubsConfig(o.config, "HubTrading-v0 options.config");
  else cfg = randomHubsConfig({ hubs: o.hubs, periods: o.periods, seed: o.scenarioSeed });
  return { ...o, cfg };
}

export class HubTradingEnv implements ParallelEnv<number[], number[]> {
  readonly possibleAgents: readonly string[];
  agents: string[] = [];
  spec?: EnvSpec;
  readonly cfg: ResolvedHubsConfig;
  readonly options: HubTradingOptions;
  private readonly obsSpace: Box;
  private readonly actSpace: Box;
  private rng: Rng;
  private sim?: HubSimulation;

  constructor(options: Record<string, unknown> = {}) {
    const { cfg, ...o } = resolveHubTradingOptions(options);
    this.cfg = cfg;
    this.options = o;
    this.possibleAgents = cfg.hubs.map((h) => h.id);
    this.obsSpace = observationSpace(cfg);
    this.actSpace = actionSpace(cfg);
    this.rng = new Rng(cfg.seed);
  }

  observationSpace(agent: string): Box {
    this.checkAgent(agent);
    return this.obsSpace;
  }

  actionSpace(agent: string): Box {
    this.checkAgent(agent);
    return this.actSpace;
  }

  /** The simulator of the current episode (trades, credits, results), for analysis. */
  get simulation(): HubSimulation | undefined {
    return this.sim;
  }

  reset(opts: ResetOptions = {}): ParallelResetResult<number[]> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.sim = new HubSimulation(this.cfg, { seed: this.rng.seed(), queue: new ReviewQueue() });
    this.agents = [...this.possibleAgents];
    const observations: Record<string, number[]> = {};
    const infos: Record<string, Info> = {};
    this.possibleAgents.forEach((a, h) => {
      observations[a] = observe(this.sim!, h);
      infos[a] = { period: 0 };
    });
    return { observations, infos };
  }

  step(actions: Record<string, number[]>): ParallelStepResult<number[]> {
    const sim = this.sim;
    if (!sim || this.agents.length === 0) throw new Error("HubTrading-v0: step() called before reset() or after the episode ended; call reset()");
    for (const a of Object.keys(actions)) if (!this.agents.includes(a)) throw new RangeError(`HubTrading-v0: action for unknown or finished agent "${a}"`);
    const R = this.cfg.resources.length;
    const acts = this.possibleAgents.map((a) => {
      const act = actions[a];
      if (act === undefined) throw new RangeError(`HubTrading-v0: missing action for agent "${a}" (every live agent acts each step)`);
      const why = this.actSpace.explain(act);
      if (why !== undefined) throw new RangeError(`HubTrading-v0: action of agent "${a}" is not in its action space: ${why}`);
      return toHubAction(act, R);
    });
    const period = sim.period;
    const before = sim.trades.length;
    const results = sim.runPeriod(acts);
    const done = sim.done;
    const observations: Record<string, number[]> = {};
    const rewards: Record<string, number> = {};
    const terminations: Record<string, boolean> = {};
    const truncations: Record<string, boolean> = {};
    const infos: Record<string, Info> = {};
    const newTrades = sim.trades.slice(before).filter((t) => t.status === "executed").length;
    this.possibleAgents.forEach((a, h) => {
      const r = results[h];
      observations[a] = observe(sim, h);
      rewards[a] = r.reward * this.options.rewardScale;
      terminations[a] = done;
      truncations[a] = false;
      infos[a] = { period, margin: r.margin, delay_cost: r.delayCost, money_net: r.moneyNet, profit: r.profit, trades_executed: newTrades };
    });
    if (done) this.agents = [];
    return { observations, rewards, terminations, truncations, infos };
  }

  close(): void {
    this.sim = undefined;
    this.agents = [];
  }

  private checkAgent(agent: string): void {
    if (!this.possibleAgents.includes(agent)) throw new RangeError(`HubTrading-v0: unknown agent "${agent}" (agents: ${this.possibleAgents.join(", ")})`);
  }
}

register("HubTrading-v0", (options) => new HubTradingEnv(options), {
  description: "production hubs trading scarce resources (seed 000): each hub an agent scaling its bids and asks",
});
