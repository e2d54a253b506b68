import { deriveSeed, Rng, type RngState } from "../core/rng.js";
import { make } from "../core/registry.js";
import type { Space } from "../core/spaces.js";
import { isParallelEnv, type Env, type Info, type ParallelEnv, type VectorEnv } from "../core/types.js";
import { ParallelToVector } from "../wrappers/parallel-to-vector.js";
import { RecordEpisodeStatistics } from "../wrappers/record-episode-statistics.js";
import { SyncVectorEnv } from "../wrappers/sync-vector-env.js";
import { Adam, type AdamState } from "./adam.js";
import * as tf from "@tensorflow/tfjs";
import {
  ForwardScratch,
  actorCriticTf,
  cloneParams,
  deserializeParams,
  initParams,
  netForward,
  paramList,
  paramTensors,
  serializeParams,
  splitTensors,
  type ActorCriticParams,
  type NetworkSpec,
  type SerializedParams,
} from "./actor-critic.js";
import { initBackend, type BackendName } from "./backend.js";
import { ConcatVectorEnv } from "./concat-vector-env.js";
import { checkTotalSteps, envErrors, optionError, type AgentIdFeature, type CommonOptions } from "./on-policy-options.js";
import { categoricalSample, gaussianLogProb, gaussianSample, logSoftmax, stdOf } from "./distributions.js";
import { LearnedPolicy, MultiAgentPolicy, actSeed, frozenNormalization, normalizeInPlace } from "./policy.js";
import { RunningMeanStd, type RunningMeanStdState } from "../wrappers/running-mean-std.js";
import { actionKind, obsEncoder, type ActionKind, type ObsEncoder } from "./spaces-codec.js";

export {
  AGENT_ID_FEATURES,
  checkTotalSteps,
  type AgentIdFeature,
  type CommonOptions,
  type EnvSource,
} from "./on-policy-options.js";

/** One row of the learning curve (the columns of `learning_curve.csv`). */
export interface CurveRow {
  global_step: number;
  episode_return_mean: number;
  episode_length_mean: number;
  policy_loss: number;
  value_loss: number;
  entropy: number;
  approx_kl: number;
  clip_fraction: number;
  explained_variance: number;
  steps_per_second: number;
}

export const CURVE_COLUMNS: readonly (keyof CurveRow)[] = [
  "global_step",
  "episode_return_mean",
  "episode_length_mean",
  "policy_loss",
  "value_loss",
  "entropy",
  "approx_kl",
  "clip_fraction",
  "explained_variance",
  "steps_per_second",
];

export type UpdateMetrics = Pick<CurveRow, "policy_loss" | "value_loss" | "entropy" | "approx_kl" | "clip_fraction" | "explained_variance">;

export interface Progress {
  iteration: number;
  numIterations: number;
  globalStep: number;
  totalSteps: number;
  row: CurveRow;
  /** The learning rate of this iteration's update (annealed linearly to 0 when `annealLr`). */
  learningRate: number;
  /**
   * Independent learners only (a ParallelEnv with `shareParameters: false`): each agent's own update metrics
   * and the mean return of its last `statsWindow` episodes (NaN before its first), by agent id. `row` averages them.
   */
  agents?: Record<string, UpdateMetrics & { episode_return_mean: number }>;
  /** Seconds spent in each phase of this iteration. */
  timings: { rollout: number; update: number };
}

export interface LearnOptions {
  /** Called after every iteration (update) with the new curve row. */
  onProgress?: (p: Progress) => void;
  /** Awaited after every iteration (checkpoints); return "stop" to end training early. */
  onIteration?: (p: Progress) => Promise<void | "stop"> | void | "stop";
  /** Ends training after the current iteration. */
  signal?: AbortSignal;
}

/** One set of weights and its data: all slots for a single-agent or shared policy, one agent's otherwise. */
interface Group {
  name: string;
  slots: number[];
  obsSpace: Space;
  actSpace: Space;
  encode: ObsEncoder;
  /** Width of the encoded observation. */
  rawDim: number;
  /** Width of a stored actor input row: the normalised observation, then the one-hot agent id when used. */
  obsDim: number;
  /** Agent-id feature of this group ("none" for single-agent envs and independent learners). */
  agentId: AgentIdFeature;
  /** Number of agents in the group and each slot's agent index (the agent-id feature). */
  agentCount: number;
  agentOfSlot: Int32Array;
  /** Centralised critic (MAPPO): width of a stored critic input row (global state, then the one-hot id); 0 = none. */
  critDim: number;
  stateDim: number;
  stateRms?: RunningMeanStd;
  /** Critic input rows of the current step [S, critDim] (centralised critic only). */
  critCur: Float32Array;
  /** Encoded raw observations [S, rawDim] (the same buffer as `cur` without an agent id feature). */
  raw: Float32Array;
  /** Network input rows with the embedding appended [S, obsDim + embDim] (only with an embedding). */
  inBuf: Float32Array;
  critInBuf: Float32Array;
  action: ActionKind;
  actDim: number;
  params: ActorCriticParams;
  adam: Adam;
  obsRms?: RunningMeanStd;
  retRms?: RunningMeanStd;
  /** Per-slot discounted return accumulators for reward normalisation. */
  retAcc: Float64Array;
  /** Normalised current observations of the group's slots (with the one-hot id) [S, obsDim]. */
  cur: Float32Array;
  buf: RolloutStorage;
  scratch: ForwardScratch;
  logpScratch: Float64Array;
  /** Act through TF.js (see {@link TF_INFERENCE_MACS}). */
  tfInference: boolean;
  /** Weight tensors for batched TF.js inference, rebuilt after each update. */
  inferenceWeights?: tf.Tensor[];
}

/**
 * Groups whose per-step forward work (slots x multiply-adds of actor, critic and trunk) is at least this many
 * multiply-adds act through one TF.js forward pass per step instead of the plain-JS loops: e.g. a shared policy of
 * many agents. Measured on the WASM backend for 300 rows of a 394-input 64x64 actor-critic: 11 ms against 190 ms
 * in JS (load ~18); for CartPole's 4 rows of a 4-input network the JS loops are faster than one TF.js call. A fixed
 * function of the config, so runs stay reproducible.
 */
export const TF_INFERENCE_MACS = 500_000;

function forwardMacs(p: ActorCriticParams): number {
  return [...p.actor, ...p.critic, ...(p.trunk ?? [])].reduce((a, l) => a + l.nIn * l.nOut, 0);
}

/** Time-major rollout storage for one group, index `t * S + s`. */
export interface RolloutStorage {
  numSteps: number;
  numSlots: number;
  obs: Float32Array;
  /** Centralised critic inputs [n, critDim] (empty without one). */
  critObs: Float32Array;
  /** Discrete: the action index (0-based) as float; Box: the unclipped Gaussian sample. */
  actions: Float32Array;
  logp: Float32Array;
  values: Float32Array;
  rewards: Float32Array;
  ends: Float32Array;
  lastValues: Float32Array;
}

function storage(numSteps: number, numSlots: number, obsDim: number, actDim: number, critDim: number): RolloutStorage {
  const n = numSteps * numSlots;
  return {
    numSteps,
    numSlots,
    obs: new Float32Array(n * obsDim),
    critObs: new Float32Array(n * critDim),
    actions: new Float32Array(n * actDim),
    logp: new Float32Array(n),
    values: new Float32Array(n),
    rewards: new Float32Array(n),
    ends: new Float32Array(n),
    lastValues: new Float32Array(numSlots),
  };
}

/** Everything needed to continue training exactly where it stopped. */
export interface LearnerState {
  algorithm: string;
  globalStep: number;
  iteration: number;
  groups: {
    name: string;
    params: SerializedParams;
    adam: AdamState;
    obsRms?: RunningMeanStdState;
    retRms?: RunningMeanStdState;
    stateRms?: RunningMeanStdState;
    retAcc: number[];
  }[];
  rngs: Record<string, RngState>;
  /** Raw current observations of every slot. */
  observations: unknown[] | null;
  /** Env states, when every env can be snapshot; otherwise null and resuming resets the envs. */
  envState: unknown;
  episodeReturns: number[];
  episodeLengths: number[];
  /**
   * Independent learners: each agent's recent episode returns (the window of `Progress.agents`), by agent id.
   * Absent in checkpoints made before it was saved: those resume with empty windows.
   */
  agentReturns?: Record<string, number[]>;
}

/**
 * The shared machinery of PPO and REINFORCE: vectorised envs (same-step autoreset), one or more weight groups,
 * rollouts with plain-JS inference, observation / reward normalisation, episode statistics, learning-rate
 * annealing, and exact save / restore of the whole training state.
 */
export abstract class OnPolicyLearner<C extends CommonOptions = CommonOptions> {
  readonly config: C;
  readonly vec: VectorEnv;
  readonly agents: readonly string[] | null;
  protected groups: Group[];
  protected policyRng: Rng;
  protected updateRng: Rng;
  globalStep = 0;
  iteration = 0;
  private observations: unknown[] | null = null;
  private episodeReturns: number[] = [];
  /** Per-agent recent returns of independent learners (for `Progress.agents`; saved in the state, so a resume continues them). */
  private agentReturns = new Map<string, number[]>();
  private episodeLengths: number[] = [];
  private backend?: BackendName;
  abstract readonly algorithm: string;
  /**
   * Milliseconds spent so far in each part of training (for profiling): env stepping, policy/value inference
   * in JS, GAE, gathering minibatches (JS copies), TF.js gradient steps (tensor upload, forward, backward,
   * download), the Adam update in JS.
   */
  readonly profile = { env: 0, inference: 0, gae: 0, gather: 0, gradient: 0, optimizer: 0 };

  /** `config`: resolved and checked by the algorithm's options schema (ppo/options.ts, reinforce/options.ts). */
  constructor(config: C) {
    this.config = config;
    const name = this.optionsName();
    // Errors building the env, or from spaces the learners do not support, are ConfigErrors at the option `env`.
    const { vec, agents } = envErrors(name, config.env, () => this.buildVectorEnv());
    this.vec = vec;
    this.agents = agents;
    const initRng = new Rng(deriveSeed(config.seed, "init"));
    this.policyRng = new Rng(deriveSeed(config.seed, "policy"));
    this.updateRng = new Rng(deriveSeed(config.seed, "update"));
    const groupSlots: { name: string; slots: number[]; agent: string | null }[] = [];
    if (agents === null || config.shareParameters)
      groupSlots.push({ name: agents === null ? "policy" : "shared", slots: range(vec.numEnvs), agent: agents?.[0] ?? null });
    else agents.forEach((a, k) => groupSlots.push({ name: a, slots: range(config.numEnvs).map((c) => c * agents.length + k), agent: a }));
    const central = this.usesCentralCritic();
    const nAgents = agents?.length ?? 1;
    let stateDim = 0;
    if (central) {
      const penv = agents === null ? null : ((this.vec as ConcatVectorEnv<unknown, unknown>).parts[0] as ParallelToVector).env;
      if (!penv || typeof penv.state !== "function" || !penv.stateSpace) {
        vec.close();
        throw optionError(name, "env", "needs a multi-agent ParallelEnv with a global state (state() and stateSpace)");
      }
      stateDim = penv.stateSpace.shape.reduce((a, b) => a * b, 1);
      for (const part of (this.vec as ConcatVectorEnv<unknown, unknown>).parts) (part as ParallelToVector).recordState = true;
    }
    this.groups = groupSlots.map(({ name, slots, agent }) => {
      const probe = agent === null ? null : ((this.vec as ConcatVectorEnv<unknown, unknown>).parts[0] as ParallelToVector);
      const obsSpace = probe ? probe.env.observationSpace(agent!) : vec.singleObservationSpace;
      const actSpace = probe ? probe.env.actionSpace(agent!) : vec.singleActionSpace;
      const enc = envErrors(name, config.env, () => obsEncoder(obsSpace));
      const action = envErrors(name, config.env, () => actionKind(actSpace));
      const shared = agents !== null && config.shareParameters && nAgents > 1;
      const agentId: AgentIdFeature = shared ? config.agentId : "none";
      const agentCount = shared ? nAgents : 1;
      const idDim = agentId === "onehot" ? agentCount : 0;
      const obsDim = enc.dim + idDim;
      const critDim = central ? stateDim + idDim : 0;
      const spec: NetworkSpec = {
        obsDim,
        action,
        actorHidden: config.actorHidden,
        criticHidden: config.criticHidden,
        activation: config.activation,
        initLogStd: config.initLogStd,
        sharedHidden: config.sharedHidden,
        criticObsDim: central ? critDim : undefined,
        embedding: agentId === "embedding" ? { count: agentCount, dim: config.agentEmbeddingDim } : undefined,
      };
      const params = envErrors(name, config.env, () => initParams(spec, initRng));
      const actDim = action.kind === "categorical" ? 1 : action.dim;
      const embDim = agentId === "embedding" ? config.agentEmbeddingDim : 0;
      const cur = new Float32Array(slots.length * obsDim);
      return {
        name,
        slots,
        obsSpace,
        actSpace,
        encode: enc.encode,
        rawDim: enc.dim,
        obsDim,
        agentId,
        agentCount,
        agentOfSlot: Int32Array.from(slots, (slot) => (shared ? slot % nAgents : 0)),
        critDim,
        stateDim,
        stateRms: central && config.normalizeObservation ? new RunningMeanStd(stateDim) : undefined,
        critCur: new Float32Array(slots.length * critDim),
        raw: idDim > 0 ? new Float32Array(slots.length * enc.dim) : cur,
        inBuf: new Float32Array(embDim > 0 ? slots.length * (obsDim + embDim) : 0),
        critInBuf: new Float32Array(embDim > 0 && central ? slots.length * (critDim + embDim) : 0),
        action,
        actDim,
        params,
        adam: new Adam(paramList(params), config.learningRate, 0.9, 0.999, config.adamEps),
        obsRms: config.normalizeObservation ? new RunningMeanStd(enc.dim) : undefined,
        retRms: config.normalizeReward ? new RunningMeanStd(1) : undefined,
        retAcc: new Float64Array(slots.length),
        cur,
        buf: storage(config.numSteps, slots.length, obsDim, actDim, critDim),
        scratch: new ForwardScratch(),
        logpScratch: new Float64Array(action.kind === "categorical" ? action.n : 0),
        tfInference: slots.length * forwardMacs(params) >= TF_INFERENCE_MACS,
      };
    });
  }

  /** Whether the critic reads the env's global state (MAPPO); read during construction, so a method. */
  protected usesCentralCritic(): boolean {
    return false;
  }

  /** The name that labels the learner's option errors (`PPO options`): the class's static `optionsName`, else its name. */
  protected optionsName(): string {
    return (this.constructor as { optionsName?: string }).optionsName ?? this.constructor.name;
  }

  private buildVectorEnv(): { vec: VectorEnv; agents: string[] | null } {
    const { env, envOptions, numEnvs } = this.config;
    const makeOne = (): Env | ParallelEnv => (typeof env === "string" ? make(env, envOptions ?? {}) : env());
    const first = makeOne();
    if (isParallelEnv(first)) {
      const parts = [first, ...range(numEnvs - 1).map(() => makeOne() as ParallelEnv)].map(
        (e) => new ParallelToVector(e as ParallelEnv, { equalSpaces: this.config.shareParameters }),
      );
      return { vec: new ConcatVectorEnv(parts) as VectorEnv, agents: [...(first as ParallelEnv).possibleAgents] };
    }
    const envs = [first as Env, ...range(numEnvs - 1).map(() => makeOne() as Env)].map((e) => new RecordEpisodeStatistics(e));
    return { vec: new SyncVectorEnv(envs) as VectorEnv, agents: null };
  }

  /** Environment steps `learn(totalSteps)` trains for: `totalSteps` rounded down to whole iterations. */
  plannedSteps(totalSteps: number): number {
    return Math.floor(totalSteps / this.stepsPerIteration) * this.stepsPerIteration;
  }

  /** Environment steps per iteration (vector steps x copies; agents of one ParallelEnv count once). */
  get stepsPerIteration(): number {
    return this.config.numSteps * this.config.numEnvs;
  }

  /** The backend used for gradient steps (after `learn` started). */
  get backendName(): BackendName | undefined {
    return this.backend;
  }

  protected abstract update(group: Group): UpdateMetrics;

  private start(): void {
    const r = this.vec.reset({ seed: this.config.seed });
    this.observations = r.observations;
    for (const g of this.groups) this.loadCurrent(g, r.observations, true);
  }

  /** Encode (and normalise) the group's current observations into `g.cur`; optionally update the statistics. */
  private loadCurrent(g: Group, observations: unknown[], updateStats: boolean): void {
    const S = g.slots.length;
    g.slots.forEach((slot, s) => g.encode(observations[slot], g.raw, s * g.rawDim));
    if (g.obsRms) {
      if (updateStats) g.obsRms.update(g.raw, S);
      for (let s = 0; s < S; s++)
        normalizeInPlace(g.raw, s * g.rawDim, { mean: g.obsRms.mean, var: g.obsRms.var, clip: this.config.clipObservation });
    }
    if (g.raw !== g.cur) appendOneHot(g.raw, g.rawDim, g.cur, g.obsDim, g.agentOfSlot, S);
    if (g.critDim > 0) this.loadState(g, updateStats);
  }

  /** The centralised critic's inputs: each slot's env copy's global state (normalised), then the one-hot id. */
  private loadState(g: Group, updateStats: boolean, states?: Float32Array[]): void {
    const parts = (this.vec as ConcatVectorEnv<unknown, unknown>).parts as ParallelToVector[];
    const per = parts[0].numEnvs;
    const st = states ?? parts.map((p) => p.env.state!());
    const D = g.stateDim;
    const flat = new Float32Array(st.length * D);
    st.forEach((x, c) => flat.set(x, c * D));
    if (g.stateRms) {
      if (updateStats) g.stateRms.update(flat, st.length);
      for (let c = 0; c < st.length; c++)
        normalizeInPlace(flat, c * D, { mean: g.stateRms.mean, var: g.stateRms.var, clip: this.config.clipObservation });
    }
    for (let s = 0; s < g.slots.length; s++) {
      const c = Math.floor(g.slots[s] / per);
      const o = s * g.critDim;
      g.critCur.set(flat.subarray(c * D, (c + 1) * D), o);
      if (g.critDim > D) {
        g.critCur.fill(0, o + D, o + g.critDim);
        g.critCur[o + D + g.agentOfSlot[s]] = 1;
      }
    }
  }

  /** The actor's (or critic's) network input rows of the current step: with the embedding rows appended if any. */
  private netInput(g: Group, part: "actor" | "critic"): Float32Array {
    const rows = part === "actor" || g.critDim === 0 ? g.cur : g.critCur;
    const emb = g.params.embedding;
    if (!emb) return rows;
    const d = part === "actor" || g.critDim === 0 ? g.obsDim : g.critDim;
    const out = part === "actor" || g.critDim === 0 ? g.inBuf : g.critInBuf;
    appendEmbedding(rows, d, emb, g.agentOfSlot, g.slots.length, out);
    return out;
  }

  /** Policy heads [S, k] and values [S] of the group's current step (JS loops, or one TF.js pass for big groups). */
  private forward(g: Group): { head: Float32Array; values: Float32Array } {
    const S = g.slots.length;
    const act = this.config.activation;
    if (!g.tfInference) {
      const head = netForward(g.params, act, "actor", this.netInput(g, "actor"), S, g.scratch, "a");
      return { head, values: netForward(g.params, act, "critic", this.netInput(g, "critic"), S, g.scratch, "c") };
    }
    let out: { head: Float32Array; values: Float32Array } | undefined;
    if (!g.inferenceWeights) g.inferenceWeights = paramTensors(g.params);
    const ws = g.inferenceWeights;
    tf.tidy(() => {
      const x = tf.tensor2d(g.cur, [S, g.obsDim]);
      const xc = g.critDim > 0 ? tf.tensor2d(g.critCur, [S, g.critDim]) : undefined;
      const idx = g.params.embedding ? tf.tensor1d(g.agentOfSlot, "int32") : undefined;
      const r = actorCriticTf(splitTensors(g.params, ws), act, x, xc, idx);
      out = { head: r.head.dataSync() as Float32Array, values: r.value.dataSync() as Float32Array };
    });
    return out!;
  }

  private values(g: Group): Float32Array {
    return this.forward(g).values;
  }

  /** Drop the inference weight tensors (after the weights changed). */
  protected staleInference(): void {
    for (const g of this.groups) {
      g.inferenceWeights?.forEach((t) => t.dispose());
      g.inferenceWeights = undefined;
    }
  }

  /** The critic's value of slot s's final observation (or final global state) after a truncation. */
  private valueOf(g: Group, s: number, info: Info): number {
    const c = this.config;
    let x: Float32Array;
    if (g.critDim > 0) {
      const st = Float32Array.from(info.finalState as ArrayLike<number>);
      if (g.stateRms) normalizeInPlace(st, 0, { mean: g.stateRms.mean, var: g.stateRms.var, clip: c.clipObservation });
      x = new Float32Array(g.critDim);
      x.set(st);
      if (g.critDim > g.stateDim) x[g.stateDim + g.agentOfSlot[s]] = 1;
    } else {
      const raw = new Float32Array(g.rawDim);
      g.encode(info.finalObservation, raw, 0);
      if (g.obsRms) normalizeInPlace(raw, 0, { mean: g.obsRms.mean, var: g.obsRms.var, clip: c.clipObservation });
      x = new Float32Array(g.obsDim);
      x.set(raw);
      if (g.obsDim > g.rawDim) x[g.rawDim + g.agentOfSlot[s]] = 1;
    }
    const one = Int32Array.of(g.agentOfSlot[s]);
    if (g.params.embedding) {
      const out = new Float32Array(x.length + g.params.embedding.dim);
      appendEmbedding(x, x.length, g.params.embedding, one, 1, out);
      x = out;
    }
    return netForward(g.params, c.activation, "critic", x, 1, g.scratch, "vb")[0];
  }

  /** Collect `numSteps` vector steps into every group's storage. */
  protected collectRollout(): void {
    const { numSteps, gamma, clipReward } = this.config;
    const envActions: unknown[] = new Array(this.vec.numEnvs);
    const prof = this.profile;
    for (let t = 0; t < numSteps; t++) {
      const ti = performance.now();
      for (const g of this.groups) {
        const S = g.slots.length;
        const b = g.buf;
        const base = t * S;
        b.obs.set(g.cur, base * g.obsDim);
        if (g.critDim > 0) b.critObs.set(g.critCur, base * g.critDim);
        const { head, values } = this.forward(g);
        // exp(logStd) once per step, not once per agent and dimension.
        const std = g.action.kind === "gaussian" ? stdOf(g.params.logStd!) : undefined;
        for (let s = 0; s < S; s++) {
          b.values[base + s] = values[s];
          const a = g.action;
          if (a.kind === "categorical") {
            logSoftmax(head, a.n, s * a.n, g.logpScratch);
            const k = categoricalSample(g.logpScratch, a.n, this.policyRng);
            b.actions[base + s] = k;
            b.logp[base + s] = g.logpScratch[k];
            envActions[g.slots[s]] = a.start + k;
          } else {
            const ao = (base + s) * a.dim;
            gaussianSample(head, g.params.logStd!, a.dim, this.policyRng, b.actions, ao, s * a.dim, std);
            b.logp[base + s] = gaussianLogProb(b.actions, head, g.params.logStd!, a.dim, ao, s * a.dim, std);
            const clipped = new Array<number>(a.dim);
            for (let j = 0; j < a.dim; j++) clipped[j] = Math.min(a.high[j], Math.max(a.low[j], b.actions[ao + j]));
            envActions[g.slots[s]] = clipped;
          }
        }
      }
      const te = performance.now();
      prof.inference += te - ti;
      const r = this.vec.step(envActions);
      prof.env += performance.now() - te;
      this.globalStep += this.config.numEnvs;
      for (let slot = 0; slot < r.infos.length; slot++) {
        const info = r.infos[slot];
        const ep = (info.episode ?? (info.finalInfo as Info | undefined)?.episode) as { r: number; l: number } | undefined;
        if (ep && (r.terminations[slot] || r.truncations[slot])) {
          this.recordEpisode(ep);
          if (this.groups.length > 1) this.recordAgentEpisode(this.slotGroup(slot), ep.r);
        }
      }
      for (const g of this.groups) {
        const S = g.slots.length;
        const base = t * S;
        for (let s = 0; s < S; s++) {
          const slot = g.slots[s];
          let rew = r.rewards[slot];
          const ended = r.terminations[slot] || r.truncations[slot];
          if (g.retRms) {
            g.retAcc[s] = g.retAcc[s] * gamma + rew;
          }
          g.buf.ends[base + s] = ended ? 1 : 0;
          g.buf.rewards[base + s] = rew;
        }
        if (g.retRms) {
          g.retRms.update(g.retAcc, S);
          const sd = Math.sqrt(g.retRms.var[0] + 1e-8);
          for (let s = 0; s < S; s++) {
            const v = g.buf.rewards[base + s] / sd;
            g.buf.rewards[base + s] = v > clipReward ? clipReward : v < -clipReward ? -clipReward : v;
            if (g.buf.ends[base + s]) g.retAcc[s] = 0;
          }
        }
        // Truncation is not termination: bootstrap from the critic's value of the final observation.
        for (let s = 0; s < S; s++) {
          const slot = g.slots[s];
          if (r.truncations[slot] && !r.terminations[slot]) {
            g.buf.rewards[base + s] += gamma * this.valueOf(g, s, r.infos[slot]);
          }
        }
        this.loadCurrent(g, r.observations, true);
      }
      this.observations = r.observations;
    }
    for (const g of this.groups) g.buf.lastValues.set(this.values(g).subarray(0, g.slots.length));
  }

  private recordEpisode(ep: { r: number; l: number }): void {
    this.episodeReturns.push(ep.r);
    this.episodeLengths.push(ep.l);
    const w = this.config.statsWindow;
    if (this.episodeReturns.length > w) {
      this.episodeReturns.splice(0, this.episodeReturns.length - w);
      this.episodeLengths.splice(0, this.episodeLengths.length - w);
    }
  }

  private slotGroupCache: string[] | null = null;

  private slotGroup(slot: number): string {
    if (!this.slotGroupCache) {
      this.slotGroupCache = [];
      for (const g of this.groups) for (const s of g.slots) this.slotGroupCache[s] = g.name;
    }
    return this.slotGroupCache[slot];
  }

  private recordAgentEpisode(agent: string, r: number): void {
    let list = this.agentReturns.get(agent);
    if (!list) this.agentReturns.set(agent, (list = []));
    list.push(r);
    if (list.length > this.config.statsWindow) list.splice(0, list.length - this.config.statsWindow);
  }

  /** Mean return and length over the last `statsWindow` finished episodes (NaN before the first). */
  episodeStats(): { returnMean: number; lengthMean: number; count: number } {
    const n = this.episodeReturns.length;
    if (n === 0) return { returnMean: NaN, lengthMean: NaN, count: 0 };
    return { returnMean: mean(this.episodeReturns), lengthMean: mean(this.episodeLengths), count: n };
  }

  /**
   * Train until `totalSteps` environment steps, rounded down to whole iterations of `numEnvs * numSteps`
   * ({@link plannedSteps}); a `totalSteps` smaller than one iteration is a ConfigError (`PPO.learn`) at `totalSteps`. The learning
   * rate anneals linearly to 0 over those iterations (CleanRL). Calling it again after a restore continues the
   * same run. Returns the trained policy.
   */
  async learn(totalSteps: number, opts: LearnOptions = {}): Promise<LearnedPolicy | MultiAgentPolicy> {
    checkTotalSteps(totalSteps, this.stepsPerIteration, this.optionsName());
    this.backend = await initBackend({ backend: this.config.backend });
    if (this.observations === null) this.start();
    const numIterations = Math.floor(totalSteps / this.stepsPerIteration);
    while (this.iteration < numIterations) {
      if (opts.signal?.aborted) break;
      this.iteration++;
      const remaining = 1 - (this.iteration - 1) / numIterations;
      const lr = this.config.annealLr ? remaining * this.config.learningRate : this.config.learningRate;
      for (const g of this.groups) g.adam.lr = lr;
      const t0 = performance.now();
      this.collectRollout();
      const t1 = performance.now();
      const metrics = this.groups.map((g) => this.update(g));
      this.staleInference();
      const t2 = performance.now();
      const stats = this.episodeStats();
      const row: CurveRow = {
        global_step: this.globalStep,
        episode_return_mean: stats.returnMean,
        episode_length_mean: stats.lengthMean,
        policy_loss: mean(metrics.map((m) => m.policy_loss)),
        value_loss: mean(metrics.map((m) => m.value_loss)),
        entropy: mean(metrics.map((m) => m.entropy)),
        approx_kl: mean(metrics.map((m) => m.approx_kl)),
        clip_fraction: mean(metrics.map((m) => m.clip_fraction)),
        explained_variance: mean(metrics.map((m) => m.explained_variance)),
        steps_per_second: this.stepsPerIteration / ((t2 - t0) / 1000),
      };
      let agents: Progress["agents"];
      if (this.groups.length > 1) {
        agents = {};
        this.groups.forEach((g, k) => {
          const rets = this.agentReturns.get(g.name) ?? [];
          agents![g.name] = { ...metrics[k], episode_return_mean: rets.length > 0 ? mean(rets) : NaN };
        });
      }
      const progress: Progress = {
        iteration: this.iteration,
        numIterations,
        globalStep: this.globalStep,
        totalSteps,
        row,
        learningRate: lr,
        agents,
        timings: { rollout: (t1 - t0) / 1000, update: (t2 - t1) / 1000 },
      };
      opts.onProgress?.(progress);
      if ((await opts.onIteration?.(progress)) === "stop") break;
      // Let signal handlers (Ctrl-C) run between iterations.
      await new Promise<void>((res) => setImmediate(res));
    }
    return this.policy();
  }

  /** The current policy (a copy of the weights). */
  policy(): LearnedPolicy | MultiAgentPolicy {
    const c = this.config;
    // Every returned policy samples from its own stream: actSeed(learner seed[, agent]).
    const make1 = (g: Group, params: ActorCriticParams, agent?: string, index?: number) =>
      new LearnedPolicy(
        g.obsSpace,
        g.actSpace,
        {
          actorHidden: c.actorHidden,
          criticHidden: c.criticHidden,
          activation: c.activation,
          initLogStd: c.initLogStd,
          ...(c.sharedHidden.length > 0 ? { sharedHidden: c.sharedHidden } : {}),
          ...(g.critDim > 0 ? { criticInput: "state" as const } : {}),
          ...(g.agentId !== "none" ? { agentId: { kind: g.agentId, count: g.agentCount, index: index! } } : {}),
        },
        params,
        frozenNormalization(g.obsRms?.getState(), c.clipObservation),
        actSeed(c.seed, agent),
      );
    if (this.agents === null) return make1(this.groups[0], cloneParams(this.groups[0].params));
    const policies: Record<string, LearnedPolicy> = {};
    if (c.shareParameters) {
      // One copy of the weights for every agent (saved once); with an agent-id feature each agent's policy knows its index.
      const g = this.groups[0];
      const params = cloneParams(g.params);
      this.agents.forEach((a, k) => (policies[a] = make1(g, params, a, k)));
    } else this.groups.forEach((g) => (policies[g.name] = make1(g, cloneParams(g.params), g.name)));
    return new MultiAgentPolicy(policies);
  }

  getState(): LearnerState {
    const snap = (this.vec as unknown as { canSnapshot?: () => boolean }).canSnapshot?.() ?? false;
    return {
      algorithm: this.algorithm,
      globalStep: this.globalStep,
      iteration: this.iteration,
      groups: this.groups.map((g) => ({
        name: g.name,
        params: serializeParams(g.params),
        adam: g.adam.getState(),
        obsRms: g.obsRms?.getState(),
        retRms: g.retRms?.getState(),
        stateRms: g.stateRms?.getState(),
        retAcc: Array.from(g.retAcc),
      })),
      rngs: { policy: this.policyRng.state(), update: this.updateRng.state() },
      observations: this.observations,
      envState: snap ? (this.vec as unknown as { getState(): unknown }).getState() : null,
      episodeReturns: [...this.episodeReturns],
      episodeLengths: [...this.episodeLengths],
      agentReturns: Object.fromEntries([...this.agentReturns].map(([a, r]) => [a, [...r]])),
    };
  }

  /**
   * Restore a saved state into a learner built with the same config. When the envs could not be saved, they
   * are reset with a seed derived from the config seed and the step count (training continues, not bit-identically).
   * Returns whether the restore is exact.
   */
  setState(s: LearnerState): boolean {
    if (s.algorithm !== this.algorithm) throw new Error(`checkpoint is for ${s.algorithm}, not ${this.algorithm}`);
    if (s.groups.length !== this.groups.length) throw new Error("checkpoint has another number of policy groups");
    this.globalStep = s.globalStep;
    this.iteration = s.iteration;
    s.groups.forEach((gs, k) => {
      const g = this.groups[k];
      const p = deserializeParams(gs.params);
      const dst = paramList(g.params);
      const src = paramList(p);
      if (dst.length !== src.length || dst.some((d, i) => d.length !== src[i].length))
        throw new Error(`checkpoint network shape differs for group ${g.name}`);
      dst.forEach((d, i) => d.set(src[i]));
      g.inferenceWeights?.forEach((t) => t.dispose());
      g.inferenceWeights = undefined;
      g.adam.setState(gs.adam);
      if (g.obsRms && gs.obsRms) g.obsRms = RunningMeanStd.fromState(gs.obsRms);
      if (g.retRms && gs.retRms) g.retRms = RunningMeanStd.fromState(gs.retRms);
      if (g.stateRms && gs.stateRms) g.stateRms = RunningMeanStd.fromState(gs.stateRms);
      g.retAcc = Float64Array.from(gs.retAcc);
    });
    this.policyRng = Rng.fromState(s.rngs.policy);
    this.updateRng = Rng.fromState(s.rngs.update);
    this.episodeReturns = [...s.episodeReturns];
    this.episodeLengths = [...s.episodeLengths];
    this.agentReturns = new Map(Object.entries(s.agentReturns ?? {}).map(([a, r]) => [a, [...r]]));
    let exact = false;
    if (s.envState !== null && s.observations !== null) {
      (this.vec as unknown as { setState(x: unknown): void }).setState(s.envState);
      this.observations = s.observations;
      exact = true;
    } else {
      this.observations = this.vec.reset({ seed: deriveSeed(this.config.seed, "resume", s.globalStep) }).observations;
      // Fresh episodes: the saved per-slot discounted returns belong to the episodes that were cut off.
      for (const g of this.groups) g.retAcc.fill(0);
    }
    for (const g of this.groups) this.loadCurrent(g, this.observations!, false);
    return exact;
  }

  close(): void {
    this.staleInference();
    this.vec.close();
  }
}

export type { Group };

/** Copy rows [S, d] into rows [S, d + count] followed by the one-hot of each row's agent index. */
export function appendOneHot(src: Float32Array, d: number, dst: Float32Array, dd: number, agentOf: Int32Array, S: number): void {
  dst.fill(0, 0, S * dd);
  for (let s = 0; s < S; s++) {
    dst.set(src.subarray(s * d, (s + 1) * d), s * dd);
    dst[s * dd + d + agentOf[s]] = 1;
  }
}

/** Copy rows [S, d] into `out` rows [S, d + emb.dim] followed by each row's agent embedding. */
export function appendEmbedding(
  rows: Float32Array,
  d: number,
  emb: { dim: number; w: Float32Array },
  agentOf: Int32Array,
  S: number,
  out: Float32Array,
): void {
  const w = d + emb.dim;
  for (let s = 0; s < S; s++) {
    out.set(rows.subarray(s * d, (s + 1) * d), s * w);
    out.set(emb.w.subarray(agentOf[s] * emb.dim, (agentOf[s] + 1) * emb.dim), s * w + d);
  }
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** 1 - Var(returns - values) / Var(returns) (NaN when the returns do not vary), as CleanRL logs it. */
export function explainedVariance(values: ArrayLike<number>, returns: ArrayLike<number>): number {
  const n = returns.length;
  const mr = mean(returns);
  let vr = 0;
  let md = 0;
  for (let i = 0; i < n; i++) md += returns[i] - values[i];
  md /= n;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vr += (returns[i] - mr) ** 2;
    vd += (returns[i] - values[i] - md) ** 2;
  }
  return vr === 0 ? NaN : 1 - vd / vr;
}
