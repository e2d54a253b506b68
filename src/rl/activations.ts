import * as tf from "@tensorflow/tfjs";
import { ACTIVATION_NAMES, isActivation, type Activation, type OutputDerivativeActivation } from "./activation-names.js";

export { ACTIVATION_NAMES, isActivation, type Activation } from "./activation-names.js";

/**
 * Hidden-layer activations: ONE table used by the plain-JS forward pass (acting), the TF.js forward pass (autodiff
 * gradient path) and the hand-written backward pass (fast gradient path, only where the derivative can be written
 * from the activation's output). Adding an activation means adding its name to activation-names.ts (and to
 * OUTPUT_DERIVATIVE_ACTIVATIONS when it has a backward from its output) and one entry here; the table's type makes
 * the two agree. An unknown name is an error everywhere ({@link activationOf}), never a silent fallback.
 */
export interface ActivationDef {
  /** Apply in place to `x[o .. o + n)` (float32 storage, plain JS). */
  apply(x: Float32Array, o: number, n: number): void;
  /** TF.js forward (differentiable by TF.js autodiff). */
  tf(z: tf.Tensor): tf.Tensor;
  /**
   * dLoss/dz from dLoss/dh and the output h = f(z), for the fast hand-written backward pass; absent when the
   * derivative is not a function of the output (GELU, SiLU): those networks train with `gradients: "autodiff"`.
   */
  backwardFromOutput?(dh: tf.Tensor, h: tf.Tensor): tf.Tensor;
}

/** erf(x), Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7, below float32 resolution of the activations). */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

export const ACTIVATIONS = {
  /** tanh (CleanRL's default). */
  tanh: {
    apply: (x, o, n) => {
      for (let j = o; j < o + n; j++) x[j] = Math.tanh(x[j]);
    },
    tf: (z) => tf.tanh(z),
    backwardFromOutput: (dh, h) => tf.mul(dh, tf.sub(1, tf.square(h))),
  },
  /** max(0, x). */
  relu: {
    apply: (x, o, n) => {
      for (let j = o; j < o + n; j++) if (!(x[j] > 0)) x[j] = 0;
    },
    tf: (z) => tf.relu(z),
    backwardFromOutput: (dh, h) => tf.mul(dh, tf.step(h)),
  },
  /** Exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (PyTorch's nn.GELU default, Hendrycks & Gimpel 2016). */
  gelu: {
    apply: (x, o, n) => {
      for (let j = o; j < o + n; j++) x[j] = 0.5 * x[j] * (1 + erf(x[j] * Math.SQRT1_2));
    },
    tf: (z) => tf.mul(tf.mul(0.5, z), tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2)))),
  },
  /** SiLU / swish, x * sigmoid(x) (Elfwing et al. 2018). */
  silu: {
    apply: (x, o, n) => {
      for (let j = o; j < o + n; j++) x[j] = x[j] / (1 + Math.exp(-x[j]));
    },
    tf: (z) => tf.mul(z, tf.sigmoid(z)),
  },
} satisfies {
  [K in Activation]: K extends OutputDerivativeActivation
    ? ActivationDef & Required<Pick<ActivationDef, "backwardFromOutput">>
    : ActivationDef & { backwardFromOutput?: undefined };
};

/** The table entry of `name`; an unknown name throws a RangeError listing the known ones. */
export function activationOf(name: string): ActivationDef {
  if (!isActivation(name)) throw new RangeError(`unknown activation ${JSON.stringify(name)}; known: ${ACTIVATION_NAMES.join(", ")}`);
  return ACTIVATIONS[name];
}
