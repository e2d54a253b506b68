import * as tf from "@tensorflow/tfjs";
import type { Layer } from "./actor-critic.js";
import { activationOf, type Activation, type ActivationDef } from "./activations.js";

/**
 * A hand-written forward and backward pass of one MLP in TensorFlow.js, for the PPO hot loop. TF.js autodiff
 * records a tape (Identity / Cast / Reshape kernels) and differentiates `matMul` with transposed products, which
 * the WASM backend runs outside XNNPACK (measured ~5x slower than a plain product). Here the backward pass uses
 * explicit transposes and weights already transposed in JavaScript, about 5x fewer kernels in all.
 * Must be called inside `tf.tidy`.
 */
export class MlpTape {
  private readonly hs: tf.Tensor2D[] = [];
  private readonly ws: tf.Tensor2D[] = [];
  readonly out: tf.Tensor2D;
  private readonly f: ActivationDef & Required<Pick<ActivationDef, "backwardFromOutput">>;

  constructor(
    private readonly layers: Layer[],
    activation: Activation,
    readonly x: tf.Tensor2D,
  ) {
    const f = activationOf(activation);
    if (!f.backwardFromOutput)
      throw new RangeError(`the fast backward pass cannot differentiate activation "${activation}"; use gradients: "autodiff"`);
    this.f = f as typeof this.f;
    let h = x;
    layers.forEach((l, k) => {
      this.hs.push(h);
      const w = tf.tensor2d(l.w, [l.nIn, l.nOut]);
      this.ws.push(w);
      const z = tf.add(tf.matMul(h, w), tf.tensor1d(l.b)) as tf.Tensor2D;
      h = k === layers.length - 1 ? z : (f.tf(z) as tf.Tensor2D);
    });
    this.out = h;
  }

  /** Gradients [dW0, db0, dW1, db1, ...] (flattened tensors) given dLoss/dOut. */
  backward(dOut: tf.Tensor2D): tf.Tensor[] {
    const grads: tf.Tensor[] = [];
    let dz = dOut;
    for (let k = this.layers.length - 1; k >= 0; k--) {
      const h = this.hs[k];
      const dW = tf.matMul(tf.transpose(h), dz);
      const db = tf.sum(dz, 0);
      grads.unshift(tf.reshape(dW, [-1]), db);
      if (k === 0) break;
      const l = this.layers[k];
      // dh = dz W^T, with W^T made in JavaScript (a plain product on the backend).
      const wt = new Float32Array(l.nIn * l.nOut);
      for (let i = 0; i < l.nIn; i++) for (let j = 0; j < l.nOut; j++) wt[j * l.nIn + i] = l.w[i * l.nOut + j];
      const dh = tf.matMul(dz, tf.tensor2d(wt, [l.nOut, l.nIn]));
      // h is the activation output of layer k-1.
      dz = this.f.backwardFromOutput(dh, h) as tf.Tensor2D;
    }
    return grads;
  }
}
