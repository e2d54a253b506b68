import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import {
  EquilibriumSolver,
  MarketSpecError,
  NoEquilibriumError,
  auctionPrices,
  auctionsOf,
  bidsTo,
  compileMarket,
  consumerSurplus,
  paperMarket,
  producerPlan,
  producerSurplus,
  randomMarket,
  solveEquilibrium,
  tatonnement,
  welfare,
  type MarketSpec,
} from "./index.js";

const paper = compileMarket(paperMarket);
const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v / b[i] - 1)));

function randomAgent(rng: Rng, G: number) {
  return {
    params: {
      a: Array.from({ length: G }, () => rng.uniform(1, 10)),
      b: Array.from({ length: G }, () => rng.uniform(0.1, 0.9)),
      budget: rng.uniform(1, 50),
    },
    pIn: Array.from({ length: G }, () => Math.exp(rng.uniform(-2, 2))),
    pOut: Array.from({ length: G }, () => Math.exp(rng.uniform(-2, 2))),
  };
}

describe("analytic producer (Profit Maximise Theorem)", () => {
  it("beats every feasible perturbation of its plan", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const G = 1 + rng.int(4);
      const { params, pIn, pOut } = randomAgent(rng, G);
      const plan = producerPlan(params, pIn, pOut);
      const profitOf = (x: number[]) => x.reduce((s, xj, j) => s + pOut[j] * params.a[j] * Math.pow(xj, params.b[j]) - pIn[j] * xj, 0);
      expect(profitOf(plan.x)).toBeCloseTo(plan.profit, 9);
      for (let k = 0; k < 20; k++) {
        let x = plan.x.map((xj) => xj * Math.exp(rng.uniform(-0.3, 0.3)));
        const cost = x.reduce((s, xj, j) => s + pIn[j] * xj, 0);
        if (cost > params.budget) x = x.map((xj) => (xj * params.budget) / cost); // project onto the budget
        expect(profitOf(x)).toBeLessThanOrEqual(plan.profit + 1e-9 * Math.max(1, Math.abs(plan.profit)));
      }
    }
  });

  it("the budget binds exactly when the unconstrained plan costs more, and r solves it to 1e-12", () => {
    const rng = new Rng(12);
    let binding = 0;
    for (let trial = 0; trial < 500; trial++) {
      const G = 1 + rng.int(5);
      const { params, pIn, pOut } = randomAgent(rng, G);
      const plan = producerPlan(params, pIn, pOut);
      const free = producerPlan({ ...params, budget: Infinity }, pIn, pOut);
      expect(plan.binding).toBe(free.cost > params.budget);
      if (plan.binding) {
        binding++;
        expect(Math.abs(plan.cost / params.budget - 1)).toBeLessThan(1e-12);
        // First-order condition: every good's marginal profit per unit of cost equals r.
        for (let j = 0; j < G; j++) {
          const marginal = (pOut[j] * params.a[j] * params.b[j] * Math.pow(plan.x[j], params.b[j] - 1)) / pIn[j] - 1;
          expect(Math.abs(marginal - plan.r) / plan.r).toBeLessThan(1e-12);
        }
      } else {
        expect(plan.r).toBe(0);
        expect(plan.x).toEqual(free.x);
      }
    }
    expect(binding).toBeGreaterThan(50);
    expect(binding).toBeLessThan(450);
  });

  it("shaded demand still respects the budget; withholding offers less output", () => {
    const rng = new Rng(13);
    const { params, pIn, pOut } = randomAgent(rng, 3);
    params.budget = 1e-3;
    const plan = producerPlan(params, pIn, pOut, { demandScale: [2, 2, 0.5], withhold: [0.5, 0, 1] });
    expect(plan.cost).toBeLessThanOrEqual(params.budget * (1 + 1e-12));
    expect(plan.supplied[0]).toBeCloseTo(plan.y[0] / 2, 14);
    expect(plan.supplied[2]).toBe(0);
  });
});

describe("equilibrium solvers", () => {
  it("Newton clears every market of the paper's market to 1e-12", () => {
    const eq = solveEquilibrium(paper);
    expect(eq.residual).toBeLessThan(1e-12);
    for (let q = 0; q < paper.nMarkets; q++) expect(Math.abs(eq.demand[q] - eq.supply[q]) / eq.supply[q]).toBeLessThan(1e-11);
    expect(eq.prices.every((p) => Number.isFinite(p) && p > 0)).toBe(true);
  });

  it("the market state is consistent with each agent's own analytic plan at the equilibrium prices", () => {
    const eq = solveEquilibrium(paper);
    const G = paper.G;
    for (let i = 0; i < paper.nAgents; i++) {
      const k = paper.group[i];
      const plan = producerPlan(
        { a: Array.from(paper.a.subarray(i * G, i * G + G)), b: Array.from(paper.b.subarray(k * G, k * G + G)), budget: paper.budget[i] },
        Array.from(eq.prices.subarray(k * G, k * G + G)),
        Array.from(eq.prices.subarray(k * G + G, k * G + 2 * G)),
      );
      expect(relDiff(eq.x.subarray(i * G, i * G + G), plan.x)).toBeLessThan(1e-12);
      expect(eq.profit[i]).toBeCloseTo(plan.profit, 10);
      expect(eq.budgetMultiplier[i]).toBeCloseTo(plan.r, 12);
    }
  });

  it("tatonnement and Newton give the same prices to 1e-8 on the paper's market and on random markets", () => {
    const newton = solveEquilibrium(paper);
    const tat = tatonnement(paper);
    expect(relDiff(tat.equilibrium.prices, newton.prices)).toBeLessThan(1e-8);
    const rng = new Rng(5);
    for (let s = 0; s < 40; s++) {
      const spec = randomMarket(rng, { groups: 1 + rng.int(3), agentsPerGroup: 1 + rng.int(4), goods: 1 + rng.int(4) });
      const n = solveEquilibrium(spec);
      const t = tatonnement(spec, {}, { step: 0.3 });
      expect(relDiff(t.equilibrium.prices, n.prices)).toBeLessThan(1e-8);
    }
  });

  it("a warm start gives the same equilibrium in fewer iterations", () => {
    const solver = new EquilibriumSolver(paper, { reuseJacobian: false });
    const cold = solver.solve({ demandAlpha: [100, 100, 100] });
    const moved = solver.solve({ demandAlpha: [110, 95, 100] });
    const fresh = new EquilibriumSolver(paper).solve({ demandAlpha: [110, 95, 100] });
    expect(relDiff(moved.prices, fresh.prices)).toBeLessThan(1e-11);
    expect(moved.iterations).toBeLessThan(cold.iterations);
    expect(moved.iterations).toBeLessThanOrEqual(4);
  });

  it("a warm start with the kept Jacobian needs no new Jacobian and fewer evaluations than a cold start", () => {
    const solver = new EquilibriumSolver(paper, { reuseJacobian: true });
    solver.solve({ demandAlpha: [100, 100, 100] });
    const cold = { ...solver.stats };
    const moved = solver.solve({ demandAlpha: [104, 97, 100] });
    const warm = { evaluations: solver.stats.evaluations - cold.evaluations, jacobians: solver.stats.jacobians - cold.jacobians };
    expect(warm.jacobians).toBe(0);
    expect(warm.evaluations).toBeLessThan(cold.evaluations);
    const fresh = new EquilibriumSolver(paper).solve({ demandAlpha: [104, 97, 100] });
    expect(relDiff(moved.prices, fresh.prices)).toBeLessThan(1e-11);
  });

  it("solves large random markets and never returns NaN prices", () => {
    const eq = solveEquilibrium(randomMarket(new Rng(9), { groups: 2, agentsPerGroup: 40, goods: 8 }));
    expect(eq.residual).toBeLessThan(1e-11);
    const rng = new Rng(10);
    const solver = new EquilibriumSolver(paper);
    for (let t = 0; t < 200; t++) {
      const alpha = [0, 0, 0].map(() => Math.exp(rng.uniform(-3, 6)));
      const e = solver.solve({ demandAlpha: alpha });
      expect(e.prices.every((p) => Number.isFinite(p) && p > 0)).toBe(true);
    }
  });

  it("every auction's own clearing price from the bids it receives is the equilibrium price", () => {
    const eq = solveEquilibrium(paper);
    expect(relDiff(auctionPrices(paper, eq), eq.prices)).toBeLessThan(1e-9);
    // And away from equilibrium, an auction's excess demand is the solver's excess demand.
    const prices = eq.prices.map((p, q) => p * (1 + 0.1 * Math.sin(q + 1)));
    const sol = new EquilibriumSolver(paper);
    sol.model.setInputs();
    sol.model.evaluate(Array.from(prices, Math.log), false);
    for (const auc of auctionsOf(paper)) {
      const q = auc.layer * paper.G + auc.good;
      const bids = bidsTo(paper, prices, auc.layer, auc.good);
      expect(auc.excessDemand(prices[q], bids)).toBeCloseTo(sol.model.demand[q] - sol.model.supply[q], 10);
    }
  });

  it("withholding by a large seller raises its output price; shading demand down lowers its input price", () => {
    const base = solveEquilibrium(paper);
    const G = paper.G;
    const i = paper.names.indexOf("A[1][0]"); // the largest seller of layer 2
    const withhold = new Float64Array(paper.nAgents * G);
    withhold[i * G + 0] = 0.5;
    const w = solveEquilibrium(paper, { withhold });
    expect(w.prices[2 * G + 0]).toBeGreaterThan(base.prices[2 * G + 0] * 1.05);
    const demandScale = new Float64Array(paper.nAgents * G).fill(1);
    demandScale[i * G + 0] = 0.5;
    const d = solveEquilibrium(paper, { demandScale });
    expect(d.prices[1 * G + 0]).toBeLessThan(base.prices[1 * G + 0] * 0.95);
  });
});

describe("the paper's qualitative findings (docs/model.md section A)", () => {
  const eq = solveEquilibrium(paper);
  const G = paper.G;
  const layer = (arr: Float64Array, l: number) => Array.from(arr.subarray(l * G, l * G + G));
  const sameOrder = (a: number[], b: number[]) => a.every((_, i) => a.every((_, j) => Math.sign(a[i] - a[j]) === Math.sign(b[i] - b[j])));
  const oppositeOrder = (a: number[], b: number[]) =>
    a.every((_, i) => a.every((_, j) => Math.sign(a[i] - a[j]) === -Math.sign(b[i] - b[j])));

  it("layer 0: the good traded in larger amount has the higher price", () => {
    expect(sameOrder(layer(eq.demand, 0), layer(eq.prices, 0))).toBe(true);
  });

  it("layer 2: the good traded in larger amount has the lower price", () => {
    expect(oppositeOrder(layer(eq.demand, 2), layer(eq.prices, 2))).toBe(true);
  });

  it("M[1][1] has the middle layer's largest amount and a price above the layer's mean", () => {
    const q = layer(eq.demand, 1);
    const p = layer(eq.prices, 1);
    expect(q[1]).toBe(Math.max(...q));
    expect(p[1]).toBeGreaterThan(p.reduce((s, v) => s + v, 0) / 3);
  });

  it("all markets converge under tatonnement and the middle layer settles last", () => {
    const { settledAt } = tatonnement(paper, {}, { tolerance: 1e-3 });
    const last = (l: number) => Math.max(...Array.from(settledAt.subarray(l * G, l * G + G)));
    expect(Array.from(settledAt).every((s) => s >= 0)).toBe(true);
    expect(last(1)).toBeGreaterThan(last(0));
    expect(last(1)).toBeGreaterThan(last(2));
  });
});

describe("welfare", () => {
  const simpson = (f: (x: number) => number, a: number, b: number, n = 20000) => {
    const h = (b - a) / n;
    let s = f(a) + f(b);
    for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
    return (s * h) / 3;
  };

  it("outside surplus integrals match numeric integration", () => {
    expect(producerSurplus(100, 1.5, 0.7) / simpson((p) => 100 * p ** 1.5, 0, 0.7)).toBeCloseTo(1, 7);
    // Consumer surplus to infinity: substitute p = price / t, dp = price / t^2 dt, t in (0, 1].
    const price = 1.3;
    const tail = simpson((t) => (t === 0 ? 0 : (100 * (price / t) ** -2.5 * price) / t ** 2), 0, 1);
    expect(consumerSurplus(100, -2.5, price) / tail).toBeCloseTo(1, 6);
    expect(consumerSurplus(100, -2, 1, 4)).toBeCloseTo(
      simpson((p) => 100 * p ** -2, 1, 4),
      8,
    );
    expect(consumerSurplus(100, -2, 5, 4)).toBe(0);
  });

  it("total surplus adds profits and outside surpluses; the analytic equilibrium beats shaded outcomes", () => {
    const eq = solveEquilibrium(paper);
    const w = welfare(paper, eq);
    expect(w.totalSurplus).toBeCloseTo(w.agentProfit + w.outsideProducerSurplus + w.outsideConsumerSurplus, 10);
    const withhold = new Float64Array(paper.nAgents * paper.G).fill(0.3);
    const shaded = welfare(paper, solveEquilibrium(paper, { withhold }));
    expect(shaded.totalSurplus).toBeLessThan(w.totalSurplus);
  });
});

describe("degenerate input raises named errors", () => {
  const clone = (): MarketSpec => structuredClone(paperMarket);
  const cases: [string, (s: MarketSpec) => void, RegExp][] = [
    ["b >= 1", (s) => (s.groups[0].b[1] = 1), /groups\[0\]\.b\[1\].*\(0, 1\)/],
    ["b <= 0", (s) => (s.groups[1].b[0] = 0), /groups\[1\]\.b\[0\]/],
    ["a <= 0", (s) => (s.groups[0].agents[2].a[0] = -1), /agents\[2\]\.a\[0\].*positive/],
    ["budget <= 0", (s) => (s.groups[1].agents[0].budget = 0), /agents\[0\]\.budget.*positive/],
    ["outside demand beta >= -1", (s) => (s.outsideDemand.beta[2] = -1), /outsideDemand\.beta\[2\].*below -1/],
    ["outside supply beta <= 0", (s) => (s.outsideSupply.beta[0] = 0), /outsideSupply\.beta\[0\]/],
    ["wrong vector length", (s) => (s.groups[0].agents[0].a = [1, 2]), /needs one per good/],
    ["non-finite", (s) => (s.outsideSupply.alpha[0] = Infinity), /outsideSupply\.alpha\[0\].*Infinity/],
    ["non-integer goods", (s) => (s.goods = 2.5), /goods.*integer/],
    ["unknown key", (s) => Object.assign(s.groups[0], { c: 1 }), /groups\[0\].*c/],
  ];
  for (const [name, mutate, message] of cases) {
    it(name, () => {
      const s = clone();
      mutate(s);
      expect(() => compileMarket(s)).toThrow(MarketSpecError);
      expect(() => compileMarket(s)).toThrow(message);
    });
  }

  it("every broken rule is an issue at its JSON path (a ConfigError of the document 'market spec')", () => {
    const s = clone();
    s.groups[0].b[1] = 1;
    s.groups[1].agents[0].budget = 0;
    s.outsideSupply.alpha = [1, 2];
    let err: unknown;
    try {
      compileMarket(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MarketSpecError);
    expect((err as MarketSpecError).file).toBe("market spec");
    expect((err as MarketSpecError).issues.map((i) => i.path)).toEqual(["groups[0].b[1]", "groups[1].agents[0].budget"]);
    // the rules over several fields (one entry per good) are checked once the types and signs hold
    const lengths = clone();
    lengths.outsideSupply.alpha = [1, 2];
    lengths.groups[0].agents[1].a = [1];
    expect(() => compileMarket(lengths)).toThrow(/groups\[0\]\.agents\[1\]\.a: has 1 entries[\s\S]*outsideSupply\.alpha: has 2 entries/);
  });

  it("no equilibrium within the iteration cap", () => {
    expect(() => tatonnement(paper, {}, { maxIterations: 5 })).toThrow(NoEquilibriumError);
    expect(() => tatonnement(paper, {}, { step: 1, maxIterations: 2000 })).toThrow(NoEquilibriumError);
    expect(() => new EquilibriumSolver(paper, { maxIterations: 1, tolerance: 1e-300 }).solve()).toThrow(NoEquilibriumError);
  });
});
