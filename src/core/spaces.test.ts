import { describe, expect, it } from "vitest";
import { Rng } from "./rng.js";
import { Box, Dict, Discrete, MultiDiscrete, flatDim, spaceFromJSON } from "./spaces.js";

describe("Rng", () => {
  it("same seed gives the same stream, another seed another", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const sa = Array.from({ length: 5 }, () => a.random());
    expect(Array.from({ length: 5 }, () => b.random())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.random())).not.toEqual(sa);
  });

  it("state round-trips", () => {
    const a = new Rng(3);
    a.random();
    const b = Rng.fromState(a.state());
    expect(b.random()).toBe(a.random());
  });

  it("normal draws have mean about 0 and variance about 1", () => {
    const r = new Rng(1);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});

describe("spaces", () => {
  const rng = new Rng(0);

  it("Box samples inside its bounds, rejects outside and NaN", () => {
    const box = new Box([0, -1], [2, 1]);
    for (let i = 0; i < 100; i++) expect(box.contains(box.sample(rng))).toBe(true);
    expect(box.contains([3, 0])).toBe(false);
    expect(box.contains([NaN, 0])).toBe(false);
    expect(box.contains([1])).toBe(false);
    expect(box.explain([3, 0])).toMatch(/entry 0 = 3 is outside \[0, 2\]/);
  });

  it("unbounded Box samples finite values", () => {
    const box = new Box(-Infinity, Infinity, [3]);
    expect(box.sample(rng).every(Number.isFinite)).toBe(true);
    expect(box.isBounded()).toBe(false);
  });

  it("Discrete, MultiDiscrete and Dict", () => {
    const d = new Discrete(3, 1);
    expect(d.contains(d.sample(rng))).toBe(true);
    expect(d.contains(0)).toBe(false);
    expect(d.contains(1.5)).toBe(false);
    const md = new MultiDiscrete([2, 5]);
    expect(md.contains(md.sample(rng))).toBe(true);
    expect(md.contains([2, 0])).toBe(false);
    const dict = new Dict({ a: new Box(0, 1, [2]), b: d });
    expect(dict.contains(dict.sample(rng))).toBe(true);
    expect(dict.contains({ a: [0.5, 0.5] })).toBe(false);
    expect(dict.explain({ a: [0.5, 2], b: 1 })).toMatch(/^a: entry 1/);
    expect(flatDim(dict)).toBe(5);
  });

  it("JSON form round-trips, infinities included", () => {
    const dict = new Dict({ a: new Box(-Infinity, 1, [2]), b: new Discrete(4), c: new MultiDiscrete([3]) });
    const back = spaceFromJSON(JSON.parse(JSON.stringify(dict.toJSON())));
    expect(back.toJSON()).toEqual(dict.toJSON());
    expect((back as Dict).spaces.a).toBeInstanceOf(Box);
  });
});
