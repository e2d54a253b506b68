import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/rng.js";
import { orthogonal } from "./orthogonal.js";
import type { ActionKind } from "./spaces-codec.js";
import { headDim } from "./spaces-codec.js";

export type Activation = "tanh" | "relu";

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
  const build = (hidden: number[], out: number, headGain: number) => {
    const d = dims(spec.obsDim, hidden, out);
    return d.map(([i, o], k) => layer(i, o, k === d.length - 1 ? headGain : Math.SQRT2));
  };
  const actor = build(spec.actorHidden, headDim(spec.action), 0.01);
  const critic = build(spec.criticHidden, 1, 1.0);
  const params: ActorCriticParams = { actor, critic };
  if (spec.action.kind === "gaussian") params.logStd = new Float32Array(spec.action.dim).fill(spec.initLogStd);
  return params;
}

/** The parameter arrays in a fixed order: actor (w, b per layer), critic (w, b per layer), logStd. */
export function paramList(p: ActorCriticParams): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of p.actor) out.push(l.w, l.b);
  for (const l of p.critic) out.push(l.w, l.b);
  if (p.logStd) out.push(p.logStd);
  return out;
}

export function cloneParams(p: ActorCriticParams): ActorCriticParams {
  const cl = (l: Layer): Layer => ({ nIn: l.nIn, nOut: l.nOut, w: l.w.slice(), b: l.b.slice() });
  return { actor: p.actor.map(cl), critic: p.critic.map(cl), logStd: p.logStd?.slice() };
}

export interface SerializedParams {
  actor: { nIn: number; nOut: number; w: number[]; b: number[] }[];
  critic: { nIn: number; nOut: number; w: number[]; b: number[] }[];
  logStd?: number[];
}

export function serializeParams(p: ActorCriticParams): SerializedParams {
  const s = (l: Layer) => ({ nIn: l.nIn, nOut: l.nOut, w: Array.from(l.w), b: Array.from(l.b) });
  return { actor: p.actor.map(s), critic: p.critic.map(s), logStd: p.logStd && Array.from(p.logStd) };
}

export function deserializeParams(s: SerializedParams): ActorCriticParams {
  const d = (l: SerializedParams["actor"][number]): Layer => ({ nIn: l.nIn, nOut: l.nOut, w: Float32Array.from(l.w), b: Float32Array.from(l.b) });
  return { actor: s.actor.map(d), critic: s.critic.map(d), logStd: s.logStd && Float32Array.from(s.logStd) };
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
export function mlpForward(layers: Layer[], activation: Activation, x: Float32Array, n: number, scratch: ForwardScratch, tag: string): Float32Array {
  let input = x;
  for (let k = 0; k < layers.length; k++) {
    const { nIn, nOut, w, b } = layers[k];
    const out = scratch.get(`${tag}${k}`, n * nOut);
    const last = k === layers.length - 1;
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
      if (!last) {
        if (activation === "tanh") for (let j = 0; j < nOut; j++) out[oo + j] = Math.tanh(out[oo + j]);
        else for (let j = 0; j < nOut; j++) out[oo + j] = out[oo + j] > 0 ? out[oo + j] : 0;
      }
    }
    input = out;
  }
  return input;
}

/** The TensorFlow.js forward pass of one MLP given weight tensors `[w0, b0, w1, b1, ...]`. */
export function mlpForwardTf(ws: tf.Tensor[], activation: Activation, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  const nLayers = ws.length / 2;
  for (let k = 0; k < nLayers; k++) {
    const z = tf.add(tf.matMul(h, ws[2 * k] as tf.Tensor2D), ws[2 * k + 1]) as tf.Tensor2D;
    h = k === nLayers - 1 ? z : activation === "tanh" ? tf.tanh(z) : tf.relu(z);
  }
  return h;
}

/** Tensors for the parameters, in {@link paramList} order (caller disposes, or creates them inside a tidy). */
export function paramTensors(p: ActorCriticParams): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const l of [...p.actor, ...p.critic]) out.push(tf.tensor2d(l.w, [l.nIn, l.nOut]), tf.tensor1d(l.b));
  if (p.logStd) out.push(tf.tensor1d(p.logStd));
  return out;
}

/** Split a {@link paramList}-ordered tensor list into actor weights, critic weights and the log-std. */
export function splitTensors(p: ActorCriticParams, ws: tf.Tensor[]): { actor: tf.Tensor[]; critic: tf.Tensor[]; logStd?: tf.Tensor1D } {
  const na = 2 * p.actor.length;
  const nc = 2 * p.critic.length;
  return { actor: ws.slice(0, na), critic: ws.slice(na, na + nc), logStd: p.logStd ? (ws[na + nc] as tf.Tensor1D) : undefined };
}
