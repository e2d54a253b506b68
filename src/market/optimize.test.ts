import { describe, expect, it } from "vitest";
import { maximize } from "./optimize.js";

describe("maximize (bounded compass search, multi-start)", () => {
  it("finds an interior maximum of a smooth concave function", () => {
    const f = (x: readonly number[]) => -((x[0] - 0.3) ** 2) - 2 * (x[1] + 0.4) ** 2 - 0.5 * x[0] * x[1];
    const r = maximize(f, [0, 0], [-1, -1], [1, 1], { budget: 2000, tolerance: 1e-7 });
    // stationary point: 2(x0 - 0.3) + 0.5 x1 = 0, 4(x1 + 0.4) + 0.5 x0 = 0
    const x1 = (-1.6 - 0.15) / (4 - 0.125);
    const x0 = 0.3 - 0.25 * x1;
    expect(r.x[0]).toBeCloseTo(x0, 5);
    expect(r.x[1]).toBeCloseTo(x1, 5);
    expect(r.evaluations).toBeLessThanOrEqual(2000);
  });
  it("stops on the box face when the maximum lies outside", () => {
    const r = maximize((x) => x[0] + x[1], [0.5, 0.5], [0, 0], [1, 2]);
    expect(r.x).toEqual([1, 2]);
  });
  it("multi-start escapes a poor local maximum, deterministically given the seed", () => {
    // local max at 0.1 (value 1), global at 0.8 (value 2)
    const f = (x: readonly number[]) => Math.exp(-((x[0] - 0.1) ** 2) / 0.002) + 2 * Math.exp(-((x[0] - 0.8) ** 2) / 0.002);
    const one = maximize(f, [0.1], [0], [1], { starts: 1 });
    expect(one.x[0]).toBeCloseTo(0.1, 3);
    const many = maximize(f, [0.1], [0], [1], { starts: 8, budget: 800, seed: 3 });
    expect(many.x[0]).toBeCloseTo(0.8, 3);
    expect(maximize(f, [0.1], [0], [1], { starts: 8, budget: 800, seed: 3 })).toEqual(many);
    expect(many.startValue).toBeCloseTo(1, 6);
  });
  it("never exceeds its budget and rejects bad bounds", () => {
    let calls = 0;
    maximize(() => (calls++, 0), [0, 0, 0], [0, 0, 0], [1, 1, 1], { budget: 17, starts: 2 });
    expect(calls).toBeLessThanOrEqual(17);
    expect(() => maximize(() => 0, [0], [1], [0])).toThrow(/exceeds/);
  });
});
