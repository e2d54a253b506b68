import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../core/rng.js";
import {
  ForwardScratch,
  actorCriticTf,
  initParams,
  netForward,
  paramList,
  paramTensors,
  splitTensors,
  type NetworkSpec,
} from "../actor-critic.js";
import { ACTIVATION_NAMES, activationOf } from "../activations.js";
import { initBackend } from "../backend.js";
import { gaussianLogProb } from "../distributions.js";
import type { ActionKind } from "../spaces-codec.js";
import { parseTrainConfig } from "../train-config.js";
import { learnerFromConfig } from "../learner-from-config.js";
import { ConfigError } from "../../io/errors.js";
import { PPO, TfParamVariables, ppoGradients, ppoGradientsAutodiff, ppoGradientsVariables, ppoLossTf, type Minibatch } from "./ppo.js";
import "../../envs/index.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function minibatch(action: ActionKind, rng: Rng, n: number, obsDim: number, extra: Partial<Minibatch> = {}): Minibatch {
  const k = action.kind === "categorical" ? 1 : action.dim;
  return {
    obs: new Float32Array(n * obsDim).map(() => rng.normal()),
    actions: new Float32Array(n * k).map(() => (action.kind === "categorical" ? rng.int(action.n) : rng.normal())),
    oldLogp: new Float32Array(n).map(
      () => (action.kind === "categorical" ? Math.log(1 / action.n) : gaussianLogProb([0], [0], [0], 1) * action.dim) + rng.normal(0, 0.3),
    ),
    adv: new Float32Array(n).map(() => rng.normal()),
    returns: new Float32Array(n).map(() => rng.normal()),
    oldValues: new Float32Array(n).map(() => rng.normal(0, 0.3)),
    n,
    obsDim,
    ...extra,
  };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe("activations table", () => {
  it("every activation's plain-JS forward equals its TF.js forward (float32 rounding)", () => {
    const xs = Float32Array.from({ length: 201 }, (_, i) => -6 + i * 0.06);
    for (const name of ACTIVATION_NAMES) {
      const f = activationOf(name);
      const js = xs.slice();
      f.apply(js, 0, js.length);
      const t = f.tf(tf.tensor1d(xs)).dataSync();
      for (let i = 0; i < xs.length; i++)
        expect(Math.abs(js[i] - t[i]), `${name}(${xs[i]})`).toBeLessThan(2e-6 * Math.max(1, Math.abs(t[i])));
    }
    // Reference values: gelu(1) = Phi(1) = 0.8413447, silu(1) = 1 / (1 + e^-1) = 0.7310586.
    const one = Float32Array.of(1, 1);
    activationOf("gelu").apply(one, 0, 1);
    activationOf("silu").apply(one, 1, 1);
    expect(one[0]).toBeCloseTo(0.8413447, 6);
    expect(one[1]).toBeCloseTo(0.7310586, 6);
  });

  it("an unknown activation is an error, never relu", () => {
    expect(() => activationOf("swish")).toThrow(/unknown activation "swish"; known: tanh, relu, gelu, silu/);
    let err: unknown;
    try {
      new PPO({ env: "CartPole-v1", activation: "swish" as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      { path: "activation", message: 'must be one of "tanh", "relu", "gelu", "silu", got "swish"' },
    ]);
    const cfg = { env: "CartPole-v1", algorithm: "ppo", totalSteps: 1024, hyperparameters: { activation: "swish" } };
    expect(() => parseTrainConfig(cfg, "x.json")).toThrow(ConfigError);
    try {
      parseTrainConfig(cfg, "x.json");
    } catch (e) {
      expect((e as ConfigError).issues[0].path).toBe("hyperparameters.activation");
    }
  });

  it("the JS forward of a network with trunk and embedding equals its TF.js forward", () => {
    for (const activation of ACTIVATION_NAMES) {
      const spec: NetworkSpec = {
        obsDim: 4,
        action: { kind: "categorical", n: 3, start: 0 },
        actorHidden: [8],
        criticHidden: [6],
        activation,
        initLogStd: 0,
        sharedHidden: [10],
        embedding: { count: 5, dim: 3 },
      };
      const rng = new Rng(2);
      const p = initParams(spec, rng);
      const n = 7;
      const x = new Float32Array(n * 4).map(() => rng.normal());
      const idx = Int32Array.from({ length: n }, (_, i) => i % 5);
      const xe = new Float32Array(n * 7);
      for (let r = 0; r < n; r++) {
        xe.set(x.subarray(r * 4, r * 4 + 4), r * 7);
        xe.set(p.embedding!.w.subarray(idx[r] * 3, idx[r] * 3 + 3), r * 7 + 4);
      }
      const head = netForward(p, activation, "actor", xe, n, new ForwardScratch(), "a").slice(0, n * 3);
      const value = netForward(p, activation, "critic", xe, n, new ForwardScratch(), "c").slice(0, n);
      const t = tf.tidy(() => {
        const r = actorCriticTf(splitTensors(p, paramTensors(p)), activation, tf.tensor2d(x, [n, 4]), undefined, tf.tensor1d(idx, "int32"));
        return [r.head.dataSync().slice(), r.value.dataSync().slice()];
      });
      for (let i = 0; i < head.length; i++) expect(head[i]).toBeCloseTo(t[0][i], 5);
      for (let i = 0; i < n; i++) expect(value[i]).toBeCloseTo(t[1][i], 5);
    }
  });
});

describe("autodiff gradient path (tf.variableGrads)", () => {
  it.each([
    ["categorical tanh", { kind: "categorical", n: 3, start: 0 } as ActionKind, "tanh", true],
    ["gaussian tanh", { kind: "gaussian", dim: 2, low: [-1, -1], high: [1, 1] } as ActionKind, "tanh", true],
    ["categorical relu, unclipped value loss", { kind: "categorical", n: 2, start: 0 } as ActionKind, "relu", false],
  ] as const)("equals the fast hand-written path where both apply (%s)", (_n, action, activation, clipVloss) => {
    const spec: NetworkSpec = { obsDim: 5, action, actorHidden: [16, 8], criticHidden: [12], activation, initLogStd: -0.3 };
    const rng = new Rng(4);
    const params = initParams(spec, rng);
    for (const l of [params.actor[2], params.critic[1]]) l.w.forEach((_, i, w) => (w[i] *= 50));
    const mb = minibatch(action, rng, 64, 5);
    const coefs = { clipCoef: 0.2, clipVloss, entCoef: 0.05, vfCoef: 0.5, activation };
    const fast = ppoGradients(params, coefs, action, mb);
    const vars = new TfParamVariables(params);
    const auto = ppoGradientsVariables(vars, params, coefs, action, mb);
    vars.dispose();
    expect(auto.length).toBe(fast.length);
    expect(fast[fast.length - 1]).toBeGreaterThan(0.05); // the clipped branch is exercised
    const scale = Math.max(1, maxAbs(fast));
    // float32 rounding: both compute the same sums in a different order.
    for (let i = 0; i < fast.length; i++) expect(Math.abs(auto[i] - fast[i])).toBeLessThan(2e-5 * scale);
  });

  it("matches central finite differences for GELU and SiLU networks with a shared trunk, an embedding and a centralised critic", () => {
    for (const activation of ["gelu", "silu"] as const) {
      const action: ActionKind = { kind: "gaussian", dim: 2, low: [-1, -1], high: [1, 1] };
      const spec: NetworkSpec = {
        obsDim: 3,
        action,
        actorHidden: [6],
        criticHidden: [5],
        activation,
        initLogStd: -0.2,
        embedding: { count: 4, dim: 2 },
        criticObsDim: 4,
      };
      const rng = new Rng(9);
      const params = initParams(spec, rng);
      const n = 16;
      const mb = minibatch(action, rng, n, 3, {
        critObs: new Float32Array(n * 4).map(() => rng.normal()),
        critDim: 4,
        agentIdx: Int32Array.from({ length: n }, (_, i) => i % 4),
      });
      // A large clip so that the loss is smooth around the point (finite differences do not cross a kink).
      const coefs = { clipCoef: 100, clipVloss: false, entCoef: 0.01, vfCoef: 0.5, activation };
      const vars = new TfParamVariables(params);
      const g = ppoGradientsVariables(vars, params, coefs, action, mb);
      vars.dispose();
      const ref = ppoGradientsAutodiff(params, coefs, action, mb);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(g[i] - ref[i])).toBeLessThan(1e-6 * Math.max(1, maxAbs(ref)));
      // Finite differences in float64 of the TF.js loss are limited by float32 evaluation: check the largest
      // gradient entries of every parameter array with a relative tolerance.
      const loss = () =>
        tf.tidy(() => {
          const t = {
            x: tf.tensor2d(mb.obs, [n, 3]),
            xc: tf.tensor2d(mb.critObs!, [n, 4]),
            idx: tf.tensor1d(mb.agentIdx!, "int32"),
            actions: tf.tensor2d(mb.actions, [n, 2]),
            oldLp: tf.tensor1d(mb.oldLogp),
            adv: tf.tensor1d(mb.adv),
            ret: tf.tensor1d(mb.returns),
            oldV: tf.tensor1d(mb.oldValues),
          };
          return ppoLossTf(splitTensors(params, paramTensors(params)), coefs, action, t).loss.dataSync()[0];
        });
      let o = 0;
      for (const arr of paramList(params)) {
        let best = 0;
        for (let j = 1; j < arr.length; j++) if (Math.abs(g[o + j]) > Math.abs(g[o + best])) best = j;
        const h = 1e-2;
        const v0 = arr[best];
        arr[best] = v0 + h;
        const up = loss();
        arr[best] = v0 - h;
        const down = loss();
        arr[best] = v0;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(fd - g[o + best]), `${activation} param block at ${o}`).toBeLessThan(2e-2 * Math.abs(g[o + best]) + 2e-4);
        o += arr.length;
      }
    }
  });

  it("PPO with gradients autodiff trains to the same weights as the fast path (CartPole, 2 updates)", async () => {
    const run = async (gradients: "fast" | "autodiff") => {
      const ppo = new PPO({ env: "CartPole-v1", numEnvs: 2, numSteps: 64, seed: 3, gradients, backend: "cpu" });
      expect(ppo.gradientPath).toBe(gradients);
      await ppo.learn(256);
      const p = paramList((ppo as unknown as { groups: { params: never }[] }).groups[0].params);
      ppo.close();
      return p;
    };
    const a = await run("fast");
    const b = await run("autodiff");
    let worst = 0;
    a.forEach((arr, k) => arr.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k][i])))));
    // 2 updates x 4 epochs x 4 minibatches of Adam steps (lr 2.5e-4 each): the two paths stay within float32 noise.
    expect(worst).toBeLessThan(1e-5);
  });

  it('gradients "auto" picks autodiff where the fast path does not apply; "fast" there is an option error', () => {
    const gelu = new PPO({ env: "CartPole-v1", activation: "gelu", backend: "cpu" });
    expect(gelu.gradientPath).toBe("autodiff");
    gelu.close();
    const plain = new PPO({ env: "CartPole-v1", backend: "cpu" });
    expect(plain.gradientPath).toBe("fast");
    plain.close();
    expect(() => new PPO({ env: "CartPole-v1", sharedHidden: [16], gradients: "fast" })).toThrow(
      /- gradients: "fast" does not apply to a shared trunk/,
    );
    const cfg = parseTrainConfig(
      { env: "CartPole-v1", algorithm: "ppo", totalSteps: 1024, hyperparameters: { activation: "silu", gradients: "fast" } },
      "y.json",
    );
    try {
      learnerFromConfig(cfg, "y.json");
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).issues[0].path).toBe("hyperparameters.gradients");
    }
  });

  it("a PPO with a GELU shared trunk trains (autodiff) and its saved policy acts like the learner", async () => {
    const ppo = new PPO({
      env: "CartPole-v1",
      numEnvs: 2,
      numSteps: 64,
      seed: 1,
      activation: "gelu",
      sharedHidden: [32],
      actorHidden: [16],
      criticHidden: [16],
      backend: "cpu",
    });
    const policy = (await ppo.learn(256)) as import("../policy.js").LearnedPolicy;
    ppo.close();
    const json = JSON.parse(JSON.stringify(policy.toJSON()));
    expect(json.network.sharedHidden).toEqual([32]);
    const { LearnedPolicy } = await import("../policy.js");
    const again = LearnedPolicy.fromJSON(json);
    const obs = [0.01, -0.02, 0.03, 0.01];
    expect(again.value(obs)).toBeCloseTo(policy.value(obs), 6);
    expect(again.act(obs, { deterministic: true })).toBe(policy.act(obs, { deterministic: true }));
  });
});
