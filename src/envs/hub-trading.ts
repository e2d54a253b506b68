import { Rng } from "../core/rng.js";
import { EpisodeReplay, type ReplayState } from "./episode-replay.js";
import { register } from "../core/registry.js";
import { Box } from "../core/spaces.js";
import type { EnvSpec, Info, ParallelEnv, ParallelResetResult, ParallelStepResult, ResetOptions } from "../core/types.js";
import { loadHubsConfig, resolveHubsConfig, withMechanism, type ResolvedHubsConfig } from "../hubs/config.js";
import { randomHubsConfig } from "../hubs/generate.js";
import { HubDriver } from "./hub-driver.js";
import { actionSpace, observationSpace } from "./hub-observation.js";
import {
  resolveShortageForecastOptions,
  ShortagePredictor,
  SHORTAGE_FORECAST_DEFAULTS,
  type ShortageForecastOptions,
} from "../hubs/shortage-forecast.js";
import type { HubSimulation } from "../hubs/simulation.js";

/**
 * HubTrading-v0: production hubs trading scarce resources (docs/model.md section C) as a PettingZoo-style parallel
 * environment. Each hub is an agent; one step is one period (shortages, credit redemptions, up to maxRounds
 * trading rounds with every hub's bid/ask scales, production). Reward = own profit (margin + money received -
 * money paid) minus own delay cost, times `rewardScale`. Observations include shortages predicted `horizon`
 * periods ahead from announced events and a src/demand forecaster (`shortageForecast`; see
 * src/hubs/shortage-forecast.ts and src/envs/hub-observation.ts for both spaces).
 *
 * Learned and analytic hubs: the agents are the hubs listed in `learned` (default: every hub); the other hubs are
 * analytic: they act inside the env, stating their true values (`analyticAction`, via `HubDriver`, the same code
 * path as `runHubEpisode`'s hubs without a policy).
 */
export interface HubTradingOptions {
  /** A hubs config: a file path or the JSON object. Default: a random scenario (`hubs`, `periods`). */
  config?: string | Record<string, unknown>;
  /**
   * Mechanism fields replacing the config's (e.g. `{ "kind": "vcg" }`; docs/hubs.md "Trading mechanism"), so one
   * scenario can be run under each mechanism. Default: the config's mechanism.
   */
  mechanism?: Record<string, unknown>;
  /** Hubs in the random default scenario. */
  hubs: number;
  /** Periods in the random default scenario. */
  periods: number;
  /** Seed of the random default scenario's hubs (the episode's shortages use the reset seed). */
  scenarioSeed: number;
  /** Rewards are multiplied by this (profits are in money units, often 1e5-1e6 per period). */
  rewardScale: number;
  /** Hub ids that are agents (learned); the rest are analytic. Default: every hub. */
  learned?: string[];
  /** How the predicted cut in the observations is made (partial objects are completed from the defaults). */
  shortageForecast: ShortageForecastOptions;
}

export const HUB_TRADING_DEFAULTS: HubTradingOptions = {
  hubs: 4,
  periods: 12,
  scenarioSeed: 0,
  rewardScale: 1e-5,
  shortageForecast: SHORTAGE_FORECAST_DEFAULTS,
};

export function resolveHubTradingOptions(options: Record<string, unknown>): HubTradingOptions & { cfg: ResolvedHubsConfig } {
  const known = new Set(["config", "learned", "mechanism", ...Object.keys(HUB_TRADING_DEFAULTS)]);
  for (const k of Object.keys(options))
    if (!known.has(k)) throw new RangeError(`HubTrading-v0: unknown option "${k}" (known: ${[...known].join(", ")})`);
  const sf = options.shortageForecast;
  if (sf !== undefined && (typeof sf !== "object" || sf === null || Array.isArray(sf)))
    throw new RangeError(`HubTrading-v0: shortageForecast must be an object {forecaster, announced, fitPeriods}`);
  const sfKnown = Object.keys(SHORTAGE_FORECAST_DEFAULTS);
  for (const k of Object.keys((sf ?? {}) as object))
    if (!sfKnown.includes(k)) throw new RangeError(`HubTrading-v0: unknown option "shortageForecast.${k}" (known: ${sfKnown.join(", ")})`);
  const o = { ...HUB_TRADING_DEFAULTS, ...options } as HubTradingOptions;
  o.shortageForecast = resolveShortageForecastOptions((sf ?? {}) as Partial<ShortageForecastOptions>, "HubTrading-v0: shortageForecast");
  if (!(Number.isFinite(o.rewardScale) && o.rewardScale > 0))
    throw new RangeError(`HubTrading-v0: rewardScale must be a positive number, got ${show(o.rewardScale)}`);
  if (!Number.isInteger(o.hubs) || o.hubs < 2) throw new RangeError(`HubTrading-v0: hubs must be an integer >= 2, got ${show(o.hubs)}`);
  if (!Number.isInteger(o.periods) || o.periods < 1)
    throw new RangeError(`HubTrading-v0: periods must be an integer >= 1, got ${show(o.periods)}`);
  if (!Number.isSafeInteger(o.scenarioSeed))
    throw new RangeError(`HubTrading-v0: scenarioSeed must be an integer, got ${show(o.scenarioSeed)}`);
  if (
    o.config !== undefined &&
    typeof o.config !== "string" &&
    (typeof o.config !== "object" || o.config === null || Array.isArray(o.config))
  ) {
    throw new RangeError(`HubTrading-v0: config must be a file path or a config object, got ${show(o.config)}`);
  }
  let cfg: ResolvedHubsConfig;
  if (typeof o.config === "string") cfg = loadHubsConfig(o.config);
  else if (o.config !== undefined) cfg = resolveHubsConfig(o.config, "HubTrading-v0 options.config");
  else cfg = randomHubsConfig({ hubs: o.hubs, periods: o.periods, seed: o.scenarioSeed });
  if (o.mechanism !== undefined) cfg = withMechanism(cfg, o.mechanism, "HubTrading-v0 options.mechanism");
  if (o.learned !== undefined) {
    const ids = cfg.hubs.map((h) => h.id);
    if (!Array.isArray(o.learned) || o.learned.length === 0)
      throw new RangeError(`HubTrading-v0: learned must be a non-empty list of hub ids (hubs: ${ids.join(", ")})`);
    const seen = new Set<string>();
    for (const a of o.learned) {
      if (!ids.includes(a)) throw new RangeError(`HubTrading-v0: learned: unknown hub "${String(a)}" (hubs: ${ids.join(", ")})`);
      if (seen.has(a)) throw new RangeError(`HubTrading-v0: learned: hub "${a}" listed twice`);
      seen.add(a);
    }
  }
  return { ...o, cfg };
}

const show = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : String(v));

export class HubTradingEnv implements ParallelEnv<number[], number[]> {
  readonly possibleAgents: readonly string[];
  agents: string[] = [];
  spec?: EnvSpec;
  readonly cfg: ResolvedHubsConfig;
  readonly options: HubTradingOptions;
  private readonly obsSpace: Box;
  private readonly actSpace: Box;
  private rng: Rng;
  private readonly replay = new EpisodeReplay<Record<string, number[]>>();
  private driver?: HubDriver;
  private readonly predictor: ShortagePredictor;
  /** Hub index of each agent. */
  private readonly hubIndex = new Map<string, number>();
  private stateBox?: Box;

  constructor(options: Record<string, unknown> = {}) {
    const { cfg, ...o } = resolveHubTradingOptions(options);
    this.cfg = cfg;
    this.options = o;
    const learned = o.learned === undefined ? undefined : new Set(o.learned);
    this.possibleAgents = cfg.hubs.map((h) => h.id).filter((id) => !learned || learned.has(id));
    cfg.hubs.forEach((h, i) => this.hubIndex.set(h.id, i));
    this.predictor = new ShortagePredictor(cfg, o.shortageForecast);
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
    return this.driver?.sim;
  }

  /** The env's state for an exact resume: the RNG and the current episode's start and actions (replayed). */
  getState(): ReplayState<Record<string, number[]>> {
    return this.replay.state(this.rng);
  }

  setState(s: ReplayState<Record<string, number[]>>): void {
    EpisodeReplay.restore(s, { setRng: (r) => (this.rng = r), reset: (seed) => this.reset({ seed }), step: (a) => this.step(a) });
  }

  reset(opts: ResetOptions = {}): ParallelResetResult<number[]> {
    this.replay.onReset(this.rng, opts.seed);
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    // HubDriver holds outlier trades in an in-memory review queue, as in runHubEpisode.
    this.driver = new HubDriver(this.cfg, this.predictor, { seed: this.rng.seed() });
    this.agents = [...this.possibleAgents];
    const observations: Record<string, number[]> = {};
    const infos: Record<string, Info> = {};
    for (const a of this.possibleAgents) {
      observations[a] = this.driver.observe(this.hubIndex.get(a)!);
      infos[a] = { period: 0 };
    }
    return { observations, infos };
  }

  step(actions: Record<string, number[]>): ParallelStepResult<number[]> {
    const driver = this.driver;
    if (!driver || this.agents.length === 0)
      throw new Error("HubTrading-v0: step() called before reset() or after the episode ended; call reset()");
    for (const a of Object.keys(actions))
      if (!this.agents.includes(a)) throw new RangeError(`HubTrading-v0: action for unknown or finished agent "${a}"`);
    const acts: (number[] | undefined)[] = this.cfg.hubs.map(() => undefined); // undefined = analytic hub
    for (const a of this.possibleAgents) {
      const act = actions[a];
      if (act === undefined) throw new RangeError(`HubTrading-v0: missing action for agent "${a}" (every live agent acts each step)`);
      const why = this.actSpace.explain(act);
      if (why !== undefined) throw new RangeError(`HubTrading-v0: action of agent "${a}" is not in its action space: ${why}`);
      acts[this.hubIndex.get(a)!] = act;
    }
    this.replay.onStep(actions);
    const sim = driver.sim;
    const period = sim.period;
    const before = sim.trades.length;
    const results = driver.step(acts);
    const done = sim.done;
    const observations: Record<string, number[]> = {};
    const rewards: Record<string, number> = {};
    const terminations: Record<string, boolean> = {};
    const truncations: Record<string, boolean> = {};
    const infos: Record<string, Info> = {};
    const newTrades = sim.trades.slice(before).filter((t) => t.status === "executed").length;
    this.possibleAgents.forEach((a) => {
      const h = this.hubIndex.get(a)!;
      const r = results[h];
      observations[a] = driver.observe(h);
      rewards[a] = r.reward * this.options.rewardScale;
      terminations[a] = done;
      truncations[a] = false;
      infos[a] = { period, margin: r.margin, delay_cost: r.delayCost, money_net: r.moneyNet, profit: r.profit, trades_executed: newTrades };
    });
    if (done) this.agents = [];
    return { observations, rewards, terminations, truncations, infos };
  }

  close(): void {
    this.driver = undefined;
    this.agents = [];
  }

  /** The global state (PettingZoo's state()): every hub's observation, analytic hubs included, in hub order. */
  get stateSpace(): Box {
    const n = this.cfg.hubs.length;
    return (this.stateBox ??= new Box(
      Array.from({ length: n }, () => this.obsSpace.low).flat(),
      Array.from({ length: n }, () => this.obsSpace.high).flat(),
    ));
  }

  state(): Float32Array {
    if (!this.driver) throw new Error("HubTrading-v0: state() before reset()");
    return Float32Array.from(this.cfg.hubs.flatMap((_, h) => this.driver!.observe(h)));
  }

  private checkAgent(agent: string): void {
    if (!this.possibleAgents.includes(agent))
      throw new RangeError(`HubTrading-v0: unknown agent "${agent}" (agents: ${this.possibleAgents.join(", ")})`);
  }
}

register("HubTrading-v0", (options) => new HubTradingEnv(options), {
  description: "production hubs trading scarce resources (seed 000): each hub an agent scaling its bids and asks",
});
