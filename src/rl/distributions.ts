import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/rng.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/*
 * Bounded continuous actions use CLIPPING, as CleanRL and Stable-Baselines3's PPO do: the policy is an
 * unbounded diagonal Gaussian N(mean, exp(logStd)^2); the sampled value `u` is what is stored and scored
 * (its exact Gaussian log-density), and the environment receives clip(u, low, high). Clipping is then part of
 * the environment's dynamics, so the log-probability used by the policy gradient is exact for the stored `u`;
 * no squashing correction is needed. Deterministic actions are clip(mean).
 */

/**
 * Log-density of `x` under N(mean, exp(logStd)^2) summed over `dim` dimensions. `std` (optional) is exp(logStd)
 * computed once by the caller (the same numbers, without one `Math.exp` per row and dimension in batch loops).
 */
export function gaussianLogProb(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  dim: number,
  xo = 0,
  mo = 0,
  std?: ArrayLike<number>,
): number {
  let lp = 0;
  for (let j = 0; j < dim; j++) {
    const z = (x[xo + j] - mean[mo + j]) / (std ? std[j] : Math.exp(logStd[j]));
    lp += -0.5 * z * z - logStd[j] - LOG_SQRT_2PI;
  }
  return lp;
}

/** Entropy of the diagonal Gaussian: sum(logStd) + dim * 0.5 * (1 + log 2 pi). */
export function gaussianEntropy(logStd: ArrayLike<number>): number {
  let h = 0;
  for (let j = 0; j < logStd.length; j++) h += logStd[j] + 0.5 + LOG_SQRT_2PI;
  return h;
}

/** Sample `u ~ N(mean, std^2)` into `out` (from `oo`) with the project's Rng. */
export function gaussianSample(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  dim: number,
  rng: Rng,
  out: Float32Array,
  oo: number,
  mo = 0,
  std?: ArrayLike<number>,
): void {
  for (let j = 0; j < dim; j++) out[oo + j] = mean[mo + j] + (std ? std[j] : Math.exp(logStd[j])) * rng.normal();
}

/** exp(logStd) per dimension, for the `std` argument of {@link gaussianLogProb} and {@link gaussianSample}. */
export function stdOf(logStd: ArrayLike<number>, out = new Float64Array(logStd.length)): Float64Array {
  for (let j = 0; j < logStd.length; j++) out[j] = Math.exp(logStd[j]);
  return out;
}

/** log-softmax of `n` logits at `lo` into `out` at `oo`; returns nothing. */
export function logSoftmax(logits: ArrayLike<number>, n: number, lo: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) if (logits[lo + j] > max) max = logits[lo + j];
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(logits[lo + j] - max);
  const lse = max + Math.log(s);
  for (let j = 0; j < n; j++) out[j] = logits[lo + j] - lse;
}

/** Sample an index from log-probabilities by inverting the CDF with one uniform draw. */
export function categoricalSample(logp: Float64Array, n: number, rng: Rng): number {
  const u = rng.random();
  let c = 0;
  for (let j = 0; j < n; j++) {
    c += Math.exp(logp[j]);
    if (u < c) return j;
  }
  return n - 1;
}

export function argmax(x: ArrayLike<number>, n: number, offset = 0): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (x[offset + j] > x[offset + best]) best = j;
  return best;
}

/** TF.js: per-row log-prob and entropy of a Categorical given logits [B, K] and one-hot actions [B, K]. */
export function categoricalLogProbEntropyTf(logits: tf.Tensor2D, oneHot: tf.Tensor2D): { logp: tf.Tensor1D; entropy: tf.Tensor1D } {
  const lsm = tf.logSoftmax(logits);
  const logp = tf.sum(tf.mul(lsm, oneHot), 1) as tf.Tensor1D;
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(lsm), lsm), 1)) as tf.Tensor1D;
  return { logp, entropy };
}

/** TF.js: per-row Gaussian log-prob of actions [B, A] and the (state-independent) entropy, a scalar. */
export function gaussianLogProbEntropyTf(
  mean: tf.Tensor2D,
  logStd: tf.Tensor1D,
  actions: tf.Tensor2D,
): { logp: tf.Tensor1D; entropy: tf.Scalar } {
  const z = tf.mul(tf.sub(actions, mean), tf.exp(tf.neg(logStd)));
  const logp = tf.sub(tf.sum(tf.mul(tf.square(z), -0.5), 1), tf.add(tf.sum(logStd), mean.shape[1] * LOG_SQRT_2PI)) as tf.Tensor1D;
  const entropy = tf.add(tf.sum(logStd), mean.shape[1] * (0.5 + LOG_SQRT_2PI)) as tf.Scalar;
  return { logp, entropy };
}
