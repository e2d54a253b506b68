import { deriveSeed, Rng, type RngState } from "../core/rng.js";
import { Box, Dict, explainSpace } from "../core/spaces.js";
import type { Forecast, Forecaster } from "../demand/forecaster.js";
import { makeForecaster } from "../demand/make-forecaster.js";
import { DemandProcess } from "../demand/process.js";
import { historyColumn } from "../demand/replay.js";
import { EquilibriumSolver, type SolverWarmState } from "../market/equilibrium.js";
import { withoutBudgets } from "../market/first-best.js";
import { bidOf, iterateBestResponses, setBid, type BidProfile } from "../market/best-bid.js";
import type { MaximizeOptions } from "../market/optimize.js";
import { outsideConsumerSurplus, outsideProducerSurplus } from "../market/welfare.js";
import type { CompiledMarket } from "../market/spec.js";
import {
  MAX_DEMAND_SCALE,
  MIN_BID_FRACTION,
  optionsError,
  resolveMarketBiddingOptions,
  type ResolvedMarketBiddingOptions,
} from "./market-bidding-options.js";

/**
 * The simulation behind `MarketBidding-v0` and `MarketBiddingParallel-v0` (docs/model.md section A, "Over time" and
 * "Strategic bidding"). One step is one trading period:
 *   1. every learned agent commits its bid — per good a demand scale and a withholding fraction (and, with
 *      inventory, a release fraction of its stock) — knowing last period's outcome and the forecasts of outside
 *      demand, but not this period's demand;
 *   2. this period's outside demand scale alpha_t of each final good is revealed (drawn from the demand process
 *      or read from the replayed CSV);
 *   3. the market clears at the equilibrium of all bids (analytic agents bid truthfully), warm-started from the
 *      last period; the all-analytic counterfactual with the same alpha_t is cleared by a second solver;
 *   4. rewards are the learned agents' profits of the period (minus inventory holding cost); the forecasters
 *      observe alpha_t and forecast the next H periods.
 */

/** What a learned agent sees (all Box values are fresh `number[]` each step). */
export interface MarketBiddingObservation {
  /** Last period's prices: its G input markets, then its G output markets. */
  prices: number[];
  /** Last period's traded quantities in the same markets. */
  quantities: number[];
  /** Its profit last period (after holding cost). */
  profit: number[];
  /** Its budget (Cmax). */
  budget: number[];
  /** Forecasts of each final good's outside demand scale for this period and the next H-1: index g*H + h-1. */
  forecastPoint: number[];
  forecastLower: number[];
  forecastUpper: number[];
  /** sin and cos of the season's phase of this period (0, 0 without seasonality). */
  phase: number[];
  /** Only with inventory: its stock of each output good. */
  inventory?: number[];
}

/** Names of the action entries of an agent (for error messages and docs). */
export function actionNames(G: number, inventory: boolean): string[] {
  const names: string[] = [];
  for (let j = 0; j < G; j++) names.push(`demandScale[${j}]`);
  for (let j = 0; j < G; j++) names.push(`withhold[${j}]`);
  if (inventory) for (let j = 0; j < G; j++) names.push(`release[${j}]`);
  return names;
}

export interface PeriodOutcome {
  period: number;
  demandAlpha: number[];
  prices: number[];
  quantities: number[];
  profits: number[];
  totalSurplus: number;
  /** Absent when the option `counterfactual` is false. */
  counterfactual?: { prices: number[]; quantities: number[]; profits: number[]; totalSurplus: number };
  /**
   * The first best of the period (the same market with budgets removed, every bid truthful, the same demand
   * draw): the surplus maximum (docs/market-benchmarks.md). Absent when `counterfactual` is false.
   */
  firstBest?: { prices: number[]; quantities: number[]; profits: number[]; totalSurplus: number };
  /** totalSurplus / counterfactual.totalSurplus: surplus relative to the competitive equilibrium (second best with binding budgets; the efficiency is totalSurplus / firstBest.totalSurplus). */
  efficiency?: number;
  solverIterations: number;
  /**
   * Present when some agents respond within the period (see `MarketBiddingCore.setResponder`): their bids were
   * chosen after the others', by iterated best responses on the planning model; whether the iteration reached a
   * fixed point (every responder best-responding to the others) within its cap of rounds.
   */
  responses?: { agents: string[]; rounds: number; converged: boolean; lastChange: number; evaluations: number };
}

/**
 * An agent whose bid is chosen inside the period, after every other agent has committed its bid: a best response
 * (market/best-bid.ts) to the others' bids on the market model, for what it knows of this period's outside
 * demand. Several responders iterate best responses to a fixed point or `maxRounds` (the bidding game's static
 * Nash equilibrium among them).
 */
export interface ResponderSpec {
  /** "forecast": the point forecast of this period's outside demand (what a bidder knows); "oracle": the true draw. */
  demand: "forecast" | "oracle";
  /** Optimiser settings (market/optimize.ts): evaluations per decision, starts, seed. */
  search: MaximizeOptions;
  /** Cap on best-response rounds when several agents respond (default 20). */
  maxRounds?: number;
  /** A round that moves no bid by more than this is a fixed point (default 1e-3). */
  tolerance?: number;
}

/** What {@link MarketBiddingCore.getState} saves (plain JSON). */
export interface MarketBiddingCoreState {
  rng: RngState;
  started: boolean;
  path: number[];
  t: number;
  live: boolean;
  stock: number[];
  lastPrices: number[];
  lastQuantities: number[];
  lastAgentProfit: number[];
  solver: SolverWarmState;
  analytic: SolverWarmState;
  /** The first-best solver's warm start (absent in states saved before it existed). */
  firstBest?: SolverWarmState;
  /** With responders: the planning solver's warm start and each responder's last answer. */
  planner?: SolverWarmState;
  lastResponse?: [number, number[]][];
}

/**
 * The shared engine: options, demand, forecasts, clearing and accounting for a set of learned agents.
 * Hot path: no big allocations per step (solvers clear in place; only the small result arrays are new).
 */
export class MarketBiddingCore {
  readonly opts: ResolvedMarketBiddingOptions;
  readonly market: CompiledMarket;
  readonly G: number;
  readonly learned: readonly number[];
  readonly actionSpace: Box;
  readonly observationSpace: Dict;
  readonly actionNames: string[];

  private readonly solver: EquilibriumSolver;
  private readonly analytic: EquilibriumSolver;
  private readonly firstBest: EquilibriumSolver;
  private readonly firstBestStart: Float64Array;
  private readonly startPrices: Float64Array;
  private readonly forecasters: Forecaster[];
  private readonly forecastBuf: Forecast[];
  private readonly scale: Float64Array;
  private readonly withhold: Float64Array;
  private readonly baseWithhold: Float64Array;
  private readonly release: Float64Array;
  private readonly stock: Float64Array;
  private readonly profitBuf: Float64Array;
  private readonly cfProfitBuf: Float64Array;
  private readonly alpha: Float64Array;
  private readonly lastPrices: Float64Array;
  private readonly lastQuantities: Float64Array;
  private readonly lastAgentProfit: Float64Array;
  private readonly responders = new Map<number, ResponderSpec>();
  private readonly lastResponse = new Map<number, number[]>();
  private planner: EquilibriumSolver | null = null;
  /** alpha per period of the episode window: [warmup + episodeLength][G]. */
  private path: Float64Array;
  private rng: Rng;
  t = 0;
  live = false;
  /** Whether an episode was ever started (the forecasters hold one). */
  private started = false;
  private holdingCost: Float64Array;

  constructor(envId: string, options: Record<string, unknown>, mode: "single" | "parallel") {
    this.opts = resolveMarketBiddingOptions(envId, options, mode);
    const o = this.opts;
    this.market = o.market;
    this.G = o.market.G;
    this.learned = o.learned;
    const G = this.G;
    const nA = o.market.nAgents;
    this.solver = new EquilibriumSolver(o.market, o.solver);
    this.analytic = new EquilibriumSolver(o.market, o.solver);
    this.startPrices = Float64Array.from(this.solver.solve().prices);
    this.firstBest = new EquilibriumSolver(withoutBudgets(o.market), o.solver);
    this.firstBestStart = Float64Array.from(this.firstBest.solve().prices);
    this.scale = new Float64Array(nA * G).fill(1);
    this.withhold = new Float64Array(nA * G);
    this.baseWithhold = new Float64Array(nA * G);
    this.release = new Float64Array(nA * G);
    this.stock = new Float64Array(nA * G);
    this.profitBuf = new Float64Array(nA);
    this.cfProfitBuf = new Float64Array(nA);
    this.holdingCost = new Float64Array(nA);
    this.alpha = new Float64Array(G);
    this.lastPrices = new Float64Array(o.market.nMarkets);
    this.lastQuantities = new Float64Array(o.market.nMarkets);
    this.lastAgentProfit = new Float64Array(nA);
    this.path = new Float64Array((o.warmup + o.episodeLength) * G);
    this.rng = new Rng(o.seed);

    const inv = o.inventory !== null;
    this.actionNames = actionNames(G, inv);
    const low = [...new Array<number>(2 * G).fill(0), ...(inv ? new Array<number>(G).fill(0) : [])];
    const high = [
      ...new Array<number>(G).fill(MAX_DEMAND_SCALE),
      ...new Array<number>(G).fill(1),
      ...(inv ? new Array<number>(G).fill(1) : []),
    ];
    this.actionSpace = new Box(low, high);
    const H = o.horizon;
    const spaces: Record<string, Box> = {
      prices: new Box(0, Infinity, [2 * G]),
      quantities: new Box(0, Infinity, [2 * G]),
      profit: new Box(-Infinity, Infinity, [1]),
      budget: new Box(0, Infinity, [1]),
      forecastPoint: new Box(0, Infinity, [G * H]),
      forecastLower: new Box(0, Infinity, [G * H]),
      forecastUpper: new Box(0, Infinity, [G * H]),
      phase: new Box(-1, 1, [2]),
    };
    if (o.inventory) spaces.inventory = new Box(0, o.inventory.capacity, [G]);
    this.observationSpace = new Dict(spaces);

    // Forecasters, one per final good, fitted once.
    this.forecasters = [];
    this.forecastBuf = [];
    for (let j = 0; j < G; j++) {
      let fitHistory: number[];
      if (o.synthetic) {
        const p = new DemandProcess(o.synthetic[j], deriveSeed(o.fitSeed, "forecaster-fit", j));
        fitHistory = Array.from({ length: o.fitPeriods }, () => p.next());
      } else {
        const col = historyColumn(o.history!, j);
        const start = typeof o.csvStart === "number" ? o.csvStart : 0;
        fitHistory = col.slice(0, start + o.warmup);
      }
      const f = makeForecaster(o.forecasterSpec, { horizon: H, period: o.period });
      try {
        f.fit(fitHistory);
      } catch (err) {
        throw optionsError(envId, "forecaster", `fitting on good ${j}'s history failed: ${(err as Error).message}`);
      }
      this.forecasters.push(f);
      this.forecastBuf.push({ point: new Array<number>(H), lower: new Array<number>(H), upper: new Array<number>(H) });
    }
  }

  /**
   * The engine's whole state, for an exact resume: RNG, demand path, period, stock, last outcome and both solvers'
   * warm starts. Forecasters are not saved: they are deterministic given their fit (made once, from the options),
   * so `setState` replays them over the path's warm-up and the periods already observed.
   */
  getState(): MarketBiddingCoreState {
    return {
      rng: this.rng.state(),
      started: this.started,
      path: Array.from(this.path),
      t: this.t,
      live: this.live,
      stock: Array.from(this.stock),
      lastPrices: Array.from(this.lastPrices),
      lastQuantities: Array.from(this.lastQuantities),
      lastAgentProfit: Array.from(this.lastAgentProfit),
      solver: this.solver.warmState(),
      analytic: this.analytic.warmState(),
      firstBest: this.firstBest.warmState(),
      ...(this.planner
        ? { planner: this.planner.warmState(), lastResponse: [...this.lastResponse].map(([i, b]) => [i, [...b]] as [number, number[]]) }
        : {}),
    };
  }

  setState(s: MarketBiddingCoreState): void {
    if (s.path.length !== this.path.length || s.stock.length !== this.stock.length)
      throw new RangeError("MarketBidding setState: the state is of an env with other options");
    this.rng = Rng.fromState(s.rng);
    this.started = s.started;
    this.path.set(s.path);
    this.t = s.t;
    this.live = s.live;
    this.stock.set(s.stock);
    this.lastPrices.set(s.lastPrices);
    this.lastQuantities.set(s.lastQuantities);
    this.lastAgentProfit.set(s.lastAgentProfit);
    this.solver.setWarmState(s.solver);
    this.analytic.setWarmState(s.analytic);
    if (s.firstBest) this.firstBest.setWarmState(s.firstBest);
    if (s.planner && this.planner) this.planner.setWarmState(s.planner);
    this.lastResponse.clear();
    for (const [i, b] of s.lastResponse ?? []) this.lastResponse.set(i, [...b]);
    if (!this.started) return;
    const o = this.opts;
    const G = this.G;
    for (let j = 0; j < G; j++) {
      const hist = new Array<number>(o.warmup);
      for (let t = 0; t < o.warmup; t++) hist[t] = this.path[t * G + j];
      this.forecasters[j].start(hist);
      for (let t = 0; t < this.t; t++) this.forecasters[j].observe(this.path[(o.warmup + t) * G + j]);
    }
    this.refreshForecasts();
  }

  /** Start an episode: draw (or pick) the demand path, restart solvers and forecasters. */
  reset(seed?: number): void {
    const o = this.opts;
    const G = this.G;
    if (seed !== undefined) {
      if (!Number.isFinite(seed)) throw new RangeError(`reset: seed must be a finite number, got ${seed}`);
      this.rng = new Rng(seed);
    }
    const episodeSeed = this.rng.seed();
    const T = o.warmup + o.episodeLength;
    if (o.synthetic) {
      for (let j = 0; j < G; j++) {
        const p = new DemandProcess(o.synthetic[j], deriveSeed(episodeSeed, "demand", j));
        for (let t = 0; t < T; t++) this.path[t * G + j] = p.next();
      }
    } else {
      const rows = o.history!.values;
      const start = o.csvStart === "random" ? new Rng(episodeSeed).int(rows.length - T + 1) : o.csvStart;
      for (let t = 0; t < T; t++) for (let j = 0; j < G; j++) this.path[t * G + j] = rows[start + t][j];
    }
    // Same start state every episode, so that a seed fixes the trajectory bit for bit.
    for (const s of [this.solver, this.analytic]) {
      s.resetStart(this.startPrices);
      s.model.logMult.fill(0);
    }
    this.firstBest.resetStart(this.firstBestStart);
    for (let j = 0; j < G; j++) {
      const hist = new Array<number>(o.warmup);
      for (let t = 0; t < o.warmup; t++) hist[t] = this.path[t * G + j];
      this.forecasters[j].start(hist);
    }
    this.stock.fill(0);
    if (o.inventory) for (const i of this.learned) for (let j = 0; j < G; j++) this.stock[i * G + j] = o.inventory.initial[j];
    // Last period (the last warm-up period) cleared truthfully: what the first observation reports.
    for (let j = 0; j < G; j++) this.alpha[j] = this.path[(o.warmup - 1) * G + j];
    this.analytic.clear({ demandAlpha: this.alpha });
    this.solver.clear({ demandAlpha: this.alpha });
    const m = this.solver.model;
    this.lastPrices.set(m.p);
    this.lastQuantities.set(m.demand);
    this.solver.model.profits(this.lastAgentProfit);
    this.lastResponse.clear();
    this.planner?.resetStart(this.startPrices);
    this.planner?.model.logMult.fill(0);
    this.t = 0;
    this.live = true;
    this.started = true;
  }

  /** Check an action of learned agent `slot` and write it into the bid arrays. */
  setAction(agent: number, action: unknown, who: string): void {
    const why = explainSpace(this.actionSpace, action);
    if (why !== undefined) {
      const m = /entry (\d+)/.exec(why);
      const name = m ? ` (${this.actionNames[Number(m[1])]})` : "";
      throw new RangeError(
        `${who}: action not in the action space: ${why}${name}. Actions are [${this.actionNames.join(", ")}]; nothing is clipped`,
      );
    }
    const a = action as ArrayLike<number>;
    const G = this.G;
    const off = agent * G;
    for (let j = 0; j < G; j++) {
      // A market whose every buyer demands nothing, or whose every seller withholds everything, has no price. The
      // bid keeps at least MIN_BID_FRACTION of the analytic demand and of the output, so every action of the
      // space clears (the effect on profits is of that order, about 1e-6).
      this.scale[off + j] = Math.max(a[j], MIN_BID_FRACTION);
      this.baseWithhold[off + j] = Math.min(a[G + j], 1 - MIN_BID_FRACTION);
      this.release[off + j] = this.opts.inventory ? a[2 * G + j] : 0;
    }
  }

  private totalSurplus(solver: EquilibriumSolver, profits: Float64Array): number {
    const mk = this.market;
    const m = solver.model;
    let s = 0;
    for (let i = 0; i < mk.nAgents; i++) s += profits[i];
    for (let j = 0; j < mk.G; j++) s += outsideProducerSurplus(mk, m.p, j) + outsideConsumerSurplus(mk, m.p, m.demandAlpha, j);
    return s;
  }

  /** Clear this period with the bids set by `setAction`; returns the outcome (rewards via `reward(agent)`). */
  clearPeriod(who: string): PeriodOutcome {
    if (!this.live) {
      throw new Error(
        this.t === 0
          ? `${who}: step() before reset(); call reset() first`
          : `${who}: the episode ended after ${this.t} periods (truncated); call reset() before stepping again`,
      );
    }
    const o = this.opts;
    const G = this.G;
    const row = (o.warmup + this.t) * G;
    for (let j = 0; j < G; j++) this.alpha[j] = this.path[row + j];

    let iterations = 0;
    const responses = this.responders.size > 0 ? this.respond() : undefined;
    if (o.inventory === null) {
      iterations += this.solver.clear({ demandAlpha: this.alpha, demandScale: this.scale, withhold: this.baseWithhold }).iterations;
    } else {
      iterations += this.clearWithStock();
    }
    this.solver.model.profits(this.profitBuf);

    // Inventory: withheld output is stored up to capacity; released stock was sold; holding cost on what is left.
    this.holdingCost.fill(0);
    if (o.inventory) {
      const m = this.solver.model;
      for (const i of this.learned) {
        let held = 0;
        for (let j = 0; j < G; j++) {
          const k = i * G + j;
          const kept = this.stock[k] * (1 - this.release[k]);
          const stored = Math.min(this.baseWithhold[k] * m.y[k], o.inventory.capacity[j] - kept);
          this.stock[k] = Math.max(0, kept + Math.max(0, stored));
          held += this.stock[k];
        }
        this.holdingCost[i] = o.inventory.holdingCost * held;
        this.profitBuf[i] -= this.holdingCost[i];
      }
    }
    // Holding costs are in the agents' profits, hence in total surplus.
    const total = this.totalSurplus(this.solver, this.profitBuf);

    const m = this.solver.model;
    this.lastPrices.set(m.p);
    this.lastQuantities.set(m.demand);
    this.lastAgentProfit.set(this.profitBuf);
    const outcome: PeriodOutcome = {
      period: this.t,
      demandAlpha: Array.from(this.alpha),
      prices: Array.from(m.p),
      quantities: Array.from(m.demand),
      profits: Array.from(this.profitBuf),
      totalSurplus: total,
      solverIterations: iterations,
    };
    if (responses) outcome.responses = responses;
    if (o.counterfactual) {
      outcome.solverIterations += this.analytic.clear({ demandAlpha: this.alpha }).iterations;
      this.analytic.model.profits(this.cfProfitBuf);
      const cfTotal = this.totalSurplus(this.analytic, this.cfProfitBuf);
      const cm = this.analytic.model;
      outcome.counterfactual = {
        prices: Array.from(cm.p),
        quantities: Array.from(cm.demand),
        profits: Array.from(this.cfProfitBuf),
        totalSurplus: cfTotal,
      };
      outcome.efficiency = total / cfTotal;
      outcome.solverIterations += this.firstBest.clear({ demandAlpha: this.alpha }).iterations;
      this.firstBest.model.profits(this.cfProfitBuf);
      const fm = this.firstBest.model;
      outcome.firstBest = {
        prices: Array.from(fm.p),
        quantities: Array.from(fm.demand),
        profits: Array.from(this.cfProfitBuf),
        totalSurplus: this.totalSurplus(this.firstBest, this.cfProfitBuf),
      };
    }
    for (let j = 0; j < G; j++) this.forecasters[j].observe(this.alpha[j]);
    this.t++;
    if (this.t >= o.episodeLength) this.live = false;
    return outcome;
  }

  /**
   * Clear with stock sales: a learned agent offers (1 - withhold) y + release * stock of each output good. The
   * market model takes supply as a fraction of output, so the stock sale is written as a negative withholding
   * w' = withhold - release * stock / y, and y (which moves with prices) is iterated to a fixed point.
   */
  private clearWithStock(): number {
    const G = this.G;
    const m = this.solver.model;
    let iterations = 0;
    this.withhold.set(this.baseWithhold);
    for (let round = 0; round < 100; round++) {
      iterations += this.solver.clear({ demandAlpha: this.alpha, demandScale: this.scale, withhold: this.withhold }).iterations;
      let worst = 0;
      for (const i of this.learned) {
        for (let j = 0; j < G; j++) {
          const k = i * G + j;
          const sale = this.release[k] * this.stock[k];
          if (sale === 0) continue;
          const y = m.y[k];
          if (!(y > 0)) {
            // No output this period (demand scale 0): the stock cannot be offered through the bid; it stays.
            this.release[k] = 0;
            this.withhold[k] = this.baseWithhold[k];
            worst = Infinity;
            continue;
          }
          const sold = (this.baseWithhold[k] - this.withhold[k]) * y;
          worst = Math.max(worst, Math.abs(sold - sale) / (1 + sale));
          this.withhold[k] = this.baseWithhold[k] - sale / y;
        }
      }
      if (worst <= 1e-10) return iterations;
    }
    throw new Error("inventory: the stock sale did not reach a fixed point in 100 rounds (please report the options)");
  }

  /**
   * Let agent `i` (one of this env's agents) bid by best response inside each period, after the others: its own
   * action is then ignored (any action of the space will do). Calling it again for the same agent replaces the
   * spec; `null` removes it. Not with inventory (a best response to one period would ignore the stock).
   */
  setResponder(i: number, spec: ResponderSpec | null): void {
    if (!this.learned.includes(i)) throw new RangeError(`setResponder: ${this.market.names[i] ?? i} is not an agent of this env`);
    if (spec === null) {
      this.responders.delete(i);
      return;
    }
    if (this.opts.inventory)
      throw new RangeError(
        `setResponder: ${this.market.names[i]}: best responses are for markets without inventory (the env has inventory)`,
      );
    this.responders.set(i, spec);
    if (!this.planner) {
      this.planner = new EquilibriumSolver(this.market, this.opts.solver);
      this.planner.resetStart(this.startPrices);
    }
  }

  /** The agents that respond within the period. */
  get responderAgents(): number[] {
    return [...this.responders.keys()].sort((a, b) => a - b);
  }

  /** What a responder believes this period's outside demand is (the period not yet cleared). */
  plannedDemand(kind: "forecast" | "oracle"): number[] {
    const G = this.G;
    if (kind === "oracle") return Array.from({ length: G }, (_, j) => this.path[(this.opts.warmup + this.t) * G + j]);
    return this.forecastBuf.map((f) => f.point[0]);
  }

  /** Replace the responders' bids in the bid arrays by iterated best responses to everyone else's. */
  private respond(): NonNullable<PeriodOutcome["responses"]> {
    const G = this.G;
    const agents = this.responderAgents;
    const box = { low: this.actionSpace.low.slice(0, 2 * G), high: this.actionSpace.high.slice(0, 2 * G), minFraction: MIN_BID_FRACTION };
    const profile: BidProfile = { demandScale: Float64Array.from(this.scale), withhold: Float64Array.from(this.baseWithhold) };
    // Each responder starts from its last answer (truthful in the first period).
    const truthful = [...new Array<number>(G).fill(1), ...new Array<number>(G).fill(0)];
    for (const i of agents) setBid(profile, i, G, this.lastResponse.get(i) ?? truthful, MIN_BID_FRACTION);
    const planner = this.planner!;
    const first = this.responders.get(agents[0])!;
    const sameDemand = agents.every((i) => this.responders.get(i)!.demand === first.demand);
    let result;
    if (sameDemand) {
      result = iterateBestResponses(planner, this.plannedDemand(first.demand), profile, agents, box, {
        ...first.search,
        seed: (first.search.seed ?? 0) + 104729 * this.t,
        maxRounds: agents.length === 1 ? 1 : (first.maxRounds ?? 20),
        tolerance: first.tolerance,
      });
    } else {
      // Responders with different beliefs: each best-responds once to the others, in order (one round).
      let p = profile;
      let evaluations = 0;
      let lastChange = 0;
      for (const i of agents) {
        const spec = this.responders.get(i)!;
        const r = iterateBestResponses(planner, this.plannedDemand(spec.demand), p, [i], box, {
          ...spec.search,
          seed: (spec.search.seed ?? 0) + 104729 * this.t,
          maxRounds: 1,
        });
        p = r.profile;
        evaluations += r.evaluations;
        lastChange = Math.max(lastChange, r.lastChange);
      }
      result = { profile: p, rounds: 1, converged: false, lastChange, evaluations };
    }
    for (const i of agents) {
      const bid = bidOf(result.profile, i, G);
      this.lastResponse.set(i, bid);
      for (let j = 0; j < G; j++) {
        this.scale[i * G + j] = bid[j];
        this.baseWithhold[i * G + j] = bid[G + j];
      }
    }
    // One responder best-responds to fixed others: a single round is the whole answer.
    const converged = agents.length === 1 ? true : result.converged;
    return {
      agents: agents.map((i) => this.market.names[i]),
      rounds: result.rounds,
      converged,
      lastChange: result.lastChange,
      evaluations: result.evaluations,
    };
  }

  /** Observation of learned agent i (fresh arrays). */
  /** Layout of {@link globalState}: prices and quantities of every market, every producer's profit, forecasts, phase, stocks. */
  stateSpace(): Box {
    const M = this.market.nMarkets;
    const nA = this.lastAgentProfit.length;
    const GH = this.G * this.opts.horizon;
    const low = [
      ...Array(2 * M).fill(0),
      ...Array(nA).fill(-Infinity),
      ...Array(3 * GH).fill(0),
      -1,
      -1,
      ...Array(this.opts.inventory ? nA * this.G : 0).fill(0),
    ];
    const high = [
      ...Array(2 * M + nA + 3 * GH).fill(Infinity),
      1,
      1,
      ...Array(this.opts.inventory ? nA * this.G : 0).fill(this.opts.inventory?.capacity ?? 0),
    ];
    return new Box(low, high);
  }

  /** The whole market's state of the current period (see {@link stateSpace}); a new array per call. */
  globalState(): Float32Array {
    const M = this.market.nMarkets;
    const nA = this.lastAgentProfit.length;
    const G = this.G;
    const H = this.opts.horizon;
    const out = new Float32Array(2 * M + nA + 3 * G * H + 2 + (this.opts.inventory ? nA * G : 0));
    out.set(this.lastPrices, 0);
    out.set(this.lastQuantities, M);
    out.set(this.lastAgentProfit, 2 * M);
    let o = 2 * M + nA;
    for (let j = 0; this.opts.observeForecasts && j < G; j++) {
      const f = this.forecastBuf[j];
      for (let h = 0; h < H; h++) {
        out[o + j * H + h] = f.point[h];
        out[o + G * H + j * H + h] = f.lower[h];
        out[o + 2 * G * H + j * H + h] = f.upper[h];
      }
    }
    o += 3 * G * H;
    const obs0 = this.observationPhase();
    out[o] = obs0[0];
    out[o + 1] = obs0[1];
    if (this.opts.inventory) out.set(this.stock, o + 2);
    return out;
  }

  private observationPhase(): [number, number] {
    const o = this.opts;
    if (!o.period) return [0, 0];
    const angle = (2 * Math.PI * (o.warmup + this.t + o.phaseOffset)) / o.period;
    return [Math.sin(angle), Math.cos(angle)];
  }

  observation(i: number): MarketBiddingObservation {
    const o = this.opts;
    const G = this.G;
    const H = o.horizon;
    const inOff = this.market.group[i] * G;
    const prices = new Array<number>(2 * G);
    const quantities = new Array<number>(2 * G);
    for (let j = 0; j < 2 * G; j++) {
      prices[j] = this.lastPrices[inOff + j];
      quantities[j] = this.lastQuantities[inOff + j];
    }
    const fp = new Array<number>(G * H).fill(0);
    const fl = new Array<number>(G * H).fill(0);
    const fu = new Array<number>(G * H).fill(0);
    for (let j = 0; o.observeForecasts && j < G; j++) {
      const f = this.forecastBuf[j];
      for (let h = 0; h < H; h++) {
        fp[j * H + h] = f.point[h];
        fl[j * H + h] = f.lower[h];
        fu[j * H + h] = f.upper[h];
      }
    }
    const phase = [0, 0];
    if (o.period) {
      const angle = (2 * Math.PI * (o.warmup + this.t + o.phaseOffset)) / o.period;
      phase[0] = Math.sin(angle);
      phase[1] = Math.cos(angle);
    }
    const obs: MarketBiddingObservation = {
      prices,
      quantities,
      profit: [this.lastAgentProfit[i]],
      budget: [this.market.budget[i]],
      forecastPoint: fp,
      forecastLower: fl,
      forecastUpper: fu,
      phase,
    };
    if (o.inventory) obs.inventory = Array.from(this.stock.subarray(i * G, i * G + G));
    return obs;
  }

  /** Refresh the forecasts (once per step, shared by every agent's observation). */
  refreshForecasts(): void {
    for (let j = 0; j < this.G; j++) this.forecasters[j].forecast(this.forecastBuf[j]);
  }

  reward(i: number): number {
    return this.profitBuf[i];
  }

  stockOf(i: number): number[] {
    return Array.from(this.stock.subarray(i * this.G, i * this.G + this.G));
  }

  holdingCostOf(i: number): number {
    return this.holdingCost[i];
  }

  /** Parameters and interval offsets of the fitted forecasters (one per final good). */
  describeForecasters(): Record<string, unknown>[] {
    return this.forecasters.map((f) => f.describe());
  }
}
