import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { initParams, paramList } from "./actor-critic.js";
import { initBackend } from "./backend.js";
import { autodiffGradients, splitFlat } from "./gradients.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("autodiffGradients", () => {
  it("returns d/dw of 0.5 * sum(w^2) + 3 * logStd = w (+3 on logStd), then the metrics; leaks no tensor", () => {
    const params = initParams(
      {
        obsDim: 3,
        action: { kind: "gaussian", dim: 2, low: [-1, -1], high: [1, 1] },
        actorHidden: [4],
        criticHidden: [2],
        activation: "tanh",
        initLogStd: -0.5,
      },
      new Rng(1),
    );
    params.critic[1].b[0] = 0.25; // a non-zero bias (initialisation zeroes them)
    const before = tf.memory().numTensors;
    const flat = autodiffGradients(params, (parts) => {
      const all = [...parts.actor, ...parts.critic, parts.logStd!];
      const sq = tf.addN(all.map((w) => tf.mul(0.5, tf.sum(tf.square(w))))) as tf.Scalar;
      const loss = tf.add(sq, tf.mul(3, tf.sum(parts.logStd!))) as tf.Scalar;
      return { loss, metrics: [sq, tf.scalar(7)] };
    });
    expect(tf.memory().numTensors).toBe(before);
    const list = paramList(params);
    const { grads, rest } = splitFlat(
      flat,
      list.map((p) => p.length),
    );
    expect(grads).toHaveLength(list.length);
    for (let k = 0; k < list.length - 1; k++) expect(Array.from(grads[k])).toEqual(Array.from(list[k]));
    expect(Array.from(grads[list.length - 1])).toEqual([2.5, 2.5]); // logStd (-0.5) + 3
    let sq = 0;
    for (const p of list) for (const v of p) sq += 0.5 * v * v;
    expect(rest).toHaveLength(2);
    expect(rest[0]).toBeCloseTo(sq, 4);
    expect(rest[1]).toBe(7);
  });
});

describe("splitFlat", () => {
  it("splits views by size and returns the remainder; rejects too short an input", () => {
    const flat = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const { grads, rest } = splitFlat(flat, [2, 1, 2]);
    expect(grads.map((g) => Array.from(g))).toEqual([[1, 2], [3], [4, 5]]);
    expect(Array.from(rest)).toEqual([6]);
    grads[0][0] = 9;
    expect(flat[0]).toBe(9); // views, not copies
    expect(() => splitFlat(flat, [4, 4])).toThrow(/splitFlat/);
  });
});
