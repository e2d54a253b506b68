import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../core/rng.js";
import { ForwardScratch, initParams, mlpForward, paramList, type NetworkSpec } from "../actor-critic.js";
import { initBackend } from "../backend.js";
import { gaussianLogProb } from "../distributions.js";
import type { ActionKind } from "../spaces-codec.js";
import { ppoGradients, ppoGradientsAutodiff, type Minibatch } from "./ppo.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function minibatch(action: ActionKind, rng: Rng, n: number, obsDim: number): Minibatch {
  const k = action.kind === "categorical" ? 1 : action.dim;
  const actions = new Float32Array(n * k).map(() => (action.kind === "categorical" ? rng.int(action.n) : rng.normal()));
  return {
    obs: new Float32Array(n * obsDim).map(() => rng.normal()),
    actions,
    // Old log-probs near the current ones so that some ratios are clipped and some are not.
    oldLogp: new Float32Array(n).map(
      () => (action.kind === "categorical" ? Math.log(1 / action.n) : gaussianLogProb([0], [0], [0], 1) * action.dim) + rng.normal(0, 0.3),
    ),
    adv: new Float32Array(n).map(() => rng.normal()),
    returns: new Float32Array(n).map(() => rng.normal()),
    oldValues: new Float32Array(n).map(() => rng.normal(0, 0.3)),
    n,
    obsDim,
  };
}

/** Names of the parameter tensors in paramList order (actor layers, critic layers, logStd). */
function tensorNames(spec: NetworkSpec): string[] {
  const names: string[] = [];
  for (let k = 0; k <= spec.actorHidden.length; k++) names.push(`actor[${k}].w`, `actor[${k}].b`);
  for (let k = 0; k <= spec.criticHidden.length; k++) names.push(`critic[${k}].w`, `critic[${k}].b`);
  if (spec.action.kind === "gaussian") names.push("logStd");
  return names;
}

/**
 * Compare two flat gradients tensor by tensor: the largest difference within each parameter tensor must be below
 * `rtol` times that tensor's largest reference entry (a tensor with a small gradient, such as logStd or an
 * entropy-only actor, is held to its own scale, not the largest gradient of the network). Then the 5 metrics.
 */
function expectGradientsClose(
  fast: Float32Array,
  ref: Float32Array,
  sizes: readonly number[],
  names: readonly string[],
  rtol = 1e-3,
): void {
  expect(fast.length).toBe(ref.length);
  let o = 0;
  const bad: string[] = [];
  sizes.forEach((size, t) => {
    let scale = 0;
    let diff = 0;
    for (let i = o; i < o + size; i++) {
      scale = Math.max(scale, Math.abs(ref[i]));
      diff = Math.max(diff, Math.abs(fast[i] - ref[i]));
    }
    if (!(diff <= rtol * scale + 1e-9))
      bad.push(`${names[t]}: max |fast - autodiff| = ${diff.toExponential(3)}, max |autodiff| = ${scale.toExponential(3)}`);
    o += size;
  });
  for (let i = o; i < ref.length; i++) {
    if (!(Math.abs(fast[i] - ref[i]) <= rtol * Math.max(Math.abs(ref[i]), 1e-6))) bad.push(`metric ${i - o}: ${fast[i]} vs ${ref[i]}`);
  }
  expect(bad).toEqual([]);
}

const CASES = [
  ["categorical", { kind: "categorical", n: 3, start: 0 } as ActionKind, "tanh", true, false],
  ["gaussian", { kind: "gaussian", dim: 2, low: [-1, -1], high: [1, 1] } as ActionKind, "tanh", true, false],
  ["categorical relu, unclipped value loss", { kind: "categorical", n: 2, start: 0 } as ActionKind, "relu", false, false],
  // Zero advantages: the actor's (and logStd's) whole gradient is the entropy bonus's.
  ["categorical, entropy gradient only", { kind: "categorical", n: 3, start: 0 } as ActionKind, "tanh", true, true],
  ["gaussian, entropy gradient only", { kind: "gaussian", dim: 2, low: [-1, -1], high: [1, 1] } as ActionKind, "tanh", true, true],
] as const;

describe("PPO gradients", () => {
  it.each(CASES)(
    "hand-written backward equals TF.js autodiff per parameter tensor (%s)",
    (_name, action, activation, clipVloss, entropyOnly) => {
      const spec: NetworkSpec = { obsDim: 5, action, actorHidden: [16, 8], criticHidden: [12], activation, initLogStd: -0.3 };
      const rng = new Rng(4);
      const params = initParams(spec, rng);
      // Scale the heads up so ratios move away from 1 and clipping happens.
      for (const l of [params.actor[2], params.critic[1]]) l.w.forEach((_, i, w) => (w[i] *= 50));
      const mb = minibatch(action, rng, 64, 5);
      if (entropyOnly) mb.adv.fill(0);
      const value = mlpForward(params.critic, activation, mb.obs, mb.n, new ForwardScratch(), "c");
      // Old values near the new ones for half the samples (the clip range is inside), far for the others.
      for (let i = 0; i < mb.n; i++) mb.oldValues[i] = value[i] + (i % 2 === 0 ? rng.normal(0, 0.1) : rng.normal(0, 2));
      const coefs = { clipCoef: 0.2, clipVloss, entCoef: 0.05, vfCoef: 0.5, activation };
      const fast = ppoGradients(params, coefs, action, mb);
      const ref = ppoGradientsAutodiff(params, coefs, action, mb);
      const sizes = paramList(params).map((p) => p.length);
      expectGradientsClose(fast, ref, sizes, tensorNames(spec));
      const clipFrac = fast[fast.length - 1];
      if (!entropyOnly) expect(clipFrac).toBeGreaterThan(0.05); // the clipped policy branch is exercised
      if (clipVloss) {
        // Both branches of the clipped value loss: the clipped term wins (zero gradient outside the clip range) and
        // the unclipped term wins, each for several samples.
        let clippedWins = 0;
        let unclippedWins = 0;
        for (let i = 0; i < mb.n; i++) {
          const dv = value[i] - mb.oldValues[i];
          const vc = mb.oldValues[i] + Math.min(coefs.clipCoef, Math.max(-coefs.clipCoef, dv));
          if ((vc - mb.returns[i]) ** 2 > (value[i] - mb.returns[i]) ** 2) clippedWins++;
          else unclippedWins++;
        }
        expect(clippedWins).toBeGreaterThanOrEqual(5);
        expect(unclippedWins).toBeGreaterThanOrEqual(5);
      }
      if (entropyOnly) {
        // The entropy gradient is what is compared: the actor's gradient is not zero.
        const actorSize = sizes.slice(0, 2 * (spec.actorHidden.length + 1)).reduce((x, y) => x + y, 0);
        let actor = 0;
        for (let i = 0; i < actorSize; i++) actor = Math.max(actor, Math.abs(ref[i]));
        if (action.kind === "categorical") expect(actor).toBeGreaterThan(1e-4);
        else
          expect(
            Array.from(
              ref.subarray(
                sizes.slice(0, -1).reduce((x, y) => x + y, 0),
                sizes.reduce((x, y) => x + y, 0),
              ),
            ),
          ).toEqual([-0.05, -0.05].map((v) => Math.fround(v)));
      }
    },
  );
});
