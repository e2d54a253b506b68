import { deriveSeed, Rng } from "../core/rng.js";
import { spaceFromJSON, type Space, type SpaceJSON } from "../core/spaces.js";
import type { ActOptions, Policy } from "../core/types.js";
import { writeFileAtomic } from "../io/atomic.js";
import { UsageError } from "../io/errors.js";
import { ForwardScratch, cloneParams, deserializeParams, mlpForward, serializeParams, type ActorCriticParams, type NetworkSpec, type SerializedParams } from "./actor-critic.js";
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

export interface PolicyJSON {
  format: "supplygym-policy";
  version: 1;
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  network: Omit<NetworkSpec, "action" | "obsDim">;
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
export function normalizeInPlace(x: Float32Array, offset: number, norm: { mean: ArrayLike<number>; var: ArrayLike<number>; clip: number }): void {
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
  readonly spec: NetworkSpec;
  private readonly encode: ObsEncoder;
  private readonly x: Float32Array;
  private readonly scratch = new ForwardScratch();
  private readonly logp: Float64Array;
  private rng: Rng;
  /** The seed of its sampling stream (saved with the policy, so a loaded policy samples as the saved one). */
  readonly seed: number;

  constructor(
    readonly observationSpace: Space,
    readonly actionSpace: Space,
    network: Omit<NetworkSpec, "action" | "obsDim">,
    readonly params: ActorCriticParams,
    readonly obsNormalization?: ObsNormalization,
    seed = 0,
  ) {
    const enc = obsEncoder(observationSpace);
    this.encode = enc.encode;
    this.spec = { ...network, obsDim: enc.dim, action: actionKind(actionSpace) };
    this.x = new Float32Array(enc.dim);
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
    return this.x;
  }

  act(observation: unknown, opts: ActOptions = {}): number | number[] {
    const head = mlpForward(this.params.actor, this.spec.activation, this.features(observation), 1, this.scratch, "a");
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
    return mlpForward(this.params.critic, this.spec.activation, this.features(observation), 1, this.scratch, "c")[0];
  }

  toJSON(): PolicyJSON {
    const { actorHidden, criticHidden, activation, initLogStd } = this.spec;
    return {
      format: "supplygym-policy",
      version: 1,
      observationSpace: this.observationSpace.toJSON(),
      actionSpace: this.actionSpace.toJSON(),
      network: { actorHidden, criticHidden, activation, initLogStd },
      params: serializeParams(this.params),
      obsNormalization: this.obsNormalization,
      seed: this.seed,
    };
  }

  /** A policy from its JSON; it samples with `seed`, by default the seed saved with it. */
  static fromJSON(json: PolicyJSON, seed?: number): LearnedPolicy {
    checkFormat(json, "LearnedPolicy.fromJSON", "supplygym-policy", 1);
    const s = seed ?? json.seed ?? 0;
    return new LearnedPolicy(spaceFromJSON(json.observationSpace), spaceFromJSON(json.actionSpace), json.network, deserializeParams(json.params), json.obsNormalization, s);
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
    const { actorHidden, criticHidden, activation, initLogStd } = this.spec;
    return new LearnedPolicy(this.observationSpace, this.actionSpace, { actorHidden, criticHidden, activation, initLogStd }, cloneParams(this.params), this.obsNormalization, seed);
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

  toJSON(): { format: "supplygym-multi-agent-policy"; version: 1; policies: Record<string, PolicyJSON> } {
    const policies: Record<string, PolicyJSON> = {};
    for (const [a, p] of Object.entries(this.policies)) policies[a] = p.toJSON();
    return { format: "supplygym-multi-agent-policy", version: 1, policies };
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
    if (typeof entries !== "object" || entries === null) throw new UsageError(`${path}: "policies" must be an object of per-agent policies`);
    const policies: Record<string, LearnedPolicy> = {};
    for (const [a, p] of Object.entries(entries as Record<string, PolicyJSON>)) policies[a] = withPath(`${path}: policies.${a}`, () => LearnedPolicy.fromJSON(p, seed === undefined ? undefined : actSeed(seed, a)));
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
