import { z } from "zod";
import { Rng } from "../core/rng.js";
import { EpisodeReplay, type ReplayState } from "./episode-replay.js";
import { register } from "../core/registry.js";
import { Box } from "../core/spaces.js";
import type { EnvSpec, Info, ParallelEnv, ParallelResetResult, ParallelStepResult, ResetOptions } from "../core/types.js";
import { loadHubsConfig, resolveHubsConfig, withMechanism, type ResolvedHubsConfig } from "../hubs/config.js";
import { randomHubsConfig } from "../hubs/generate.js";
import { HubDriver } from "./hub-driver.js";
import { actionSpace, observationSpace } from "./hub-observation.js";
import { shortageForecastOptionsSchema, ShortagePredictor, SHORTAGE_FORECAST_DEFAULTS } from "../hubs/shortage-forecast.js";
import { ConfigError, nestConfigError, zodConfigError, type ConfigIssue } from "../io/errors.js";
import { boundedInt, LIMITS } from "../io/limits.js";
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
const ENV_ID = "HubTrading-v0";
const SOURCE = `${ENV_ID} options`;

/** The options of HubTrading-v0: one zod schema with the types, defaults and a text per field. */
export const hubTradingOptionsSchema = z.strictObject({
  /** A hubs config (docs/config.md): a file path or the JSON object. Default: a random scenario of `hubs` hubs and `periods` periods. */
  config: z
    .union([z.string().min(1, "must not be empty"), z.record(z.string(), z.unknown())], {
      error: "must be a file path or a hubs config object",
    })
    .optional()
    .describe(
      "A hubs config (docs/config.md): a file path or the JSON object. Default: a random scenario of `hubs` hubs and `periods` periods.",
    ),
  /** Mechanism fields replacing the config's (e.g. `{ "kind": "vcg" }`; docs/hubs.md "Trading mechanism"), so one scenario can be run under each mechanism. Default: the config's mechanism. */
  mechanism: z
    .record(z.string(), z.unknown(), { error: "must be an object of mechanism fields" })
    .optional()
    .describe(
      'Mechanism fields replacing the config\'s (e.g. `{ "kind": "vcg" }`; docs/hubs.md "Trading mechanism"), so one scenario can be run under each mechanism. Default: the config\'s mechanism.',
    ),
  /** Hubs in the random default scenario (ignored with `config`). */
  hubs: boundedInt(2, LIMITS.agents).default(4).describe("Hubs in the random default scenario (ignored with `config`)."),
  /** Periods in the random default scenario (ignored with `config`). */
  periods: boundedInt(1, LIMITS.periods).default(12).describe("Periods in the random default scenario (ignored with `config`)."),
  /** Seed of the random default scenario's hubs (each episode's shortages use the reset seed). */
  scenarioSeed: z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .default(0)
    .describe("Seed of the random default scenario's hubs (each episode's shortages use the reset seed)."),
  /** Rewards are multiplied by this (profits are in money units, often 1e5-1e6 per period). */
  rewardScale: z
    .number({ error: "must be a number" })
    .gt(0, "must be > 0")
    .default(1e-5)
    .describe("Rewards are multiplied by this (profits are in money units, often 1e5-1e6 per period)."),
  /** Hub ids that are agents (learned); the other hubs are analytic (state their true values). Default: every hub. */
  learned: z
    .array(z.string().min(1, "must not be empty"))
    .min(1, "must list at least one hub id")
    .optional()
    .describe("Hub ids that are agents (learned); the other hubs are analytic (state their true values). Default: every hub."),
  /** How the predicted cut in the observations is made (a partial object is completed from the defaults). */
  shortageForecast: shortageForecastOptionsSchema
    .default(SHORTAGE_FORECAST_DEFAULTS)
    .describe("How the predicted cut in the observations is made (a partial object is completed from the defaults)."),
});

/** HubTrading-v0's options as given (see {@link hubTradingOptionsSchema}). */
export type HubTradingOptionsInput = z.input<typeof hubTradingOptionsSchema>;
/** HubTrading-v0's options with the defaults filled in. */
export type HubTradingOptions = z.output<typeof hubTradingOptionsSchema>;

export const HUB_TRADING_DEFAULTS: HubTradingOptions = hubTradingOptionsSchema.parse({});

/**
 * Validate the options, fill the defaults and resolve the hubs config. Every problem is a ConfigError of the
 * document `HubTrading-v0 options` naming the option's path (an inline config's issues under `config.`); a config
 * file's own problems name that file.
 */
export function resolveHubTradingOptions(options: Record<string, unknown>): HubTradingOptions & { cfg: ResolvedHubsConfig } {
  const parsed = hubTradingOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw zodConfigError(SOURCE, parsed.error);
  const o = parsed.data;
  let cfg: ResolvedHubsConfig;
  if (typeof o.config === "string") cfg = loadHubsConfig(o.config);
  else if (o.config !== undefined) {
    try {
      cfg = resolveHubsConfig(o.config, SOURCE);
    } catch (err) {
      if (err instanceof ConfigError && err.file === SOURCE) throw nestConfigError(err, SOURCE, "config");
      throw err;
    }
  } else cfg = randomHubsConfig({ hubs: o.hubs, periods: o.periods, seed: o.scenarioSeed });
  if (o.mechanism !== undefined) {
    try {
      cfg = withMechanism(cfg, o.mechanism, SOURCE);
    } catch (err) {
      if (err instanceof ConfigError && err.file === SOURCE) throw nestConfigError(err, SOURCE, "mechanism");
      throw err;
    }
  }
  if (o.learned !== undefined) {
    const ids = cfg.hubs.map((h) => h.id);
    const issues: ConfigIssue[] = [];
    const seen = new Set<string>();
    o.learned.forEach((a, j) => {
      if (!ids.includes(a)) issues.push({ path: `learned[${j}]`, message: `unknown hub "${a}" (hubs: ${ids.join(", ")})` });
      else if (seen.has(a)) issues.push({ path: `learned[${j}]`, message: `hub "${a}" listed twice` });
      seen.add(a);
    });
    if (issues.length > 0) throw new ConfigError(SOURCE, issues);
  }
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
    try {
      this.predictor = new ShortagePredictor(cfg, o.shortageForecast);
    } catch (err) {
      // a cross-field rule (forecaster vs fitPeriods) of the nested shortage-forecast options
      if (err instanceof ConfigError && err.file === "shortage forecast options") throw nestConfigError(err, SOURCE, "shortageForecast");
      throw err;
    }
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
