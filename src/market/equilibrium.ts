import { NoEquilibriumError } from "./errors.js";
import { MarketModel, type PeriodInputs } from "./model.js";
import { compileMarket, type CompiledMarket, type MarketSpec } from "./spec.js";

/** A cleared market: prices, quantities and every agent's plan at those prices. Arrays are copies. */
export interface Equilibrium {
  method: "newton" | "tatonnement";
  iterations: number;
  /** max over markets of |ln demand - ln supply| at the returned prices (about the relative excess demand). */
  residual: number;
  /** Per market l*G+j. */
  prices: Float64Array;
  demand: Float64Array;
  supply: Float64Array;
  /** Per agent i*G+j: inputs bought, output produced, output offered. */
  x: Float64Array;
  y: Float64Array;
  supplied: Float64Array;
  /** Per agent. */
  budgetMultiplier: Float64Array;
  cost: Float64Array;
  revenue: Float64Array;
  profit: Float64Array;
  /** The outside demand scale of each final good used in this period. */
  demandAlpha: Float64Array;
}

/** Copy the model's current state into an `Equilibrium` record. */
export function snapshot(model: MarketModel, method: Equilibrium["method"], iterations: number, residual: number): Equilibrium {
  const mk = model.market;
  const { G, nAgents } = mk;
  const cost = new Float64Array(nAgents);
  const revenue = new Float64Array(nAgents);
  const profit = model.profits(new Float64Array(nAgents));
  const budgetMultiplier = new Float64Array(nAgents);
  for (let i = 0; i < nAgents; i++) {
    const inOff = mk.group[i] * G;
    let c = 0;
    for (let j = 0; j < G; j++) c += model.p[inOff + j] * model.x[i * G + j];
    cost[i] = c;
    revenue[i] = profit[i] + c;
    budgetMultiplier[i] = Math.expm1(model.logMult[i]);
  }
  return {
    method,
    iterations,
    residual,
    prices: Float64Array.from(model.p),
    demand: Float64Array.from(model.demand),
    supply: Float64Array.from(model.supply),
    x: Float64Array.from(model.x),
    y: Float64Array.from(model.y),
    supplied: Float64Array.from(model.supplied),
    budgetMultiplier,
    cost,
    revenue,
    profit,
    demandAlpha: Float64Array.from(model.demandAlpha),
  };
}

export interface NewtonOptions {
  /** Stop when max |ln demand - ln supply| <= tolerance in every market. */
  tolerance: number;
  maxIterations: number;
  /** Largest change of any log-price in one Newton step (a trust bound for cold starts). */
  maxLogStep: number;
}

export const newtonDefaults: NewtonOptions = { tolerance: 1e-12, maxIterations: 200, maxLogStep: 2 };

/**
 * The fast equilibrium solver used inside environments: damped Newton on log-prices with the analytic Jacobian
 * (MarketModel), Armijo backtracking on 1/2 ||F||^2, warm-started from the previous solution. A cold start that
 * fails falls back to a short tatonnement to get close, then Newton again.
 */
export class EquilibriumSolver {
  readonly market: CompiledMarket;
  readonly model: MarketModel;
  readonly options: NewtonOptions;
  private readonly u: Float64Array;
  private readonly uTrial: Float64Array;
  private readonly delta: Float64Array;
  private readonly lu: Float64Array;
  private readonly F0: Float64Array;
  private readonly startU: Float64Array;
  private warm = false;

  constructor(market: CompiledMarket | MarketSpec, options: Partial<NewtonOptions> = {}) {
    this.market = "nMarkets" in market ? market : compileMarket(market);
    this.model = new MarketModel(this.market);
    this.options = { ...newtonDefaults, ...options };
    const n = this.market.nMarkets;
    this.u = new Float64Array(n);
    this.uTrial = new Float64Array(n);
    this.delta = new Float64Array(n);
    this.lu = new Float64Array(n * n);
    this.F0 = new Float64Array(n);
    this.startU = new Float64Array(n);
  }

  /** Forget the last solution; the next solve starts from `prices` (default: every price 1). */
  resetStart(prices?: ArrayLike<number>): void {
    for (let q = 0; q < this.u.length; q++) this.u[q] = prices ? Math.log(prices[q]) : 0;
    this.warm = prices !== undefined;
  }

  /**
   * The warm start of the next solve (log-prices, whether they came from a solution, the budget multipliers), for
   * an exact save and restore of a simulation that clears period after period.
   */
  warmState(): { u: number[]; warm: boolean; logMult: number[] } {
    return { u: Array.from(this.u), warm: this.warm, logMult: Array.from(this.model.logMult) };
  }

  setWarmState(s: { u: readonly number[]; warm: boolean; logMult: readonly number[] }): void {
    if (s.u.length !== this.u.length || s.logMult.length !== this.model.logMult.length) throw new RangeError("setWarmState: the state is of another market");
    this.u.set(s.u);
    this.warm = s.warm;
    this.model.logMult.set(s.logMult);
  }

  /** The log-prices the next solve starts from. */
  get startLogPrices(): Float64Array {
    return this.u;
  }

  /** Clear the market for one period's inputs. Throws `NoEquilibriumError` when no equilibrium is found. */
  solve(inputs: PeriodInputs = {}): Equilibrium {
    const { iterations, residual } = this.clear(inputs);
    return snapshot(this.model, "newton", iterations, residual);
  }

  /**
   * Like `solve` without copying the result: the equilibrium stays in `this.model` (p, demand, supply, x, y,
   * supplied, logMult) until the next call. For hot loops such as environment steps.
   */
  clear(inputs: PeriodInputs = {}): { iterations: number; residual: number } {
    this.model.setInputs(inputs);
    this.startU.set(this.u);
    const first = this.newton();
    if (first.converged) {
      this.warm = true;
      return first;
    }
    // Get close with tatonnement from the start point, then polish with Newton.
    this.u.set(this.startU);
    this.tatonnementWarmup(5000);
    const second = this.newton();
    if (second.converged) {
      this.warm = true;
      return { iterations: first.iterations + second.iterations, residual: second.residual };
    }
    this.u.set(this.startU);
    throw new NoEquilibriumError("newton", first.iterations + second.iterations, second.residual, this.warm ? "warm start" : "cold start");
  }

  private newton(): { converged: boolean; iterations: number; residual: number } {
    const { model, u, uTrial, delta, F0 } = this;
    const { tolerance, maxIterations, maxLogStep } = this.options;
    const n = this.market.nMarkets;
    let residual = model.evaluate(u, true);
    let it = 0;
    while (it < maxIterations) {
      if (residual <= tolerance) return { converged: true, iterations: it, residual };
      if (!Number.isFinite(residual)) return { converged: false, iterations: it, residual };
      it++;
      F0.set(model.F);
      let phi0 = 0;
      for (let q = 0; q < n; q++) phi0 += F0[q] * F0[q];
      for (let q = 0; q < n; q++) delta[q] = -F0[q];
      if (!solveLinear(model.J, delta, this.lu, n)) return { converged: false, iterations: it, residual };
      let big = 0;
      for (let q = 0; q < n; q++) big = Math.max(big, Math.abs(delta[q]));
      if (!Number.isFinite(big)) return { converged: false, iterations: it, residual };
      let t = big > maxLogStep ? maxLogStep / big : 1;
      let accepted = false;
      for (let back = 0; back < 40; back++) {
        for (let q = 0; q < n; q++) uTrial[q] = u[q] + t * delta[q];
        const r = model.evaluate(uTrial, true);
        let phi = 0;
        for (let q = 0; q < n; q++) phi += model.F[q] * model.F[q];
        if (Number.isFinite(r) && phi <= (1 - 1e-4 * t) * phi0) {
          u.set(uTrial);
          residual = r;
          accepted = true;
          break;
        }
        t *= 0.5;
      }
      if (!accepted) {
        model.evaluate(u, true);
        // Rounding floor: the residual cannot fall further; accept it if it is within 1000x of the tolerance.
        return { converged: residual <= tolerance * 1e3, iterations: it, residual };
      }
    }
    return { converged: residual <= tolerance, iterations: it, residual };
  }

  private tatonnementWarmup(iterations: number): void {
    const { model, u } = this;
    for (let it = 0; it < iterations; it++) {
      const r = model.evaluate(u, false);
      if (!Number.isFinite(r) || r < 1e-3) return;
      for (let q = 0; q < u.length; q++) {
        const d = model.demand[q];
        const s = model.supply[q];
        u[q] += (0.5 * (d - s)) / (d + s);
      }
    }
  }
}

/** Solve A x = b in place (b becomes x) by Gaussian elimination with partial pivoting; false if singular. */
export function solveLinear(A: Float64Array, b: Float64Array, work: Float64Array, n: number): boolean {
  work.set(A.subarray(0, n * n));
  for (let col = 0; col < n; col++) {
    let piv = col;
    let best = Math.abs(work[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(work[r * n + col]);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (!(best > 0)) return false;
    if (piv !== col) {
      for (let c = col; c < n; c++) {
        const tmp = work[col * n + c];
        work[col * n + c] = work[piv * n + c];
        work[piv * n + c] = tmp;
      }
      const tb = b[col];
      b[col] = b[piv];
      b[piv] = tb;
    }
    const d = work[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = work[r * n + col] / d;
      if (f === 0) continue;
      for (let c = col + 1; c < n; c++) work[r * n + c] -= f * work[col * n + c];
      b[r] -= f * b[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < n; c++) s -= work[r * n + c] * b[c];
    b[r] = s / work[r * n + r];
  }
  return true;
}

/** Clear a market once, cold (convenience for scripts and tests). */
export function solveEquilibrium(market: CompiledMarket | MarketSpec, inputs: PeriodInputs = {}, options: Partial<NewtonOptions> = {}): Equilibrium {
  return new EquilibriumSolver(market, options).solve(inputs);
}
