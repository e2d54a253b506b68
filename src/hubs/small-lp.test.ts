import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { loadHighs } from "./optimum.js";
import { solveSmallLp } from "./small-lp.js";

describe("solveSmallLp", () => {
  it("solves the chairs-and-tables LP by hand (max 30c + 50t, c + 2t <= 40, 2c + t <= 50)", () => {
    // Vertices: (0,20) -> 1000, (25,0) -> 750, intersection c=20, t=10 -> 1100.
    const r = solveSmallLp(
      [30, 50],
      [
        [1, 2],
        [2, 1],
      ],
      [40, 50],
    );
    expect(r.value).toBeCloseTo(1100, 9);
    expect(r.x[0]).toBeCloseTo(20, 9);
    expect(r.x[1]).toBeCloseTo(10, 9);
  });

  it("returns the origin when no objective coefficient is positive", () => {
    expect(solveSmallLp([-1, 0], [[1, 1]], [5])).toEqual({ value: 0, x: [0, 0] });
  });

  it("rejects a negative right-hand side", () => {
    expect(() => solveSmallLp([1], [[1]], [-1])).toThrow(/b\[0\]/);
  });

  it("agrees with HiGHS on random small LPs", async () => {
    const highs = await loadHighs();
    const rng = new Rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + rng.int(4);
      const m = 1 + rng.int(6);
      const c = Array.from({ length: n }, () => rng.uniform(-1, 5));
      const A = Array.from({ length: m }, () => Array.from({ length: n }, () => (rng.bernoulli(0.2) ? 0 : rng.uniform(0, 3))));
      const b = Array.from({ length: m }, () => rng.uniform(0, 10));
      // Keep the LP bounded: a box on every variable.
      for (let j = 0; j < n; j++) {
        const row = new Array<number>(n).fill(0);
        row[j] = 1;
        A.push(row);
        b.push(rng.uniform(0, 8));
      }
      const lp = [
        "Maximize",
        " obj: " + c.map((v, j) => `${v >= 0 ? "+" : "-"} ${Math.abs(v)} x${j}`).join(" "),
        "Subject To",
        ...A.map((row, i) => ` r${i}: ` + row.map((v, j) => `+ ${v} x${j}`).join(" ") + ` <= ${b[i]}`),
        "End",
      ].join("\n");
      const ref = highs.solve(lp, { output_flag: false });
      const mine = solveSmallLp(c, A, b);
      expect(mine.value).toBeCloseTo(ref.ObjectiveValue, 6);
    }
  });
});
