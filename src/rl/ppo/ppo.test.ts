import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../core/rng.js";
import { initParams, type NetworkSpec } from "../actor-critic.js";
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
    oldLogp: new Float32Array(n).map(() => (action.kind === "categorical" ? Math.log(1 / action.n) : gaussianLogProb([0], [0], [0], 1) * action.dim) + rng.normal(0, 0.3)),
    adv: new Float32Array(n).map(() => rng.normal()),
    returns: new Float32Array(n).map(() => rng.normal()),
    oldValues: new Float32Array(n).map(() => rng.normal(0, 0.3)),
    n,
    obsDim,
  };
}

describe("PPO gradients", () => {
  it.each([
    ["categorical", { kind: "categorical", n: 3, start: 0 } as ActionKind, "tanh", true],
    ["gaussian", { kind: "gaussian", dim: 2, low: [-1, -1], high: [1, 1] } as ActionKind, "tanh", true],
    ["categorical relu, unclipped value loss", { kind: "categorical", n: 2, start: 0 } as ActionKind, "relu", false],
  ] as const)("hand-written backward equals TF.js autodiff (%s)", (_name, action, activation, clipVloss) => {
    const spec: NetworkSpec = { obsDim: 5, action, actorHidden: [16, 8], criticHidden: [12], activation, initLogStd: -0.3 };
    const rng = new Rng(4);
    const params = initParams(spec, rng);
    // Scale the heads up so ratios move away from 1 and clipping happens.
    for (const l of [params.actor[2], params.critic[1]]) l.w.forEach((_, i, w) => (w[i] *= 50));
    const mb = minibatch(action, rng, 64, 5);
    const coefs = { clipCoef: 0.2, clipVloss, entCoef: 0.05, vfCoef: 0.5, activation };
    const fast = ppoGradients(params, coefs, action, mb);
    const ref = ppoGradientsAutodiff(params, coefs, action, mb);
    expect(fast.length).toBe(ref.length);
    const clipFrac = fast[fast.length - 1];
    expect(clipFrac).toBeGreaterThan(0.05); // the clipped branch is exercised
    let scale = 0;
    for (const v of ref) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < ref.length; i++) expect(Math.abs(fast[i] - ref[i])).toBeLessThan(1e-4 * Math.max(1, scale));
  });
});
