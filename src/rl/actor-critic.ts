import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/rng.js";
import { orthogonal } from "./orthogonal.js";
import type { ActionKind } from "./spaces-codec.js";
import { headDim } from "./spaces-codec.js";
import { activationOf, type Activation } from "./activations.js";

export type { Activation } from "./activations.js";

/** Shape of an actor-critic pair of MLPs. */
export interface NetworkSpec {
  obsDim: number;
  action: ActionKind;
  /** Hidden layer widths of the policy network (CleanRL: [64, 64]). */
  actorHidden: number[];
  /** Hidden layer widths of the value network (CleanRL: [64, 64]). */
  criticHidden: number[];
  activation: Activation;
  /** Initial log standard deviation of the Gaussian policy (CleanRL: 0). */
  initLogStd: number;
  /**
   * Hidden layers shared by actor and critic before their own layers (a shared trunk; default none = separate
   * networks). The trunk's last layer is activated; actor and critic then start from its output.
   */
  sharedHidden?: number[];
  /** Input width of the critic when it differs from the actor's (MAPPO's centralised critic reads the global state). */
  criticObsDim?: number;
  /** A learned agent-id embedding table [count, dim] whose row is appended to the actor's and critic's inputs. */
  embedding?: { count: number; dim: number };
}

export interface Layer {
  nIn: number;
  nOut: number;
  /** Row-major [nIn, nOut]: y = x W + b. */
  w: Float32Array;
  b: Float32Array;
}

/** Weights of the actor and critic as plain float32 arrays (the master copy; Adam updates these). */
export interface ActorCriticParams {
  actor: Layer[];
  critic: Layer[];
  /** State-independent log-std of the Gaussian policy (Box actions only). */
  logStd?: Float32Array;
  /** Shared trunk ({@link NetworkSpec.sharedHidden}); every layer activated. */
  trunk?: Layer[];
  /** Agent-id embedding, row-major [count, dim] ({@link NetworkSpec.embedding}). */
  embedding?: { count: number; dim: number; w: Float32Array };
}

function dims(input: number, hidden: number[], output: number): [number, number][] {
  const sizes = [input, ...hidden, output];
  return sizes.slice(1).map((n, i) => [sizes[i], n]);
}

/**
 * CleanRL's `layer_init`: orthogonal weights with gain sqrt(2) on hidden layers, 0.01 on the policy head and
 * 1.0 on the value head, zero biases; weights drawn from `rng` so the same seed gives the same network.
 */
export function initParams(spec: NetworkSpec, rng: Rng): ActorCriticParams {
  const layer = (nIn: number, nOut: number, gain: number): Layer => {
    // torch's weight is [out, in]; ours is its transpose [in, out].
    const wt = orthogonal(nOut, nIn, gain, rng);
    const w = new Float32Array(nIn * nOut);
    for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) w[i * nOut + o] = wt[o * nIn + i];
    return { nIn, nOut, w, b: new Float32Array(nOut) };
  };
  const emb = spec.embedding?.dim ?? 0;
  const trunkHidden = spec.sharedHidden ?? [];
  if (trunkHidden.length > 0 && spec.criticObsDim !== undefined && spec.criticObsDim !== spec.obsDim) {
    throw new RangeError("a shared trunk needs the critic to read the actor's input (no separate criticObsDim)");
  }
  const trunkOut = trunkHidden.length > 0 ? trunkHidden[trunkHidden.length - 1] : 0;
  const build = (input: number, hidden: number[], out: number, headGain: number) => {
    const d = dims(input, hidden, out);
    return d.map(([i, o], k) => layer(i, o, k === d.length - 1 ? headGain : Math.SQRT2));
  };
  // Draw order: actor, critic, then the optional parts, so that a plain actor-critic initialises as before.
  const actor = build(trunkOut || spec.obsDim + emb, spec.actorHidden, headDim(spec.action), 0.01);
  const critic = build(trunkOut || (spec.criticObsDim ?? spec.obsDim) + emb, spec.criticHidden, 1, 1.0);
  const params: ActorCriticParams = { actor, critic };
  if (spec.action.kind === "gaussian") params.logStd = new Float32Array(spec.action.dim).fill(spec.initLogStd);
  if (trunkHidden.length > 0) {
    const sizes = [spec.obsDim + emb, ...trunkHidden];
    params.trunk = trunkHidden.map((n, k) => layer(sizes[k], n, Math.SQRT2));
  }
  if (spec.embedding) {
    const { count, dim } = spec.embedding;
    // nn.Embedding's default initialisation: N(0, 1).
    params.embedding = { count, dim, w: Float32Array.from({ length: count * dim }, () => rng.normal()) };
  }
  return params;
}

/**
 * The parameter arrays in a fixed order: actor (w, b per layer), critic (w, b per layer), logStd, then the trunk
 * (w, b per layer) and the embedding table when present.
 */
export function paramList(p: ActorCriticParams): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of p.actor) out.push(l.w, l.b);
  for (const l of p.critic) out.push(l.w, l.b);
  if (p.logStd) out.push(p.logStd);
  for (const l of p.trunk ?? []) out.push(l.w, l.b);
  if (p.embedding) out.push(p.embedding.w);
  return out;
}

/** The shape of every {@link paramList} entry (weights [nIn, nOut], biases [nOut], embedding [count, dim]). */
export function paramShapes(p: ActorCriticParams): number[][] {
  const out: number[][] = [];
  const layers = (ls: Layer[]) => ls.forEach((l) => out.push([l.nIn, l.nOut], [l.nOut]));
  layers(p.actor);
  layers(p.critic);
  if (p.logStd) out.push([p.logStd.length]);
  layers(p.trunk ?? []);
  if (p.embedding) out.push([p.embedding.count, p.embedding.dim]);
  return out;
}

export function cloneParams(p: ActorCriticParams): ActorCriticParams {
  const cl = (l: Layer): Layer => ({ nIn: l.nIn, nOut: l.nOut, w: l.w.slice(), b: l.b.slice() });
  const out: ActorCriticParams = { actor: p.actor.map(cl), critic: p.critic.map(cl), logStd: p.logStd?.slice() };
  if (p.trunk) out.trunk = p.trunk.map(cl);
  if (p.embedding) out.embedding = { ...p.embedding, w: p.embedding.w.slice() };
  return out;
}

type SerializedLayer = { nIn: number; nOut: number; w: number[]; b: number[] };

export interface SerializedParams {
  actor: SerializedLayer[];
  critic: SerializedLayer[];
  logStd?: number[];
  trunk?: SerializedLayer[];
  embedding?: { count: number; dim: number; w: number[] };
}

export function serializeParams(p: ActorCriticParams): SerializedParams {
  const s = (l: Layer) => ({ nIn: l.nIn, nOut: l.nOut, w: Array.from(l.w), b: Array.from(l.b) });
  const out: SerializedParams = { actor: p.actor.map(s), critic: p.critic.map(s), logStd: p.logStd && Array.from(p.logStd) };
  if (p.trunk) out.trunk = p.trunk.map(s);
  if (p.embedding) out.embedding = { count: p.embedding.count, dim: p.embedding.dim, w: Array.from(p.embedding.w) };
  return out;
}

export function deserializeParams(s: SerializedParams): ActorCriticParams {
  const d = (l: SerializedLayer): Layer => ({ nIn: l.nIn, nOut: l.nOut, w: Float32Array.from(l.w), b: Float32Array.from(l.b) });
  const out: ActorCriticParams = { actor: s.actor.map(d), critic: s.critic.map(d), logStd: s.logStd && Float32Array.from(s.logStd) };
  if (s.trunk) out.trunk = s.trunk.map(d);
  if (s.embedding) out.embedding = { count: s.embedding.count, dim: s.embedding.dim, w: Float32Array.from(s.embedding.w) };
  return out;
}

/** Scratch buffers for {@link mlpForward}, reused between calls (no allocation per step). */
export class ForwardScratch {
  private bufs = new Map<string, Float32Array>();
  get(key: string, n: number): Float32Array {
    let b = this.bufs.get(key);
    if (!b || b.length < n) {
      b = new Float32Array(n);
      this.bufs.set(key, b);
    }
    return b;
  }
}

/**
 * Plain-JavaScript forward pass of one MLP over `n` rows of `x` (row-major), float32 storage with float64
 * accumulation. Used for acting (rollouts and `policy.act`): for a 64x64 network and a handful of envs it is far
 * cheaper than a TensorFlow.js call, and it reads the very weights the optimiser updates.
 */
export function mlpForward(
  layers: Layer[],
  activation: Activation,
  x: Float32Array,
  n: number,
  scratch: ForwardScratch,
  tag: string,
  activateLast = false,
): Float32Array {
  const f = activationOf(activation);
  let input = x;
  for (let k = 0; k < layers.length; k++) {
    const { nIn, nOut, w, b } = layers[k];
    const out = scratch.get(`${tag}${k}`, n * nOut);
    const last = k === layers.length - 1 && !activateLast;
    for (let r = 0; r < n; r++) {
      const xo = r * nIn;
      const oo = r * nOut;
      for (let j = 0; j < nOut; j++) out[oo + j] = b[j];
      for (let i = 0; i < nIn; i++) {
        const xv = input[xo + i];
        if (xv === 0) continue;
        const wo = i * nOut;
        for (let j = 0; j < nOut; j++) out[oo + j] += xv * w[wo + j];
      }
      if (!last) f.apply(out, oo, nOut);
    }
    input = out;
  }
  return input;
}

/**
 * Plain-JS forward of the actor head or the critic value over `n` rows of `x` (the network input, embedding row
 * included when the network has one), through the shared trunk when there is one.
 */
export function netForward(
  p: ActorCriticParams,
  activation: Activation,
  part: "actor" | "critic",
  x: Float32Array,
  n: number,
  scratch: ForwardScratch,
  tag: string,
): Float32Array {
  const h = p.trunk ? mlpForward(p.trunk, activation, x, n, scratch, `${tag}t`, true) : x;
  return mlpForward(part === "actor" ? p.actor : p.critic, activation, h, n, scratch, tag);
}

/** The TensorFlow.js forward pass of one MLP given weight tensors `[w0, b0, w1, b1, ...]`. */
export function mlpForwardTf(ws: tf.Tensor[], activation: Activation, x: tf.Tensor2D, activateLast = false): tf.Tensor2D {
  const f = activationOf(activation);
  let h = x;
  const nLayers = ws.length / 2;
  for (let k = 0; k < nLayers; k++) {
    const z = tf.add(tf.matMul(h, ws[2 * k] as tf.Tensor2D), ws[2 * k + 1]) as tf.Tensor2D;
    h = k === nLayers - 1 && !activateLast ? z : (f.tf(z) as tf.Tensor2D);
  }
  return h;
}

/** Tensors for the parameters, in {@link paramList} order (caller disposes, or creates them inside a tidy). */
export function paramTensors(p: ActorCriticParams): tf.Tensor[] {
  const shapes = paramShapes(p);
  return paramList(p).map((a, i) => tf.tensor(a, shapes[i]));
}

export interface ParamTensorParts {
  actor: tf.Tensor[];
  critic: tf.Tensor[];
  logStd?: tf.Tensor1D;
  trunk?: tf.Tensor[];
  embedding?: tf.Tensor2D;
}

/** Split a {@link paramList}-ordered tensor list into actor weights, critic weights, log-std, trunk and embedding. */
export function splitTensors(p: ActorCriticParams, ws: tf.Tensor[]): ParamTensorParts {
  const na = 2 * p.actor.length;
  const nc = 2 * p.critic.length;
  let o = na + nc;
  const out: ParamTensorParts = { actor: ws.slice(0, na), critic: ws.slice(na, o) };
  if (p.logStd) out.logStd = ws[o++] as tf.Tensor1D;
  if (p.trunk) {
    out.trunk = ws.slice(o, o + 2 * p.trunk.length);
    o += 2 * p.trunk.length;
  }
  if (p.embedding) out.embedding = ws[o++] as tf.Tensor2D;
  return out;
}

/**
 * TF.js forward of actor head [n, k] and value [n] (autodiff path). `x` is the actor's input without the
 * embedding, `xc` the critic's (default `x`), `agentIdx` the agent-id rows for the embedding lookup.
 */
export function actorCriticTf(
  parts: ParamTensorParts,
  activation: Activation,
  x: tf.Tensor2D,
  xc?: tf.Tensor2D,
  agentIdx?: tf.Tensor1D,
): { head: tf.Tensor2D; value: tf.Tensor1D } {
  let xa = x;
  let xv = xc ?? x;
  if (parts.embedding) {
    if (!agentIdx) throw new RangeError("actorCriticTf: a network with an agent embedding needs the agent ids");
    const e = tf.gather(parts.embedding, agentIdx) as tf.Tensor2D;
    xa = tf.concat([xa, e], 1);
    xv = xc ? tf.concat([xv, e], 1) : xa;
  }
  if (parts.trunk) {
    const h = mlpForwardTf(parts.trunk, activation, xa, true);
    xa = h;
    xv = h;
  }
  const head = mlpForwardTf(parts.actor, activation, xa);
  const value = tf.reshape(mlpForwardTf(parts.critic, activation, xv), [-1]) as tf.Tensor1D;
  return { head, value };
}
