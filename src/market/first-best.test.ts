import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { solveEquilibrium } from "./equilibrium.js";
import { allocationSurplus, FirstBestSolver, firstBestSurplus, withoutBudgets } from "./first-best.js";
import { paperMarket } from "./paper.js";
import { compileMarket, type CompiledMarket } from "./spec.js";
import { welfare } from "./welfare.js";

const market = compileMarket(paperMarket);

/**
 * A random feasible perturbation of an allocation: every layer-0 input times exp(N(0, s)); every layer-1 input
 * times exp(N(0, s)), then each good's layer-1 inputs rescaled to use exactly the layer-0 output of that good
 * (the material balance binds; disposal can only lose surplus). Two-layer markets (the paper's) only.
 */
function perturb(mk: CompiledMarket, x: Float64Array, rng: Rng, s: number): Float64Array {
  const { G } = mk;
  const out = Float64Array.from(x, (v) => v * Math.exp(rng.normal(0, s)));
  for (let j = 0; j < G; j++) {
    let made = 0;
    let used = 0;
    for (let i = 0; i < mk.nAgents; i++) {
      if (mk.group[i] === 0) made += mk.a[i * G + j] * Math.pow(out[i * G + j], mk.b[j]);
      else used += out[i * G + j];
    }
    for (let i = 0; i < mk.nAgents; i++) if (mk.group[i] === 1) out[i * G + j] *= made / used;
  }
  return out;
}

describe("first best (budgets removed)", () => {
  const fb = new FirstBestSolver(market).solve();
  const tsFirstBest = welfare(withoutBudgets(market), fb).totalSurplus;
  const eq = solveEquilibrium(market);
  const tsCompetitive = welfare(market, eq).totalSurplus;

  it("on the paper's market: 509.42 against the budget-constrained equilibrium's 485.82 (efficiency 0.9537)", () => {
    expect(tsFirstBest).toBeCloseTo(509.42, 2);
    expect(tsCompetitive).toBeCloseTo(485.82, 2);
    expect(tsCompetitive / tsFirstBest).toBeCloseTo(0.9537, 4);
    expect(firstBestSurplus(market)).toBeCloseTo(tsFirstBest, 9);
    // no budget binds in the first best; five of the six bind in the paper's equilibrium (all but A[1][1])
    expect(Array.from(fb.budgetMultiplier).every((r) => r === 0)).toBe(true);
    expect(Array.from(eq.budgetMultiplier).filter((r) => r > 0)).toHaveLength(5);
  });

  it("the surplus of an allocation, priced by nobody, equals the equilibrium's welfare accounting", () => {
    expect(allocationSurplus(market, { x: fb.x })).toBeCloseTo(tsFirstBest, 9);
    expect(allocationSurplus(market, { x: eq.x })).toBeCloseTo(tsCompetitive, 9);
  });

  it("no feasible perturbation of the first-best allocation raises total surplus (2000 random, small and large)", () => {
    const rng = new Rng(7);
    let best = -Infinity;
    for (let n = 0; n < 2000; n++) {
      const s = n % 2 === 0 ? 0.01 : 0.3;
      best = Math.max(best, allocationSurplus(market, { x: perturb(market, fb.x, rng, s) }));
    }
    expect(best).toBeLessThan(tsFirstBest + 1e-9);
    expect(best).toBeGreaterThan(tsFirstBest - 1); // the small perturbations came close: the search was local
  });

  it("while perturbations of the budget-constrained equilibrium do raise it (the test can fail)", () => {
    const rng = new Rng(7);
    let gains = 0;
    for (let n = 0; n < 200; n++) if (allocationSurplus(market, { x: perturb(market, eq.x, rng, 0.05) }) > tsCompetitive) gains++;
    expect(gains).toBeGreaterThan(0);
  });

  it("efficiency stays at most 1 across demand draws", () => {
    const solver = new FirstBestSolver(market);
    for (const scale of [0.5, 0.8, 1.2, 2]) {
      const alpha = Array.from(market.demandAlpha, (a) => a * scale);
      const ts = welfare(market, solveEquilibrium(market, { demandAlpha: alpha })).totalSurplus;
      expect(ts / solver.totalSurplus(alpha)).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});
