/**
 * The names of the hidden-layer activations, without TensorFlow.js, for option schemas and messages (validating a
 * config does not load TensorFlow.js). `ACTIVATIONS` in activations.ts has exactly one entry per name, and a
 * hand-written derivative exactly for the names in {@link OUTPUT_DERIVATIVE_ACTIVATIONS}; its type checks both.
 */
export const ACTIVATION_NAMES = ["tanh", "relu", "gelu", "silu"] as const;

export type Activation = (typeof ACTIVATION_NAMES)[number];

/**
 * The activations whose derivative is a function of their output, so that the fast hand-written backward pass
 * (mlp-backprop.ts) covers them; networks with the others train through autodiff.
 */
export const OUTPUT_DERIVATIVE_ACTIVATIONS = ["tanh", "relu"] as const satisfies readonly Activation[];

export type OutputDerivativeActivation = (typeof OUTPUT_DERIVATIVE_ACTIVATIONS)[number];

export function isActivation(name: unknown): name is Activation {
  return typeof name === "string" && (ACTIVATION_NAMES as readonly string[]).includes(name);
}

/** Whether the fast hand-written backward pass can differentiate this activation (its derivative from its output). */
export function fastBackwardSupports(activation: Activation): boolean {
  return (OUTPUT_DERIVATIVE_ACTIVATIONS as readonly string[]).includes(activation);
}
