// Issue 15 part 1: the fast solver (incremental evaluation, blockwise Jacobian, kept factorisation, Broyden steps)
// against the solver it replaced (legacy-solver.ts, a verbatim copy of the old code).
import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { EquilibriumSolver, MarketModel, compileMarket, paperMarket, randomMarket, reusesJacobian, type CompiledMarket } from "./index.js";
import { LegacyEquilibriumSolver, LegacyMarketModel } from "./legacy-solver.js";

const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v / b[i] - 1)));

function randomBids(rng: Rng, mk: CompiledMarket) {
  const size = mk.nAgents * mk.G;
  return {
    demandScale: Float64Array.from({ length: size }, () => (rng.uniform(0, 1) < 0.7 ? 1 : rng.uniform(0.05, 2))),
    withhold: Float64Array.from({ length: size }, () => (rng.uniform(0, 1) < 0.7 ? 0 : rng.uniform(0, 0.8))),
  };
}

describe("fast market solver (issue 15)", () => {
  it("the model's demand, supply, plans and Jacobian equal the old model's at random prices and bids", () => {
    const rng = new Rng(151);
    for (let trial = 0; trial < 30; trial++) {
      const mk = compileMarket(randomMarket(rng, { groups: 1 + rng.int(3), agentsPerGroup: 1 + rng.int(12), goods: 1 + rng.int(6) }));
      const fast = new MarketModel(mk);
      const old = new LegacyMarketModel(mk);
      // Several evaluations in a row, so that the incremental updates are exercised, not only the exact pass.
      for (let step = 0; step < 5; step++) {
        const inputs = step % 2 === 0 ? randomBids(rng, mk) : {};
        fast.setInputs(inputs);
        old.setInputs(inputs);
        const u = Array.from({ length: mk.nMarkets }, () => rng.uniform(-1, 2));
        for (let k = 0; k < 3; k++) {
          const uk = u.map((v) => v + rng.normal(0, k === 0 ? 0 : 1e-3));
          expect(fast.evaluate(uk, true)).toBeCloseTo(old.evaluate(uk, true), 10);
          expect(relDiff(fast.demand, old.demand)).toBeLessThan(1e-12);
          expect(relDiff(fast.supply, old.supply)).toBeLessThan(1e-12);
          let dJ = 0;
          let scale = 0;
          for (let q = 0; q < fast.J.length; q++) {
            dJ = Math.max(dJ, Math.abs(fast.J[q] - old.J[q]));
            scale = Math.max(scale, Math.abs(old.J[q]));
          }
          expect(dJ).toBeLessThan(1e-12 * scale);
          for (let q = 0; q < fast.x.length; q++) {
            expect(Math.abs(fast.x[q] - old.x[q])).toBeLessThanOrEqual(1e-12 * Math.abs(old.x[q]));
            expect(Math.abs(fast.supplied[q] - old.supplied[q])).toBeLessThanOrEqual(1e-12 * Math.abs(old.supplied[q]));
          }
        }
      }
    }
  });

  it("warm-started periods give the old solver's prices to 1e-10 relative on random markets from the generator", () => {
    const rng = new Rng(152);
    let periods = 0;
    for (let trial = 0; trial < 12; trial++) {
      const mk = compileMarket(randomMarket(rng, { groups: 1 + rng.int(3), agentsPerGroup: 2 + rng.int(30), goods: 1 + rng.int(8) }));
      // Small markets: force the kept Jacobian (which "auto" would skip there), to test it on many shapes.
      const fast = new EquilibriumSolver(mk, { reuseJacobian: true });
      const old = new LegacyEquilibriumSolver(mk);
      const bids = randomBids(rng, mk);
      for (let t = 0; t < 15; t++) {
        const demandAlpha = Array.from(mk.demandAlpha, (a) => a * Math.exp(rng.normal(0, 0.15)));
        // One agent changes its bid most periods, as in MarketBidding.
        if (t % 3 !== 2) {
          const i = rng.int(mk.nAgents);
          for (let j = 0; j < mk.G; j++) bids.demandScale[i * mk.G + j] = rng.uniform(0.05, 2);
        }
        const inputs = t % 4 === 3 ? { demandAlpha } : { demandAlpha, ...bids };
        const a = fast.solve(inputs);
        const b = old.solve(inputs);
        expect(relDiff(a.prices, b.prices)).toBeLessThan(1e-10);
        expect(relDiff(a.demand, b.demand)).toBeLessThan(1e-9);
        expect(a.residual).toBeLessThanOrEqual(1e-9);
        periods++;
      }
    }
    expect(periods).toBe(180);
  });

  it("a 2 x 60 agent x 12 good market: the same prices as the old solver, and the kept Jacobian is used", () => {
    const mk = compileMarket(randomMarket(new Rng(153), { groups: 2, agentsPerGroup: 60, goods: 12 }));
    const fast = new EquilibriumSolver(mk, { reuseJacobian: true });
    const plain = new EquilibriumSolver(mk, { reuseJacobian: false });
    const old = new LegacyEquilibriumSolver(mk);
    const rng = new Rng(7);
    for (let t = 0; t < 10; t++) {
      const demandAlpha = Array.from(mk.demandAlpha, (a) => a * Math.exp(rng.normal(0, 0.1)));
      const ref = old.solve({ demandAlpha }).prices;
      expect(relDiff(fast.solve({ demandAlpha }).prices, ref)).toBeLessThan(1e-10);
      expect(relDiff(plain.solve({ demandAlpha }).prices, ref)).toBeLessThan(1e-10);
    }
    expect(fast.stats.jacobians).toBeLessThan(plain.stats.jacobians / 2);
  });

  it('"auto" keeps the Jacobian on large markets only (by the operation count)', () => {
    expect(reusesJacobian(compileMarket(paperMarket), "auto")).toBe(false);
    expect(reusesJacobian(compileMarket(randomMarket(new Rng(1), { groups: 2, agentsPerGroup: 150, goods: 30 })), "auto")).toBe(true);
    expect(reusesJacobian(compileMarket(paperMarket), true)).toBe(true);
  });

  it("resetStart makes the following solves bit-identical to a fresh solver's, whatever came before", () => {
    const mk = compileMarket(randomMarket(new Rng(154), { groups: 2, agentsPerGroup: 8, goods: 4 }));
    const start = new EquilibriumSolver(mk).solve().prices;
    const used = new EquilibriumSolver(mk, { reuseJacobian: true });
    const rng = new Rng(3);
    for (let t = 0; t < 7; t++)
      used.solve({ demandAlpha: Array.from(mk.demandAlpha, (a) => a * Math.exp(rng.normal(0, 0.2))), ...randomBids(rng, mk) });
    const fresh = new EquilibriumSolver(mk, { reuseJacobian: true });
    used.resetStart(start);
    fresh.resetStart(start);
    const seq = new Rng(4);
    const inputs = Array.from({ length: 6 }, () => ({
      demandAlpha: Array.from(mk.demandAlpha, (a) => a * Math.exp(seq.normal(0, 0.1))),
      ...randomBids(seq, mk),
    }));
    for (const inp of inputs) {
      const a = used.solve(inp);
      const b = fresh.solve(inp);
      expect(Array.from(a.prices)).toEqual(Array.from(b.prices));
      expect(Array.from(a.x)).toEqual(Array.from(b.x));
    }
  });

  it("warmState / setWarmState (through JSON) continue bit for bit, with the kept Jacobian and the incremental plans", () => {
    const mk = compileMarket(randomMarket(new Rng(155), { groups: 2, agentsPerGroup: 20, goods: 6 }));
    const rng = new Rng(8);
    const inputs = Array.from({ length: 12 }, (_, t) => {
      const bids = randomBids(rng, mk);
      if (t % 3 === 0) bids.demandScale[0] = 0; // a zero demand scale: -Infinity in the saved logs
      return { demandAlpha: Array.from(mk.demandAlpha, (a) => a * Math.exp(rng.normal(0, 0.1))), ...bids };
    });
    const a = new EquilibriumSolver(mk, { reuseJacobian: true });
    for (let t = 0; t < 6; t++) a.solve(inputs[t]);
    const b = new EquilibriumSolver(mk, { reuseJacobian: true });
    b.setWarmState(JSON.parse(JSON.stringify(a.warmState())));
    for (let t = 6; t < 12; t++) {
      const ea = a.solve(inputs[t]);
      const eb = b.solve(inputs[t]);
      expect(Array.from(eb.prices)).toEqual(Array.from(ea.prices));
      expect(Array.from(eb.supplied)).toEqual(Array.from(ea.supplied));
    }
  });
});
