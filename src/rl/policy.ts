import { deriveSeed, Rng } from "../core/rng.js";
import { spaceFromJSON, type Space, type SpaceJSON } from "../core/spaces.js";
import type { ActOptions, Policy } from "../core/types.js";
import { writeFileAtomic } from "../io/atomic.js";
import { UsageError } from "../io/errors.js";
import {
  ForwardScratch,
  cloneParams,
  deserializeParams,
  netForward,
  serializeParams,
  type ActorCriticParams,
  type Activation,
  type SerializedParams,
} from "./actor-critic.js";
import { activationOf } from "./activations.js";
import type { ActionKind } from "./spaces-codec.js";
import { argmax, categoricalSample, gaussianSample, logSoftmax } from "./distributions.js";
import type { RunningMeanStdState } from "../wrappers/running-mean-std.js";
import { checkFormat, readJsonFile } from "../io/config.js";
import { actionKind, obsEncoder, type ObsEncoder } from "./spaces-codec.js";

/** Observation normalisation frozen into a policy: (obs - mean) / sqrt(var + 1e-8), clipped to +-clip. */
export interface ObsNormalization {
  mean: number[];
  var: number[];
  clip: number;
}

/** The network of a saved policy (the learner's options that shape it). */
export interface PolicyNetwork {
  actorHidden: number[];
  criticHidden: number[];
  activation: Activation;
  initLogStd: number;
  /** Shared trunk layers (absent: separate actor and critic). */
  sharedHidden?: number[];
  /** "state": the critic was centralised (MAPPO) and reads the env's global state, so `value()` cannot be used. */
  criticInput?: "observation" | "state";
  /** Agent-id feature of a shared policy: this agent's index among `count`. */
  agentId?: { kind: "onehot" | "embedding"; count: number; index: number };
}

export interface PolicyJSON {
  format: "supplygym-policy";
  version: 1;
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  network: PolicyNetwork;
  /** The weights; "shared" inside a multi-agent file whose `sharedParams` holds the one copy. */
  params: SerializedParams;
  obsNormalization?: ObsNormalization;
  /** The seed of the policy's sampling stream (absent in older files: 0). */
  seed?: number;
}

/** Turn running statistics into frozen normalisation. */
export function frozenNormalization(rms: RunningMeanStdState | undefined, clip: number): ObsNormalization | undefined {
  return rms && { mean: [...rms.mean], var: [...rms.var], clip };
}

/** Writes normalised flat observations: shared by the learners and the saved policy. */
export function normalizeInPlace(
  x: Float32Array,
  offset: number,
  norm: { mean: ArrayLike<number>; var: ArrayLike<number>; clip: number },
): void {
  const d = norm.mean.length;
  for (let j = 0; j < d; j++) {
    const v = (x[offset + j] - norm.mean[j]) / Math.sqrt(norm.var[j] + 1e-8);
    x[offset + j] = v > norm.clip ? norm.clip : v < -norm.clip ? -norm.clip : v;
  }
}

/**
 * The seed of the sampling stream of a learner's policy: one stream per learner seed and agent, so that agents
 * and training seeds never draw the same noise. `MultiAgentPolicy.load(path, seed)` and the learners use it.
 */
export function actSeed(seed: number, agent?: string): number {
  return agent === undefined ? deriveSeed(seed, "act") : deriveSeed(seed, "act", agent);
}

/**
 * A trained actor (and critic) that maps one observation to one action: plain JavaScript inference over the
 * float32 weights, no TensorFlow.js needed. `deterministic` acts with the Categorical's argmax or the Gaussian's
 * mean (clipped to the action bounds); otherwise it samples with its own seeded Rng (`seed`, default 0).
 */
export class LearnedPolicy implements Policy<unknown, number | number[]> {
  readonly spec: PolicyNetwork & { obsDim: number; action: ActionKind };
  private readonly encode: ObsEncoder;
  private readonly rawDim: number;
  private readonly x: Float32Array;
  private readonly scratch = new ForwardScratch();
  private readonly logp: Float64Array;
  private rng: Rng;
  /** The seed of its sampling stream (saved with the policy, so a loaded policy samples as the saved one). */
  readonly seed: number;

  constructor(
    readonly observationSpace: Space,
    readonly actionSpace: Space,
    network: PolicyNetwork,
    readonly params: ActorCriticParams,
    readonly obsNormalization?: ObsNormalization,
    seed = 0,
  ) {
    activationOf(network.activation); // an unknown activation is an error, never a default
    const enc = obsEncoder(observationSpace);
    this.encode = enc.encode;
    this.rawDim = enc.dim;
    const id = network.agentId;
    if (id && !(Number.isInteger(id.index) && id.index >= 0 && id.index < id.count))
      throw new RangeError(`agentId.index ${id.index} is not in [0, ${id.count})`);
    const idDim = id?.kind === "onehot" ? id.count : 0;
    const embDim = id?.kind === "embedding" ? (params.embedding?.dim ?? 0) : 0;
    if (id?.kind === "embedding" && !params.embedding) throw new RangeError("agentId kind embedding needs params.embedding");
    this.spec = { ...network, obsDim: enc.dim + idDim, action: actionKind(actionSpace) };
    this.x = new Float32Array(enc.dim + idDim + embDim);
    this.logp = new Float64Array(this.spec.action.kind === "categorical" ? this.spec.action.n : 0);
    this.seed = seed;
    this.rng = new Rng(seed);
  }

  /** Replace the sampling RNG (stochastic `act`). */
  reseed(seed: number): void {
    this.rng = new Rng(seed);
  }

  private features(observation: unknown): Float32Array {
    this.encode(observation, this.x, 0);
    if (this.obsNormalization) normalizeInPlace(this.x, 0, this.obsNormalization);
    const id = this.spec.agentId;
    if (id?.kind === "onehot") {
      this.x.fill(0, this.rawDim);
      this.x[this.rawDim + id.index] = 1;
    } else if (id?.kind === "embedding") {
      const e = this.params.embedding!;
      this.x.set(e.w.subarray(id.index * e.dim, (id.index + 1) * e.dim), this.rawDim);
    }
    return this.x;
  }

  act(observation: unknown, opts: ActOptions = {}): number | number[] {
    const head = netForward(this.params, this.spec.activation, "actor", this.features(observation), 1, this.scratch, "a");
    const a = this.spec.action;
    if (a.kind === "categorical") {
      if (opts.deterministic) return a.start + argmax(head, a.n);
      logSoftmax(head, a.n, 0, this.logp);
      return a.start + categoricalSample(this.logp, a.n, this.rng);
    }
    const u = new Float32Array(a.dim);
    if (opts.deterministic) u.set(head.subarray(0, a.dim));
    else gaussianSample(head, this.params.logStd!, a.dim, this.rng, u, 0);
    return Array.from(u, (v, j) => Math.min(a.high[j], Math.max(a.low[j], v)));
  }

  /** The critic's value estimate of an observation. */
  value(observation: unknown): number {
    if (this.spec.criticInput === "state")
      throw new RangeError("this policy's critic is centralised (MAPPO): it reads the env's global state, not an observation");
    return netForward(this.params, this.spec.activation, "critic", this.features(observation), 1, this.scratch, "c")[0];
  }

  /** The network options (what toJSON saves as `network`). */
  network(): PolicyNetwork {
    const { obsDim: _o, action: _a, ...network } = this.spec;
    return network;
  }

  /** Everything toJSON writes except the weights. */
  header(): Omit<PolicyJSON, "params"> {
    return {
      format: "supplygym-policy",
      version: 1,
      observationSpace: this.observationSpace.toJSON(),
      actionSpace: this.actionSpace.toJSON(),
      network: this.network(),
      obsNormalization: this.obsNormalization,
      seed: this.seed,
    };
  }

  toJSON(): PolicyJSON {
    return { ...this.header(), params: serializeParams(this.params) };
  }

  /** A policy from its JSON; it samples with `seed`, by default the seed saved with it. */
  static fromJSON(json: PolicyJSON, seed?: number): LearnedPolicy {
    checkFormat(json, "LearnedPolicy.fromJSON", "supplygym-policy", 1);
    const s = seed ?? json.seed ?? 0;
    return new LearnedPolicy(
      spaceFromJSON(json.observationSpace),
      spaceFromJSON(json.actionSpace),
      json.network,
      deserializeParams(json.params),
      json.obsNormalization,
      s,
    );
  }

  /** Write the policy as JSON (atomically). */
  save(path: string): void {
    writeFileAtomic(path, JSON.stringify(this.toJSON()));
  }

  /** Read a policy saved by {@link save}; a bad file is a UsageError starting with `<path>: `. */
  static load(path: string, seed?: number): LearnedPolicy {
    const json = readJsonFile(path);
    checkFormat(json, path, "supplygym-policy", 1);
    return withPath(path, () => LearnedPolicy.fromJSON(json as PolicyJSON, seed));
  }

  /** A copy with its own weights (later training does not change it), sampling with `seed` (default 0). */
  clone(seed = 0): LearnedPolicy {
    return new LearnedPolicy(
      this.observationSpace,
      this.actionSpace,
      this.network(),
      cloneParams(this.params),
      this.obsNormalization,
      seed,
    );
  }
}

/** Independent per-agent policies for a ParallelEnv: `act(observations)` returns every agent's action. */
export class MultiAgentPolicy implements Policy<Record<string, unknown>, Record<string, number | number[]>> {
  constructor(readonly policies: Record<string, LearnedPolicy>) {}

  act(observations: Record<string, unknown>, opts: ActOptions = {}): Record<string, number | number[]> {
    const out: Record<string, number | number[]> = {};
    for (const [agent, obs] of Object.entries(observations)) {
      const p = this.policies[agent];
      if (!p) throw new RangeError(`MultiAgentPolicy: no policy for agent "${agent}"`);
      out[agent] = p.act(obs, opts);
    }
    return out;
  }

  /**
   * Agents whose policies share one weights object (a shared policy) are written with `params: "shared"` and
   * the weights once in `sharedParams`, so 300 agents of one shared policy do not write 300 copies.
   */
  toJSON(): {
    format: "supplygym-multi-agent-policy";
    version: 1;
    policies: Record<string, PolicyJSON | (Omit<PolicyJSON, "params"> & { params: "shared" })>;
    sharedParams?: SerializedParams;
  } {
    const entries = Object.entries(this.policies);
    const first = entries[0]?.[1].params;
    const shared = entries.length > 1 && entries.every(([, p]) => p.params === first);
    const policies: Record<string, PolicyJSON | (Omit<PolicyJSON, "params"> & { params: "shared" })> = {};
    for (const [a, p] of entries) {
      if (!shared) policies[a] = p.toJSON();
      else {
        policies[a] = { ...p.header(), params: "shared" };
      }
    }
    return shared
      ? { format: "supplygym-multi-agent-policy", version: 1, policies, sharedParams: serializeParams(first!) }
      : { format: "supplygym-multi-agent-policy", version: 1, policies };
  }

  save(path: string): void {
    writeFileAtomic(path, JSON.stringify(this.toJSON()));
  }

  /**
   * Read policies saved by {@link save}; a bad file is a UsageError starting with `<path>: `. Each agent's policy
   * samples from its own stream: the seed saved with it, or `actSeed(seed, agent)` when `seed` is given (as the
   * learner that trained them with this seed gives).
   */
  static load(path: string, seed?: number): MultiAgentPolicy {
    const json = readJsonFile(path);
    checkFormat(json, path, "supplygym-multi-agent-policy", 1);
    const entries = (json as { policies?: unknown }).policies;
    if (typeof entries !== "object" || entries === null)
      throw new UsageError(`${path}: "policies" must be an object of per-agent policies`);
    const sharedJson = (json as { sharedParams?: SerializedParams }).sharedParams;
    const shared = sharedJson ? withPath(`${path}: sharedParams`, () => deserializeParams(sharedJson)) : undefined;
    const policies: Record<string, LearnedPolicy> = {};
    for (const [a, p] of Object.entries(entries as Record<string, PolicyJSON | { params: "shared" }>)) {
      const s = seed === undefined ? undefined : actSeed(seed, a);
      policies[a] = withPath(`${path}: policies.${a}`, () => {
        if (p.params !== "shared") return LearnedPolicy.fromJSON(p as PolicyJSON, s);
        if (!shared) throw new UsageError('params is "shared" but the file has no sharedParams');
        const q = p as unknown as PolicyJSON;
        checkFormat(q, `policies.${a}`, "supplygym-policy", 1);
        return new LearnedPolicy(
          spaceFromJSON(q.observationSpace),
          spaceFromJSON(q.actionSpace),
          q.network,
          shared,
          q.obsNormalization,
          s ?? q.seed ?? 0,
        );
      });
    }
    return new MultiAgentPolicy(policies);
  }
}

/** Run `fn`; an error becomes a UsageError whose message starts with `where: ` (once). */
function withPath<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new UsageError(msg.startsWith(`${where}: `) ? msg : `${where}: ${msg}`);
  }
}
