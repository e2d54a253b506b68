import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { clipFactor, Adam } from "./adam.js";
import { ForwardScratch, initParams, mlpForward, mlpForwardTf, paramTensors, splitTensors, type NetworkSpec } from "./actor-critic.js";
import { initBackend } from "./backend.js";
import {
  argmax,
  categoricalLogProbEntropyTf,
  gaussianEntropy,
  gaussianLogProb,
  gaussianLogProbEntropyTf,
  logSoftmax,
} from "./distributions.js";
import { computeGae } from "./gae.js";
import { orthogonal } from "./orthogonal.js";
import { RunningMeanStd } from "../wrappers/running-mean-std.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("computeGae", () => {
  it("matches a hand-computed case (two envs, one episode end, SB3 convention)", () => {
    // env 0: ends at t=2 (last value ignored); env 1: no end, bootstraps from lastValues[1] = 2.
    const { advantages, returns } = computeGae({
      rewards: [1, 1, 1, 1, 1, 1],
      values: [0.5, 0.5, 0.4, 0.4, 0.3, 0.3],
      episodeEnds: [0, 0, 0, 0, 1, 0],
      lastValues: [9, 2],
      numSteps: 3,
      numEnvs: 2,
      gamma: 0.9,
      gaeLambda: 0.8,
    });
    // env 0: A2 = 1 - 0.3 = 0.7; A1 = (1 + 0.9*0.3 - 0.4) + 0.72*0.7 = 1.374; A0 = (1 + 0.36 - 0.5) + 0.72*1.374 = 1.84928
    expect(advantages[4]).toBeCloseTo(0.7, 6);
    expect(advantages[2]).toBeCloseTo(1.374, 6);
    expect(advantages[0]).toBeCloseTo(1.84928, 5);
    // env 1: A2 = 1 + 1.8 - 0.3 = 2.5; A1 = 0.87 + 0.72*2.5 = 2.67; A0 = 0.86 + 0.72*2.67 = 2.7824
    expect(advantages[5]).toBeCloseTo(2.5, 6);
    expect(advantages[3]).toBeCloseTo(2.67, 6);
    expect(advantages[1]).toBeCloseTo(2.7824, 5);
    expect(returns[0]).toBeCloseTo(1.84928 + 0.5, 5);
  });

  it("with gamma = lambda = 1 gives the remaining episode reward (Monte-Carlo)", () => {
    const { returns } = computeGae({
      rewards: [1, 2, 3, 4],
      values: [0, 0, 0, 0],
      episodeEnds: [0, 1, 0, 1],
      lastValues: [0],
      numSteps: 4,
      numEnvs: 1,
      gamma: 1,
      gaeLambda: 1,
    });
    expect(Array.from(returns)).toEqual([3, 2, 7, 4]);
  });
});

describe("Gaussian policy (clipping)", () => {
  it("log-density integrates to 1 and has the right mean, variance and entropy (numeric integration)", () => {
    const mean = [0.3];
    const logStd = [Math.log(0.7)];
    let mass = 0;
    let m1 = 0;
    let m2 = 0;
    let h = 0;
    const dx = 1e-3;
    for (let x = -10; x <= 10; x += dx) {
      const lp = gaussianLogProb([x], mean, logStd, 1);
      const p = Math.exp(lp);
      mass += p * dx;
      m1 += x * p * dx;
      m2 += (x - 0.3) ** 2 * p * dx;
      h -= p * lp * dx;
    }
    expect(mass).toBeCloseTo(1, 6);
    expect(m1).toBeCloseTo(0.3, 6);
    expect(m2).toBeCloseTo(0.49, 6);
    expect(h).toBeCloseTo(gaussianEntropy(logStd), 6);
  });

  it("TensorFlow.js log-prob and entropy equal the JavaScript ones", () => {
    const mean = [0.1, -0.4, 1.2, 0.0];
    const logStd = [-0.5, 0.2];
    const acts = [0.5, 0.3, 1.0, -2.0];
    const { logp, entropy } = gaussianLogProbEntropyTf(tf.tensor2d(mean, [2, 2]), tf.tensor1d(logStd), tf.tensor2d(acts, [2, 2]));
    const lp = logp.dataSync();
    expect(lp[0]).toBeCloseTo(gaussianLogProb(acts, mean, logStd, 2, 0, 0), 5);
    expect(lp[1]).toBeCloseTo(gaussianLogProb(acts, mean, logStd, 2, 2, 2), 5);
    expect(entropy.dataSync()[0]).toBeCloseTo(gaussianEntropy(logStd), 5);
  });

  it("Categorical log-prob and entropy agree between TF.js and JavaScript", () => {
    const logits = [1, 2, 0.5];
    const out = new Float64Array(3);
    logSoftmax(logits, 3, 0, out);
    const { logp, entropy } = categoricalLogProbEntropyTf(tf.tensor2d(logits, [1, 3]), tf.tensor2d([0, 1, 0], [1, 3]));
    expect(logp.dataSync()[0]).toBeCloseTo(out[1], 5);
    expect(entropy.dataSync()[0]).toBeCloseTo(-out.reduce((s, l) => s + Math.exp(l) * l, 0), 5);
    expect(Array.from(out).reduce((s, l) => s + Math.exp(l), 0)).toBeCloseTo(1, 12);
  });
});

describe("orthogonal initialisation", () => {
  const gram = (w: Float32Array, rows: number, cols: number, byCols: boolean) => {
    const k = byCols ? cols : rows;
    const out: number[][] = [];
    for (let a = 0; a < k; a++) {
      out.push([]);
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let i = 0; i < (byCols ? rows : cols); i++)
          s += byCols ? w[i * cols + a] * w[i * cols + b] : w[a * cols + i] * w[b * cols + i];
        out[a].push(s);
      }
    }
    return out;
  };
  it.each([
    [64, 4],
    [4, 64],
    [64, 64],
  ])("%i x %i has orthogonal columns/rows scaled by the gain", (rows, cols) => {
    const w = orthogonal(rows, cols, Math.SQRT2, new Rng(3));
    const g = gram(w, rows, cols, rows >= cols);
    g.forEach((row, a) => row.forEach((v, b) => expect(v).toBeCloseTo(a === b ? 2 : 0, 5)));
  });
  it("is a function of the seed", () => {
    expect(orthogonal(8, 3, 1, new Rng(1))).toEqual(orthogonal(8, 3, 1, new Rng(1)));
    expect(orthogonal(8, 3, 1, new Rng(1))).not.toEqual(orthogonal(8, 3, 1, new Rng(2)));
  });
  it("initParams follows CleanRL: zero biases, head gains 0.01 (actor) and 1 (critic)", () => {
    const spec: NetworkSpec = {
      obsDim: 4,
      action: { kind: "categorical", n: 2, start: 0 },
      actorHidden: [64, 64],
      criticHidden: [64, 64],
      activation: "tanh",
      initLogStd: 0,
    };
    const p = initParams(spec, new Rng(5));
    expect(p.actor.every((l) => l.b.every((b) => b === 0))).toBe(true);
    const colNorm = (l: { w: Float32Array; nIn: number; nOut: number }, c: number) =>
      Math.sqrt(Array.from({ length: l.nIn }, (_, i) => l.w[i * l.nOut + c] ** 2).reduce((a, b) => a + b));
    // head [64, 2]: torch weight [2, 64] has orthonormal rows, i.e. our columns, times the gain
    expect(colNorm(p.actor[2], 0)).toBeCloseTo(0.01, 6);
    expect(colNorm(p.critic[2], 0)).toBeCloseTo(1, 5);
    expect(initParams(spec, new Rng(5))).toEqual(p);
  });
});

describe("JS inference mirrors the TF.js network", () => {
  it("gives the same outputs and the same deterministic actions", () => {
    const spec: NetworkSpec = {
      obsDim: 4,
      action: { kind: "categorical", n: 3, start: 0 },
      actorHidden: [64, 64],
      criticHidden: [32],
      activation: "tanh",
      initLogStd: 0,
    };
    const p = initParams(spec, new Rng(11));
    // Make the head non-trivial so argmax is not decided by noise.
    p.actor[2].w.forEach((_, i, w) => (w[i] *= 100));
    const rng = new Rng(2);
    const n = 200;
    const x = new Float32Array(n * 4).map(() => rng.normal());
    const js = mlpForward(p.actor, "tanh", x, n, new ForwardScratch(), "a").slice();
    const jsV = mlpForward(p.critic, "tanh", x, n, new ForwardScratch(), "c").slice();
    const ws = paramTensors(p);
    const parts = splitTensors(p, ws);
    const tfOut = mlpForwardTf(parts.actor, "tanh", tf.tensor2d(x, [n, 4])).dataSync();
    const tfV = mlpForwardTf(parts.critic, "tanh", tf.tensor2d(x, [n, 4])).dataSync();
    for (let i = 0; i < n * 3; i++) expect(js[i]).toBeCloseTo(tfOut[i], 4);
    for (let i = 0; i < n; i++) {
      expect(jsV[i]).toBeCloseTo(tfV[i], 5);
      expect(argmax(js, 3, i * 3)).toBe(argmax(tfOut, 3, i * 3));
    }
  });
});

describe("Adam and gradient clipping", () => {
  it("first step moves each parameter by lr * g / (|g| + eps) (PyTorch rule)", () => {
    const p = new Float32Array([1, -2]);
    const adam = new Adam([p], 0.1, 0.9, 0.999, 1e-8);
    adam.apply([[0.5, -3]]);
    expect(p[0]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 6);
    expect(p[1]).toBeCloseTo(-2 + 0.1, 6);
    const s = adam.getState();
    const q = new Float32Array([1, -2]);
    const a2 = new Adam([q], 0.1);
    a2.setState(s);
    expect(a2.step).toBe(1);
  });
  it("clips the global norm like clip_grad_norm_", () => {
    const { scale, norm } = clipFactor([[3], [4]], 1);
    expect(norm).toBe(5);
    expect(scale).toBeCloseTo(1 / (5 + 1e-6), 12);
    expect(clipFactor([[0.3], [0.4]], 1).scale).toBe(1);
  });
});

describe("RunningMeanStd", () => {
  it("matches the batch mean and variance after a few updates", () => {
    const r = new RunningMeanStd(1);
    const xs = [1, 2, 3, 4, 5, 6];
    r.update(xs.slice(0, 2), 2);
    r.update(xs.slice(2), 4);
    expect(r.mean[0]).toBeCloseTo(3.5, 3);
    expect(r.var[0]).toBeCloseTo(35 / 12, 3);
  });
});
