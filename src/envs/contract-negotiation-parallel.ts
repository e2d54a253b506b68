import { ConfigError, type ConfigIssue } from "../io/errors.js";
import { register } from "../core/registry.js";
import { EpisodeReplay, type ReplayState } from "./episode-replay.js";
import { Box } from "../core/spaces.js";
import type { EnvSpec, Info, ParallelEnv, ParallelResetResult, ParallelStepResult, ResetOptions } from "../core/types.js";
import {
  ContractEpisode,
  PRICE_CAP,
  retailerObservationSpace,
  SUB_FEATURES,
  resolveContractEnvOptions,
  type ContractEnvOptions,
} from "./contract-negotiation.js";

export interface ContractParallelOptions extends ContractEnvOptions {
  /** Agents played by learners (default all: "retailer" and every subcontractor id); the others are analytic. */
  learned?: string[];
}

const ENV_ID = "ContractNegotiationParallel-v0";

/**
 * ContractNegotiationParallel-v0: the retailer and the subcontractors all learn (PettingZoo parallel API).
 *
 * Agents: "retailer" and the subcontractor ids (S1, S2, ...), or the subset given in `learned` (the rest are played
 * by the analytic agents). Each step is one round; moves are simultaneous, so a subcontractor prices before seeing
 * this round's offer (it observes the last one). Retailer: as in ContractNegotiation-v0. Subcontractor i:
 * action Box [0, 1]^1, its proposal price as a fraction of R (it may price below cost: that is flagged, not
 * prevented) or as option `actions` maps it; observation Box of 10 numbers [round / deadline, open, agreed,
 * quantity asked / CM, CN / CM, c / R, e / R, its reservation (average cost of the asked quantity) / R, the retailer's last offer / R, its own last price / R].
 * Rewards: each agent's profit / (R x ordered quantity), sparse or shaped like the single-agent env. Every agent
 * stays live until the negotiation ends and all terminate together (an agent whose conversation closed early gets
 * reward 0 until then; its actions are ignored).
 */
export class ContractNegotiationParallelEnv implements ParallelEnv<number[], number[]> {
  readonly possibleAgents: readonly string[];
  agents: string[] = [];
  spec?: EnvSpec;
  readonly episode: ContractEpisode;
  private readonly obsSpaces = new Map<string, Box>();
  private readonly actSpaces = new Map<string, Box>();
  private readonly subIndex = new Map<string, number>();
  private readonly learnedRetailer: boolean;
  private readonly learnedSubs: Uint8Array;
  private readonly rewards: Float64Array;
  private over = true;
  private stateBox?: Box;
  private readonly replay = new EpisodeReplay<Record<string, number[]>>();

  constructor(options: ContractParallelOptions = {}) {
    const { learned, ...rest } = options;
    this.episode = new ContractEpisode(resolveContractEnvOptions(rest as Record<string, unknown>, ENV_ID));
    const n = this.episode.n;
    const ids = this.episode.cfg.subcontractors.map((s) => s.id);
    ids.forEach((id, i) => this.subIndex.set(id, i));
    const all = ["retailer", ...ids];
    const chosen = learned ?? all;
    const issues: ConfigIssue[] = [];
    if (!Array.isArray(chosen) || chosen.length === 0) issues.push({ path: "learned", message: "must name at least one agent" });
    else
      chosen.forEach((a, j) => {
        if (!all.includes(a)) issues.push({ path: `learned[${j}]`, message: `unknown agent "${a}"; the agents are ${all.join(", ")}` });
      });
    if (issues.length > 0) throw new ConfigError(`${ENV_ID} options`, issues);
    this.possibleAgents = all.filter((a) => chosen.includes(a));
    this.learnedRetailer = chosen.includes("retailer");
    this.learnedSubs = new Uint8Array(n);
    const retailerSpace = retailerObservationSpace(n);
    const sHigh = [1, 1, 1, 1, 1, PRICE_CAP, PRICE_CAP, PRICE_CAP, PRICE_CAP, PRICE_CAP];
    if (sHigh.length !== SUB_FEATURES) throw new Error("internal: subcontractor feature count");
    for (const a of this.possibleAgents) {
      if (a === "retailer") {
        this.obsSpaces.set(a, retailerSpace);
        this.actSpaces.set(a, new Box(0, 1, [n]));
      } else {
        this.learnedSubs[this.subIndex.get(a)!] = 1;
        this.obsSpaces.set(a, new Box(0, sHigh));
        this.actSpaces.set(a, new Box(0, 1, [1]));
      }
    }
    this.rewards = new Float64Array(n + 1);
  }

  observationSpace(agent: string): Box {
    const s = this.obsSpaces.get(agent);
    if (!s) throw new RangeError(`${ENV_ID}: unknown agent "${agent}"`);
    return s;
  }

  actionSpace(agent: string): Box {
    const s = this.actSpaces.get(agent);
    if (!s) throw new RangeError(`${ENV_ID}: unknown agent "${agent}"`);
    return s;
  }

  /** The env's state for an exact resume: the RNG and the current episode's start and actions (replayed). */
  getState(): ReplayState<Record<string, number[]>> {
    return this.replay.state(this.episode.rng);
  }

  setState(s: ReplayState<Record<string, number[]>>): void {
    EpisodeReplay.restore(s, { setRng: (r) => (this.episode.rng = r), reset: (seed) => this.reset({ seed }), step: (a) => this.step(a) });
  }

  reset(opts: ResetOptions = {}): ParallelResetResult<number[]> {
    this.replay.onReset(this.episode.rng, opts.seed);
    this.episode.reset(opts.seed);
    this.over = false;
    this.agents = [...this.possibleAgents];
    const infos: Record<string, Info> = {};
    for (const a of this.agents) infos[a] = { round: 0 };
    return { observations: this.observe(), infos };
  }

  step(actions: Record<string, number[]>): ParallelStepResult<number[]> {
    const ep = this.episode;
    if (!ep.started) throw new Error(`${ENV_ID}: step() before reset()`);
    if (this.over) throw new Error(`${ENV_ID}: step() after the episode ended; call reset()`);
    for (const a of this.agents) {
      if (!(a in actions)) throw new RangeError(`${ENV_ID}: missing action for agent "${a}"`);
      const why = this.actSpaces.get(a)!.explain(actions[a]);
      if (why) throw new RangeError(`${ENV_ID}: action of "${a}" not in its action space: ${why}`);
    }
    for (const a of Object.keys(actions)) if (!this.actSpaces.has(a)) throw new RangeError(`${ENV_ID}: action for unknown agent "${a}"`);
    this.replay.onStep(actions);
    if (this.learnedRetailer) {
      const act = actions.retailer;
      for (let i = 0; i < ep.n; i++) ep.offers[i] = ep.retailerOffer(i, act[i]);
    }
    for (let i = 0; i < ep.n; i++) ep.prices[i] = this.learnedSubs[i] ? ep.subPrice(i, actions[ep.cfg.subcontractors[i].id][0]) : NaN;
    const done = ep.play(this.learnedRetailer ? ep.offers : null, ep.prices, this.rewards);
    const observations = this.observe();
    const rewards: Record<string, number> = {};
    const terminations: Record<string, boolean> = {};
    const truncations: Record<string, boolean> = {};
    const infos: Record<string, Info> = {};
    for (const a of this.agents) {
      rewards[a] = a === "retailer" ? this.rewards[0] : this.rewards[1 + this.subIndex.get(a)!];
      terminations[a] = done;
      truncations[a] = false;
      infos[a] = done ? { round: ep.engine.round, outcome: ep.outcome } : { round: ep.engine.round };
    }
    if (done) {
      this.over = true;
      this.agents = [];
    }
    return { observations, rewards, terminations, truncations, infos };
  }

  close(): void {
    this.over = true;
    this.agents = [];
  }

  /**
   * The global state (PettingZoo's state()): the retailer's observation, then every subcontractor's (learned or
   * not), the same features each of them sees.
   */
  get stateSpace(): Box {
    if (!this.stateBox) {
      const r = retailerObservationSpace(this.episode.n);
      const sub = [1, 1, 1, 1, 1, PRICE_CAP, PRICE_CAP, PRICE_CAP, PRICE_CAP, PRICE_CAP];
      const high = [...r.high, ...Array.from({ length: this.episode.n }, () => sub).flat()];
      this.stateBox = new Box([...r.low, ...Array(high.length - r.low.length).fill(0)], high);
    }
    return this.stateBox;
  }

  state(): Float32Array {
    const ep = this.episode;
    return Float32Array.from([...ep.retailerObservation(), ...Array.from({ length: ep.n }, (_, i) => ep.subObservation(i)).flat()]);
  }

  private observe(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const a of this.possibleAgents) {
      out[a] = a === "retailer" ? this.episode.retailerObservation() : this.episode.subObservation(this.subIndex.get(a)!);
    }
    return out;
  }
}

register(ENV_ID, (options) => new ContractNegotiationParallelEnv(options as ContractParallelOptions), {
  description: "retailer and subcontractors all learn to bargain wholesale-price (or buy-back) contracts (seed 004)",
});
