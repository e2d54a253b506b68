import * as tf from "@tensorflow/tfjs";
import { paramTensors, splitTensors, type ActorCriticParams } from "./actor-critic.js";

/** The parameter tensors a loss sees, split as in {@link splitTensors}. */
export type ParamParts = ReturnType<typeof splitTensors>;

/**
 * Gradients of a scalar loss of the actor-critic weights through TF.js autodiff (`tf.grads`), flat in
 * {@link paramList} order, followed by the loss's metrics (scalars, in the order `loss` returns them). `loss` runs
 * inside a `tf.tidy`: tensors it creates are disposed. Used by REINFORCE and as the reference PPO's hand-written
 * backward ({@link ppoGradients}) is tested against.
 */
export function autodiffGradients(
  params: ActorCriticParams,
  loss: (w: ParamParts) => { loss: tf.Scalar; metrics: tf.Scalar[] },
): Float32Array {
  // The result is declared outside the tidy, which returns nothing: returning a typed array from tf.tidy makes
  // TF.js walk every element looking for tensors (milliseconds per call, measured).
  let out: Float32Array | undefined;
  tf.tidy(() => {
    const ws = paramTensors(params);
    let metrics: tf.Tensor | undefined;
    const lossFn = (...w: tf.Tensor[]): tf.Scalar => {
      const r = loss(splitTensors(params, w));
      metrics = tf.keep(tf.stack(r.metrics));
      return r.loss;
    };
    const grads = tf.grads(lossFn)(ws);
    out = (tf.concat([...grads.map((t) => tf.reshape(t, [-1])), metrics!]).dataSync() as Float32Array).slice();
    metrics!.dispose();
  });
  return out!;
}

/**
 * Split a flat gradient vector into one view per parameter (`sizes` in {@link paramList} order) and the values
 * after them (the metrics). Views, not copies.
 */
export function splitFlat(flat: Float32Array, sizes: readonly number[]): { grads: Float32Array[]; rest: Float32Array } {
  const grads: Float32Array[] = [];
  let o = 0;
  for (const n of sizes) {
    grads.push(flat.subarray(o, o + n));
    o += n;
  }
  if (o > flat.length) throw new RangeError(`splitFlat: ${flat.length} values for parameters of ${o}`);
  return { grads, rest: flat.subarray(o) };
}
