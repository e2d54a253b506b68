import { z } from "zod";
import { register } from "../core/registry.js";
import { Box } from "../core/spaces.js";
import type { Env, EnvSpec, Info, Policy, ResetOptions, ResetResult, StepResult } from "../core/types.js";
import { Rng } from "../core/rng.js";
import { EpisodeReplay, type ReplayState } from "./episode-replay.js";
import { ConfigError, zodConfigError } from "../io/errors.js";
import {
  parseNegotiationConfig,
  CONTRACT_TYPES,
  type DemandSpec,
  type NegotiationConfig,
  type NegotiationSettings,
} from "../contracts/config.js";
import { drawDemand } from "../contracts/demand.js";
import { generateConfig } from "../contracts/generate.js";
import { productionCost } from "../contracts/model.js";
import { AGREED, NegotiationEngine, OPEN } from "../contracts/negotiation.js";
import { dealsFromEngine, settle, type NegotiationOutcome } from "../contracts/outcome.js";
import { PAPER_CONFIG } from "../contracts/paper.js";

/**
 * Options of ContractNegotiation-v0 and ContractNegotiationParallel-v0 (the episode logic both share).
 * Prices in actions and observations are in units of the retail price R; quantities in units of the total
 * maximal capacity sum CM; rewards in units of R x ordered quantity.
 */
export interface ContractEnvOptions {
  /** A negotiation config (the `supplygym negotiate` file format); default the paper setting. */
  config?: unknown;
  /** Overrides of config.negotiation (deadline, check, contract, buybackFraction). */
  negotiation?: Partial<NegotiationSettings>;
  /** Override of config.demand: `{type: "normal", std}` makes demand stochastic around config.retailer.demand. */
  demand?: DemandSpec;
  /** Draw a fresh random instance with this many subcontractors at every reset instead of config's. */
  randomInstances?: number;
  /** "sparse": profit at the end; "shaped": each contract's provisional profit when signed, the rest at the end. */
  reward?: "sparse" | "shaped";
  /**
   * How a learner's action in [0, 1] becomes a price (`ContractEpisode.retailerOffer`, `subPrice`): "absolute"
   * (default): the fraction of R; "bounded": the same fraction of one's individually rational range (the retailer's
   * [0, R - c_R], a seller's [average cost, R]); "relative": a move from the counterpart's last price towards one's
   * own bound, within that range (docs/contracts.md "Learned negotiators").
   */
  actions?: ActionMode;
}

export const ACTION_MODES = ["absolute", "bounded", "relative"] as const;
export type ActionMode = (typeof ACTION_MODES)[number];

export const DEFAULT_CONTRACT_ENV_OPTIONS = { reward: "sparse" as const, actions: "absolute" as const };

export interface ResolvedContractEnvOptions {
  config: NegotiationConfig;
  randomInstances: number | null;
  reward: "sparse" | "shaped";
  actions: ActionMode;
}

/** The options of the contracts envs: types, defaults and a text per field (docs/config.md). */
export const contractEnvOptionsSchema = z.strictObject({
  /** A contracts config (docs/config.md, "Contracts config"; the `supplygym negotiate` format); default the paper setting. */
  config: z
    .unknown()
    .optional()
    .describe('A contracts config (docs/config.md, "Contracts config"; the `supplygym negotiate` format); default the paper setting.'),
  /** Overrides of config.negotiation. */
  negotiation: z
    .strictObject({
      /** Rounds of the iterated contract net (>= 2). */
      deadline: z.number().int().min(2).optional().describe("Rounds of the iterated contract net (>= 2)."),
      /** Run the quantity-efficiency check on the allocation. */
      check: z.boolean().optional().describe("Run the quantity-efficiency check on the allocation."),
      /** Wholesale-price or buy-back contracts. */
      contract: z.enum(CONTRACT_TYPES).optional().describe("Wholesale-price or buy-back contracts."),
      /** Buy-back price as a fraction of the wholesale price. */
      buybackFraction: z.number().min(0).max(1).optional().describe("Buy-back price as a fraction of the wholesale price."),
    })
    .optional()
    .describe("Overrides of config.negotiation."),
  /** Override of config.demand: { "type": "normal", "std": s } or { "type": "uniform", "halfWidth": h } makes demand stochastic around config.retailer.demand. */
  demand: z
    .unknown()
    .optional()
    .describe(
      'Override of config.demand: { "type": "normal", "std": s } or { "type": "uniform", "halfWidth": h } makes demand stochastic around config.retailer.demand.',
    ),
  /** Draw a fresh random instance with this many subcontractors at every reset instead of config's. */
  randomInstances: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("Draw a fresh random instance with this many subcontractors at every reset instead of config's."),
  /** "sparse": profit at the end; "shaped": each contract's provisional profit when signed, the rest at the end. */
  reward: z
    .enum(["sparse", "shaped"])
    .default(DEFAULT_CONTRACT_ENV_OPTIONS.reward)
    .describe('"sparse": profit at the end; "shaped": each contract\'s provisional profit when signed, the rest at the end.'),
  /** How a learner's action becomes a price: "absolute" (a fraction of R), "bounded" (a fraction of its individually rational range), "relative" (a move from the counterpart's last price within that range; docs/contracts.md "Learned negotiators"). */
  actions: z
    .enum(ACTION_MODES)
    .default(DEFAULT_CONTRACT_ENV_OPTIONS.actions)
    .describe(
      'How a learner\'s action becomes a price: "absolute" (a fraction of R), "bounded" (a fraction of its individually rational range), "relative" (a move from the counterpart\'s last price within that range; docs/contracts.md "Learned negotiators").',
    ),
});

/** Validate the options; errors are ConfigErrors naming `<envId> options` and the field. */
export function resolveContractEnvOptions(options: Record<string, unknown>, envId: string): ResolvedContractEnvOptions {
  const source = `${envId} options`;
  const parsed = contractEnvOptionsSchema.safeParse(options);
  if (!parsed.success) throw zodConfigError(source, parsed.error);
  const o = parsed.data;
  const base = (o.config ?? PAPER_CONFIG) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  if (o.negotiation) merged.negotiation = { ...(base.negotiation as object | undefined), ...o.negotiation };
  if (o.demand !== undefined) merged.demand = o.demand;
  let config: NegotiationConfig;
  try {
    config = parseNegotiationConfig(merged, source);
  } catch (err) {
    if (err instanceof ConfigError && o.config !== undefined) {
      throw new ConfigError(
        source,
        err.issues.map((i) => ({
          ...i,
          path: i.path.startsWith("negotiation") || i.path.startsWith("demand") ? i.path : `config.${i.path}`,
        })),
      );
    }
    throw err;
  }
  return { config, randomInstances: o.randomInstances ?? null, reward: o.reward, actions: o.actions };
}

/** Retailer observation: 3 global features then 7 per subcontractor. */
export const RETAILER_GLOBAL_FEATURES = 3;
export const RETAILER_SUB_FEATURES = 7;
/** Subcontractor observation length. */
export const SUB_FEATURES = 10;
/** Prices are observed as price / R, clipped to [0, PRICE_CAP]. */
export const PRICE_CAP = 2;

/**
 * The retailer's observation space for n subcontractors (see `ContractEpisode.retailerObservation`): every feature
 * in [0, 1] except each subcontractor's last proposal and last offer (price / R, in [0, PRICE_CAP]). Shared by
 * ContractNegotiation-v0 and ContractNegotiationParallel-v0.
 */
export function retailerObservationSpace(n: number): Box {
  const high = new Array<number>(RETAILER_GLOBAL_FEATURES + RETAILER_SUB_FEATURES * n).fill(1);
  for (let i = 0; i < n; i++) {
    const k = RETAILER_GLOBAL_FEATURES + RETAILER_SUB_FEATURES * i;
    high[k + 5] = PRICE_CAP;
    high[k + 6] = PRICE_CAP;
  }
  return new Box(0, high);
}

const clipPrice = (p: number, R: number) => (p === p ? Math.min(PRICE_CAP, Math.max(0, p / R)) : 0);

/**
 * What a scripted agent (a registered strategy, src/agents) sees and does in the contracts envs: the protocol's own
 * quantities in money and units, unnormalised and unclipped, so that an analytic tactic played as a policy computes
 * exactly the numbers the engine's analytic agent does. The agent decides at its turn in the protocol: the retailer
 * before its cfps of the round, a subcontractor after them (its view holds the offer it answers).
 *
 * Retailer view: RETAILER_VIEW_GLOBAL numbers [round about to be played, deadline, quantity ordered, retail price R,
 * unit cost c_R, configured openingFraction, configured beta], then RETAILER_VIEW_SUB per subcontractor [open,
 * agreed, CN, CM, quantity asked, its last proposal price, the last offer to it] (-1 where there is none yet).
 * Action: the offer (unit price) to each subcontractor, >= 0 (entries for closed conversations are ignored).
 *
 * Subcontractor view: SUB_VIEW numbers [round, deadline, open, quantity asked, CN, CM, c, e, reservation price of
 * the asked quantity (its average cost), this round's offer, last round's offer, its own last price, configured
 * markup, configured beta (0 for tit-for-tat), configured patience] (-1 where there is none yet). Action: its
 * proposal price (unit price); a negative price refuses (walks away).
 */
export const RETAILER_VIEW_GLOBAL = 7;
export const RETAILER_VIEW_SUB = 7;
export const SUB_VIEW = 15;
/** "None yet" in a strategy view (a price or offer before the first round). */
export const NONE = -1;

export function retailerStrategySpaces(n: number): { observationSpace: Box; actionSpace: Box } {
  return {
    observationSpace: new Box(NONE, Infinity, [RETAILER_VIEW_GLOBAL + RETAILER_VIEW_SUB * n]),
    actionSpace: new Box(0, Infinity, [n]),
  };
}

export function subStrategySpaces(): { observationSpace: Box; actionSpace: Box } {
  return { observationSpace: new Box(NONE, Infinity, [SUB_VIEW]), actionSpace: new Box(-Infinity, Infinity, [1]) };
}

const orNone = (v: number) => (v === v ? v : NONE);

/**
 * One negotiation episode around a NegotiationEngine: instance and demand draws, observations, normalised rewards.
 * Actor 0 is the retailer, actor 1 + i subcontractor i.
 */
export class ContractEpisode {
  readonly opts: ResolvedContractEnvOptions;
  readonly n: number;
  cfg: NegotiationConfig;
  engine: NegotiationEngine;
  rng: Rng;
  /** Realised demand of this episode (known to nobody until the end). */
  demand = 0;
  /** The retailer's forecast = the quantity it orders. */
  forecast = 0;
  /** Total maximal capacity: the quantity unit. */
  capacity = 1;
  outcome: NegotiationOutcome | null = null;
  started = false;
  readonly offers: Float64Array;
  readonly prices: Float64Array;
  private readonly credited: Float64Array;
  /** Scripted agents (strategies): actor 0 the retailer, 1 + i subcontractor i; see `script`. */
  private readonly scripted: (Policy | undefined)[];
  private anyScripted = false;
  private readonly scriptOffers: Float64Array;
  private readonly scriptPrices: Float64Array;

  constructor(opts: ResolvedContractEnvOptions) {
    this.opts = opts;
    this.cfg = opts.randomInstances ? generateConfig(0, { n: opts.randomInstances, negotiation: opts.config.negotiation }) : opts.config;
    this.n = this.cfg.subcontractors.length;
    this.engine = new NegotiationEngine(this.cfg);
    this.rng = new Rng(0);
    this.offers = new Float64Array(this.n);
    this.prices = new Float64Array(this.n);
    this.credited = new Float64Array(this.n + 1);
    this.scripted = new Array(this.n + 1).fill(undefined);
    this.scriptOffers = new Float64Array(this.n);
    this.scriptPrices = new Float64Array(this.n);
  }

  /**
   * Let `policy` play actor `actor` (0 the retailer, 1 + i subcontractor i) in protocol order: in every round
   * `play` asks the retailer's policy for its offers (from `retailerView()`) before the cfps, and each open
   * subcontractor's policy for its price (from `subView(i)`, which then holds this round's offer) after them.
   * A scripted actor overrides what `play` is given for it. Policies act deterministically.
   */
  script(actor: number, policy: Policy): void {
    if (!(actor >= 0 && actor <= this.n)) throw new RangeError(`ContractEpisode.script: actor ${actor} outside [0, ${this.n}]`);
    this.scripted[actor] = policy;
    this.anyScripted = true;
  }

  get deadline(): number {
    return this.cfg.negotiation.deadline;
  }

  get stochastic(): boolean {
    return this.cfg.demand.type !== "fixed";
  }

  /**
   * Start an episode. With a seed, the episode matches `runNegotiations` negotiation k when
   * seed = deriveSeed(base, "contracts", k) (= that outcome's `seed`): same instance (randomInstances) and demand.
   */
  reset(seed?: number): void {
    if (seed !== undefined) this.rng = new Rng(seed);
    if (this.opts.randomInstances) {
      const instanceSeed = seed ?? this.rng.seed();
      const c = generateConfig(instanceSeed, { n: this.opts.randomInstances, negotiation: this.opts.config.negotiation });
      this.cfg = { ...c, demand: this.opts.config.demand };
      this.engine.load(this.cfg);
    }
    this.forecast = this.cfg.retailer.demand;
    this.demand = drawDemand(this.cfg.demand, this.forecast, this.rng);
    let cm = 0;
    for (const s of this.cfg.subcontractors) cm += s.maxCapacity;
    this.capacity = cm;
    this.engine.reset(this.forecast);
    this.outcome = null;
    this.credited.fill(0);
    this.started = true;
  }

  /** Reward unit: R x ordered quantity. */
  get rewardScale(): number {
    return this.cfg.retailer.retailPrice * this.forecast;
  }

  /**
   * Play one round with learned offers and/or prices (null or NaN entries: the analytic agent). Writes each actor's
   * reward for the round into `rewards` (length n + 1) and returns true when the negotiation is over.
   */
  play(offers: Float64Array | null, prices: Float64Array | null, rewards: Float64Array): boolean {
    const e = this.engine;
    const before = e.round;
    const done = this.anyScripted ? this.playScripted(offers, prices) : e.playRound(offers, prices);
    rewards.fill(0);
    const scale = this.rewardScale;
    if (this.opts.reward === "shaped") {
      const margin = this.cfg.retailer.retailPrice - this.cfg.retailer.unitCost;
      for (let i = 0; i < this.n; i++) {
        if (e.status[i] !== AGREED || e.agreedRound[i] <= before) continue;
        const w = e.agreedPrice[i];
        const q = e.agreedQty[i];
        const r0 = ((margin - w) * q) / scale;
        const ri = (w * q - productionCost(this.cfg.subcontractors[i], q)) / scale;
        rewards[0] += r0;
        rewards[1 + i] += ri;
        this.credited[0] += r0;
        this.credited[1 + i] += ri;
      }
    }
    if (done) {
      const o = settle(this.cfg, dealsFromEngine(e), this.demand, { seed: 0, condition: "env" });
      this.outcome = o;
      rewards[0] += o.retailerProfit / scale - this.credited[0];
      for (let i = 0; i < this.n; i++) rewards[1 + i] += o.subcontractorProfit[i] / scale - this.credited[1 + i];
    }
    return done;
  }

  /**
   * The retailer's offer to subcontractor i for a learner's action a in [0, 1]. "absolute": a R. "bounded": a M
   * with M = R - c_R. "relative": with M and ref = i's last proposal clamped to [0, M] (M / 2 before any), u = 2a - 1 moves from ref up to M
   * (u > 0) or down to 0 (u < 0): offer = ref + u (M - ref) or ref (1 + u). So a = 1/2 offers what i last asked, and
   * no offer exceeds the retailer's margin.
   */
  retailerOffer(i: number, a: number): number {
    const R = this.cfg.retailer.retailPrice;
    if (this.opts.actions === "absolute") return a * R;
    const M = R - this.cfg.retailer.unitCost;
    if (this.opts.actions === "bounded") return a * M;
    const last = this.engine.price[i];
    const ref = last === last ? Math.min(M, Math.max(0, last)) : M / 2;
    const u = 2 * a - 1;
    return u >= 0 ? ref + u * (M - ref) : ref * (1 + u);
  }

  /**
   * Subcontractor i's proposal price for a learner's action a in [0, 1]. "absolute": a R. "bounded": r + a (R - r)
   * with its reservation r (average cost of the quantity asked). "relative": with r and ref = the retailer's last offer clamped to [r, R]
   * ((r + R) / 2 before any), u = 2a - 1 moves from ref up to R (u > 0) or down to r (u < 0). So a = 1/2 asks what
   * the retailer last offered, and no price is below the seller's average cost.
   */
  subPrice(i: number, a: number): number {
    const R = this.cfg.retailer.retailPrice;
    if (this.opts.actions === "absolute") return a * R;
    const r = this.engine.reservation(i);
    if (this.opts.actions === "bounded") return r + a * (R - r);
    const last = this.engine.offer[i];
    const ref = last === last ? Math.min(R, Math.max(r, last)) : (r + R) / 2;
    const u = 2 * a - 1;
    return u >= 0 ? ref + u * (R - ref) : ref + u * (ref - r);
  }

  /** One round with the scripted actors deciding at their turn (see `script`). */
  private playScripted(offers: Float64Array | null, prices: Float64Array | null): boolean {
    const e = this.engine;
    const det = { deterministic: true };
    const retailer = this.scripted[0];
    if (retailer) {
      const a = retailer.act(this.retailerView(), det) as number[];
      for (let i = 0; i < this.n; i++) this.scriptOffers[i] = a[i];
      offers = this.scriptOffers;
    }
    e.openRound(offers);
    let subs = false;
    for (let i = 0; i < this.n; i++) if (this.scripted[1 + i]) subs = true;
    if (subs) {
      const out = this.scriptPrices;
      for (let i = 0; i < this.n; i++) {
        const p = this.scripted[1 + i];
        out[i] = p && e.status[i] === OPEN ? (p.act(this.subView(i), det) as number[])[0] : prices ? prices[i] : NaN;
      }
      prices = out;
    }
    return e.closeRound(prices);
  }

  /** The retailer's strategy view before the cfps of the next round (see `retailerStrategySpaces`). */
  retailerView(): number[] {
    const e = this.engine;
    const r = this.cfg.retailer;
    const out = [e.round + 1, this.deadline, e.quantity, r.retailPrice, r.unitCost, r.openingFraction, r.beta];
    for (let i = 0; i < this.n; i++) {
      out.push(
        e.status[i] === OPEN ? 1 : 0,
        e.status[i] === AGREED ? 1 : 0,
        e.cn[i],
        e.cm[i],
        e.asked[i],
        orNone(e.price[i]),
        orNone(e.offer[i]),
      );
    }
    return out;
  }

  /** Subcontractor i's strategy view at its turn (after this round's cfp; see `subStrategySpaces`). */
  subView(i: number): number[] {
    const e = this.engine;
    const beta = e.beta[i];
    return [
      e.round,
      this.deadline,
      e.status[i] === OPEN ? 1 : 0,
      e.asked[i],
      e.cn[i],
      e.cm[i],
      e.c[i],
      e.e[i],
      e.reservation(i),
      orNone(e.offer[i]),
      orNone(e.prevOffer[i]),
      orNone(e.price[i]),
      e.markup[i],
      beta === beta ? beta : 0,
      e.patience[i],
    ];
  }

  retailerObservation(): number[] {
    const e = this.engine;
    const R = this.cfg.retailer.retailPrice;
    const K = this.capacity;
    const obs = new Array<number>(RETAILER_GLOBAL_FEATURES + RETAILER_SUB_FEATURES * this.n);
    obs[0] = e.round / this.deadline;
    obs[1] = Math.min(1, this.forecast / K);
    obs[2] = (R - this.cfg.retailer.unitCost) / R;
    for (let i = 0; i < this.n; i++) {
      const k = RETAILER_GLOBAL_FEATURES + RETAILER_SUB_FEATURES * i;
      const open = e.status[i] === OPEN;
      obs[k] = open ? 1 : 0;
      obs[k + 1] = e.status[i] === AGREED ? 1 : 0;
      obs[k + 2] = e.cn[i] / K;
      obs[k + 3] = e.cm[i] / K;
      obs[k + 4] = open ? e.asked[i] / K : 0;
      obs[k + 5] = clipPrice(e.price[i], R);
      obs[k + 6] = clipPrice(e.offer[i], R);
    }
    return obs;
  }

  subObservation(i: number): number[] {
    const e = this.engine;
    const R = this.cfg.retailer.retailPrice;
    const open = e.status[i] === OPEN;
    const q = open ? e.asked[i] : e.agreedQty[i];
    return [
      e.round / this.deadline,
      open ? 1 : 0,
      e.status[i] === AGREED ? 1 : 0,
      Math.min(1, q / e.cm[i]),
      e.cn[i] / e.cm[i],
      Math.min(PRICE_CAP, e.c[i] / R),
      Math.min(PRICE_CAP, e.e[i] / R),
      Math.min(PRICE_CAP, e.reservation(i, q) / R),
      clipPrice(e.offer[i], R),
      clipPrice(e.price[i], R),
    ];
  }
}

/**
 * ContractNegotiation-v0: a learned retailer against analytic subcontractors (docs/model.md B, seed 004).
 *
 * Each step is one round of the Iterated Contract Net. Action: Box [0, 1]^n, the retailer's offer to each
 * subcontractor as a fraction of R, or as option `actions` maps it (entries for closed conversations are ignored); a proposal at or below the offer
 * is accepted. Round 1 is the capacity quote, after which the retailer's allocation rule (with or without
 * checkQuantityEfficiency(), option negotiation.check) fixes the quantities. Observation: Box of 3 + 7n numbers
 * [round / deadline, forecast / sum CM, (R - c_R) / R, then per subcontractor: open, agreed, CN / sum CM,
 * CM / sum CM, quantity asked / sum CM, its last proposal / R, the last offer / R] (prices clipped to [0, 2]).
 * Reward: the retailer's profit / (R x ordered quantity), at the end ("sparse", default) or as each contract is
 * signed with the rest at the end ("shaped"; same total). The episode terminates at the deadline or when every
 * conversation is closed; info.outcome holds the NegotiationOutcome at the end.
 */
export class ContractNegotiationEnv implements Env<number[], number[]> {
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  spec?: EnvSpec;
  readonly episode: ContractEpisode;
  private over = false;
  private readonly rewards: Float64Array;
  private readonly replay = new EpisodeReplay<number[]>();

  constructor(options: ContractEnvOptions = {}) {
    this.episode = new ContractEpisode(resolveContractEnvOptions(options as Record<string, unknown>, "ContractNegotiation-v0"));
    const n = this.episode.n;
    this.observationSpace = retailerObservationSpace(n);
    this.actionSpace = new Box(0, 1, [n]);
    this.rewards = new Float64Array(n + 1);
  }

  reset(opts: ResetOptions = {}): ResetResult<number[]> {
    this.replay.onReset(this.episode.rng, opts.seed);
    this.episode.reset(opts.seed);
    this.over = false;
    return { observation: this.episode.retailerObservation(), info: this.info() };
  }

  /** The env's state for an exact resume: the RNG and the current episode's start and actions (replayed). */
  getState(): ReplayState<number[]> {
    return this.replay.state(this.episode.rng);
  }

  setState(s: ReplayState<number[]>): void {
    EpisodeReplay.restore(s, { setRng: (r) => (this.episode.rng = r), reset: (seed) => this.reset({ seed }), step: (a) => this.step(a) });
  }

  step(action: number[]): StepResult<number[]> {
    const ep = this.episode;
    if (!ep.started) throw new Error("ContractNegotiation-v0: step() before reset()");
    if (this.over) throw new Error("ContractNegotiation-v0: step() after the episode ended; call reset()");
    const why = this.actionSpace.explain(action);
    if (why) throw new RangeError(`ContractNegotiation-v0: action not in the action space: ${why}`);
    this.replay.onStep(action);
    for (let i = 0; i < ep.n; i++) ep.offers[i] = ep.retailerOffer(i, action[i]);
    const done = ep.play(ep.offers, null, this.rewards);
    this.over = done;
    const info = this.info();
    if (done) info.outcome = ep.outcome;
    return { observation: ep.retailerObservation(), reward: this.rewards[0], terminated: done, truncated: false, info };
  }

  close(): void {
    this.over = true;
  }

  private info(): Info {
    const ep = this.episode;
    return { round: ep.engine.round, forecast: ep.forecast, stochasticDemand: ep.stochastic, messages: ep.engine.log.length };
  }
}

register("ContractNegotiation-v0", (options) => new ContractNegotiationEnv(options as ContractEnvOptions), {
  description: "a learned retailer bargains wholesale-price (or buy-back) contracts with analytic subcontractors (seed 004)",
});
