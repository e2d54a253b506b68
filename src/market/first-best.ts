import { EquilibriumSolver, type Equilibrium, type NewtonOptions } from "./equilibrium.js";
import type { PeriodInputs } from "./model.js";
import { consumerSurplus, producerSurplus } from "./outside.js";
import type { CompiledMarket } from "./spec.js";
import { welfare } from "./welfare.js";

/**
 * The first-best benchmark of a layered market (docs/market-benchmarks.md).
 *
 * The economy is convex: every technology y = a x^b with 0 < b < 1 is concave, the outside suppliers' inverse
 * supply (S/alpha)^(1/beta) (beta > 0) is increasing and the outside consumers' inverse demand (D/alpha)^(1/beta)
 * (beta < -1) is decreasing, and surplus is money (quasi-linear). Total surplus of a feasible allocation is
 * sum_j V_j(D_j) - C_j(S_j) (gross consumer value minus outside suppliers' cost; internal payments cancel), a
 * concave function maximised over a convex set (material balance: output of layer k >= input of layer k+1).
 * The Karush-Kuhn-Tucker conditions of that planner problem, with the multipliers read as prices, are exactly the
 * conditions of a competitive equilibrium with no budgets: each producer at a b P x^(b-1) = p, outside parties
 * on their curves, every market cleared. For a concave program they are sufficient, so that equilibrium is the
 * surplus maximum (the first welfare theorem). Budgets are not technology: they are a money constraint that
 * drives a wedge (1 + r) between a constrained producer's marginal value product and its input price.
 */

/** The same market with every budget removed (Infinity): the budget multiplier is then 0 for every agent. */
export function withoutBudgets(market: CompiledMarket): CompiledMarket {
  return { ...market, budget: new Float64Array(market.nAgents).fill(Infinity) };
}

/** A solver of the first-best (budget-free, truthful) equilibrium; warm-started across calls like any solver. */
export class FirstBestSolver {
  readonly market: CompiledMarket;
  readonly solver: EquilibriumSolver;

  constructor(market: CompiledMarket, options: Partial<NewtonOptions> = {}) {
    this.market = market;
    this.solver = new EquilibriumSolver(withoutBudgets(market), options);
  }

  /** The first-best equilibrium for this period's outside demand (bids are always truthful here). */
  solve(demandAlpha?: ArrayLike<number>): Equilibrium {
    return this.solver.solve(demandAlpha ? { demandAlpha } : {});
  }

  /** Total surplus of the first best for this period's outside demand. */
  totalSurplus(demandAlpha?: ArrayLike<number>): number {
    return welfare(this.solver.market, this.solve(demandAlpha)).totalSurplus;
  }
}

/** First-best total surplus of one period (a cold solve; for scripts and tests). */
export function firstBestSurplus(market: CompiledMarket, inputs: Pick<PeriodInputs, "demandAlpha"> = {}): number {
  return new FirstBestSolver(market).totalSurplus(inputs.demandAlpha);
}

/**
 * An allocation of the layered market: inputs x[i*G+j] of every producer. Outputs are a x^b; the outside
 * suppliers deliver S_j = sum of layer-0 inputs and the outside consumers receive D_j = sum of last-layer outputs.
 * Intermediate goods may be disposed of (output of group k >= input of group k+1), never created.
 */
export interface Allocation {
  x: ArrayLike<number>;
}

/**
 * Total surplus of an allocation, priced by nobody: sum_j V_j(D_j) - C_j(S_j), with V_j the outside consumers'
 * gross value (area under inverse demand up to D_j) and C_j the outside suppliers' cost (area under inverse
 * supply up to S_j). Returns -Infinity when the allocation is infeasible (an intermediate market short).
 * At a cleared equilibrium it equals `welfare(...).totalSurplus` (tested).
 */
export function allocationSurplus(market: CompiledMarket, alloc: Allocation, demandAlpha: ArrayLike<number> = market.demandAlpha): number {
  const { G, L } = market;
  const flow = new Float64Array((L + 1) * G); // supply reaching layer l from below minus what group l buys
  for (let i = 0; i < market.nAgents; i++) {
    const k = market.group[i];
    for (let j = 0; j < G; j++) {
      const x = alloc.x[i * G + j];
      if (!(x >= 0)) return -Infinity;
      const y = market.a[i * G + j] * Math.pow(x, market.b[k * G + j]);
      flow[k * G + j] -= x;
      flow[(k + 1) * G + j] += y;
    }
  }
  let ts = 0;
  for (let j = 0; j < G; j++) {
    for (let l = 1; l < L; l++) if (flow[l * G + j] < -1e-12 * (1 + Math.abs(flow[l * G + j]))) return -Infinity;
    const S = -flow[j];
    const D = flow[L * G + j];
    const sa = market.supplyAlpha[j];
    const sb = market.supplyBeta[j];
    const da = demandAlpha[j];
    const db = market.demandBeta[j];
    // Price at which the outside party trades the quantity: inverse of alpha p^beta.
    const pS = Math.pow(S / sa, 1 / sb);
    const pD = Math.pow(D / da, 1 / db);
    const cost = S > 0 ? pS * S - producerSurplus(sa, sb, pS) : 0;
    const value = D > 0 ? consumerSurplus(da, db, pD, market.chokePrice[j]) + Math.min(pD, market.chokePrice[j]) * D : 0;
    ts += value - cost;
  }
  return ts;
}
