import { describe, expect, it } from "vitest";
import { ConfigError } from "../io/errors.js";
import { DemandProcess, generateDemand } from "./process.js";

describe("DemandProcess", () => {
  it("without noise follows the written equation exactly", () => {
    const spec = { base: 100, trend: 0.01, seasonal: { period: 4, amplitude: 0.2, phase: 1 } };
    const path = generateDemand(spec, 6, 1);
    // t = 0: 100 * (1 + 0 + 0.2 sin(2 pi * 1/4)) = 120; t = 1: 100 * (1.01 + 0.2 sin(pi)) = 101; t = 2: 100 * (1.02 - 0.2) = 82
    expect(path[0]).toBeCloseTo(120, 10);
    expect(path[1]).toBeCloseTo(101, 10);
    expect(path[2]).toBeCloseTo(82, 10);
    expect(path[3]).toBeCloseTo(103, 10);
    const p = new DemandProcess(spec, 1);
    expect(p.expected(2)).toBeCloseTo(82, 10);
  });

  it("same seed, same path; another seed, another path", () => {
    const spec = { base: 50, ar: { phi: 0.7, sigma: 0.1 }, shocks: { probability: 0.1, size: -0.5, duration: 3 } };
    expect(generateDemand(spec, 100, 7)).toEqual(generateDemand(spec, 100, 7));
    expect(generateDemand(spec, 100, 7)).not.toEqual(generateDemand(spec, 100, 8));
  });

  it("a certain shock runs every period at (1 + size); duration counts periods", () => {
    const on = generateDemand({ base: 10, shocks: { probability: 1, size: -0.3, duration: 2 } }, 5, 1);
    expect(on.every((v) => Math.abs(v - 7) < 1e-12)).toBe(true);
    const off = generateDemand({ base: 10, shocks: { probability: 0, size: -0.3, duration: 2 } }, 5, 1);
    expect(off).toEqual([10, 10, 10, 10, 10]);
  });

  it("AR(1) noise is stationary with the stated variance (loose statistical check)", () => {
    const phi = 0.5;
    const sigma = 0.1;
    const path = generateDemand({ base: 1, ar: { phi, sigma }, floor: 1e-9 }, 20000, 3).map((v) => v - 1);
    const mean = path.reduce((a, b) => a + b, 0) / path.length;
    const variance = path.reduce((a, b) => a + (b - mean) ** 2, 0) / path.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeGreaterThan((0.9 * (sigma * sigma)) / (1 - phi * phi));
    expect(variance).toBeLessThan((1.1 * (sigma * sigma)) / (1 - phi * phi));
    let lag = 0;
    for (let t = 1; t < path.length; t++) lag += (path[t] - mean) * (path[t - 1] - mean);
    expect(lag / path.length / variance).toBeCloseTo(phi, 1);
  });

  it("the floor keeps alpha positive", () => {
    const path = generateDemand({ base: 10, seasonal: { period: 4, amplitude: 2 }, floor: 0.1 }, 8, 1);
    expect(Math.min(...path)).toBeCloseTo(1, 10);
  });

  it("rejects a bad spec naming the field", () => {
    expect(() => new DemandProcess({ base: 10, ar: { phi: 1, sigma: 0.1 } })).toThrow(/ar.phi: phi must be in \(-1, 1\)/);
    expect(() => new DemandProcess({ base: -1 })).toThrow(/base/);
    expect(() => new DemandProcess({ base: 1, seasonal: { period: 1, amplitude: 0 } })).toThrow(/period/);
    // a ConfigError of the document "demand spec", one issue per broken rule, each at its JSON path
    let err: unknown;
    try {
      new DemandProcess({ base: 0, shocks: { probability: 2, size: -1, duration: 1 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe("demand spec");
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(["base", "shocks.probability", "shocks.size"]);
  });
});
