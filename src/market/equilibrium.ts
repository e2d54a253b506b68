import { NoEquilibriumError } from "./errors.js";
import { MarketModel, type MarketModelState, type PeriodInputs } from "./model.js";
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
  /**
   * Reuse the last factorised Jacobian (from an earlier step or an earlier period) while it keeps contracting the
   * residual; false evaluates and factorises a fresh Jacobian at every step (plain damped Newton); "auto" reuses
   * when a Jacobian and its factorisation cost more than 3 evaluations by the operation count
   * (1.5 agents G^2 + markets^3 / 3 against 10 agents G + 20 markets), i.e. on all but small markets.
   */
  reuseJacobian: boolean | "auto";
}

export const newtonDefaults: NewtonOptions = { tolerance: 1e-12, maxIterations: 200, maxLogStep: 2, reuseJacobian: "auto" };

/** Whether "auto" reuses the Jacobian on this market (see NewtonOptions.reuseJacobian). */
export function reusesJacobian(market: CompiledMarket, option: boolean | "auto"): boolean {
  if (option !== "auto") return option;
  const { nAgents, G, nMarkets: n } = market;
  const jacobian = 1.5 * nAgents * G * G + (n * n * n) / 3;
  const evaluation = 10 * nAgents * G + 20 * n;
  return jacobian > 3 * evaluation;
}

/** A step with an old Jacobian is accepted when it shrinks max |F|... */
const CHORD_ACCEPT = 0.5;
/** ...and the Jacobian is refreshed at the new point when the step shrank it by less than this factor. */
const CHORD_REFRESH = 0.1;
/** Broyden updates kept on top of one factorised Jacobian before a fresh one is computed. */
const MAX_BROYDEN = 16;

/**
 * The fast equilibrium solver used inside environments: damped Newton on log-prices with the analytic Jacobian
 * (MarketModel), Armijo backtracking on 1/2 ||F||^2, warm-started from the previous solution. A cold start that
 * fails falls back to a short tatonnement to get close, then Newton again.
 *
 * Jacobian reuse (issue 15; the chord or Shamanskii variant of Newton, Kelley 2003, "Solving Nonlinear Equations
 * with Newton's Method", section 2.3): the LU factors of the last Jacobian are kept, across Newton steps and across
 * solves. A step u - J_old^-1 F(u) is taken when it shrinks max |F| at least by half (CHORD_ACCEPT), and a fresh
 * Jacobian is computed at the new point when the shrink factor was worse than 0.1 (CHORD_REFRESH); a rejected
 * step falls back to a full Newton step from the same point. In a warm-started period the Jacobian of the last
 * period contracts the residual by about 10^-2 per step, so most periods cost a few evaluations (O(agents x
 * goods)) and no Jacobian (O(binding agents x goods^2)) or factorisation (O(markets^3)). The convergence test is
 * the same as plain Newton's, so the prices agree with it to the tolerance's precision.
 */
export class EquilibriumSolver {
  readonly market: CompiledMarket;
  readonly model: MarketModel;
  readonly options: NewtonOptions;
  private readonly u: Float64Array;
  private readonly uTrial: Float64Array;
  private readonly delta: Float64Array;
  private readonly lu: Float64Array;
  private readonly piv: Int32Array;
  private readonly F0: Float64Array;
  private readonly startU: Float64Array;
  /** Broyden's updates of the kept inverse: H = (I + a_k s_k^T) ... (I + a_0 s_0^T) J_old^-1, rows of n. */
  private readonly bS: Float64Array;
  private readonly bA: Float64Array;
  private readonly bZ: Float64Array;
  private nB = 0;
  private warm = false;
  private readonly reuse: boolean;
  /** The LU factors in `lu` are those of a Jacobian at some earlier point (stale but usable for chord steps). */
  private luValid = false;
  /** Counters since construction, for profiling and the bench. */
  readonly stats = { evaluations: 0, jacobians: 0 };

  constructor(market: CompiledMarket | MarketSpec, options: Partial<NewtonOptions> = {}) {
    this.market = "nMarkets" in market ? market : compileMarket(market);
    this.model = new MarketModel(this.market);
    this.options = { ...newtonDefaults, ...options };
    this.reuse = reusesJacobian(this.market, this.options.reuseJacobian);
    const n = this.market.nMarkets;
    this.u = new Float64Array(n);
    this.uTrial = new Float64Array(n);
    this.delta = new Float64Array(n);
    this.lu = new Float64Array(n * n);
    this.piv = new Int32Array(n);
    this.F0 = new Float64Array(n);
    this.startU = new Float64Array(n);
    this.bS = new Float64Array(MAX_BROYDEN * n);
    this.bA = new Float64Array(MAX_BROYDEN * n);
    this.bZ = new Float64Array(n);
  }

  /**
   * Forget the last solution and the kept Jacobian; the next solve starts from `prices` (default: every price
   * 1), so that what follows depends only on the inputs from here on.
   */
  resetStart(prices?: ArrayLike<number>): void {
    for (let q = 0; q < this.u.length; q++) this.u[q] = prices ? Math.log(prices[q]) : 0;
    this.warm = prices !== undefined;
    this.luValid = false;
    this.model.resetState();
  }

  /**
   * The warm start of the next solve (log-prices, whether they came from a solution, the budget multipliers), and
   * the state the fast solver carries between solves (the kept LU factors and the model's incrementally updated
   * plans), for an exact save and restore of a simulation that clears period after period: a restored solver
   * continues bit for bit.
   */
  warmState(): SolverWarmState {
    return {
      u: Array.from(this.u),
      warm: this.warm,
      logMult: Array.from(this.model.logMult),
      luValid: this.luValid,
      lu: this.luValid ? Array.from(this.lu) : [],
      piv: this.luValid ? Array.from(this.piv) : [],
      model: this.model.saveState(),
    };
  }

  setWarmState(s: SolverWarmState): void {
    if (s.u.length !== this.u.length || s.logMult.length !== this.model.logMult.length)
      throw new RangeError("setWarmState: the state is of another market");
    this.u.set(s.u);
    this.warm = s.warm;
    if (s.model) this.model.restoreState(s.model);
    else this.model.resetState();
    this.model.logMult.set(s.logMult);
    this.luValid = s.luValid === true && s.lu !== undefined && s.lu.length === this.lu.length;
    if (this.luValid) {
      this.lu.set(s.lu!);
      this.piv.set(s.piv!);
    }
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
    // Get close with tatonnement from the start point (which also leaves a region where plans overflow), then
    // polish with Newton.
    this.u.set(this.startU);
    this.luValid = false;
    this.model.resetState();
    const safe = this.tatonnementWarmup(5000);
    const second: NewtonRun = safe ? this.newton() : { converged: false, iterations: 0, residual: Infinity, reason: this.overflowReason() };
    if (second.converged) {
      this.warm = true;
      return { iterations: first.iterations + second.iterations, residual: second.residual };
    }
    this.u.set(this.startU);
    this.luValid = false;
    this.model.resetState();
    const start = this.warm ? "warm start" : "cold start";
    throw new NoEquilibriumError(
      "newton",
      first.iterations + second.iterations,
      second.residual,
      `${start}: ${first.reason ?? "no convergence"}; after a tatonnement restart: ${second.reason ?? "no convergence"}`,
    );
  }

  private evaluate(u: Float64Array): number {
    this.stats.evaluations++;
    return this.model.evaluate(u, false);
  }

  /** Jacobian at the point of the last evaluation, factorised into `lu`; false if singular. */
  private refreshJacobian(): boolean {
    this.stats.jacobians++;
    this.model.jacobian();
    this.nB = 0;
    this.luValid = luFactor(this.model.J, this.lu, this.piv, this.market.nMarkets);
    return this.luValid;
  }

  /** delta = -J^-1 F0 with the kept factors; returns max |delta| (NaN or Infinity when unusable). */
  private direction(): number {
    const { delta, F0 } = this;
    const n = this.market.nMarkets;
    for (let q = 0; q < n; q++) delta[q] = -F0[q];
    this.applyInverse(delta);
    let big = 0;
    for (let q = 0; q < n; q++) {
      const a = Math.abs(delta[q]);
      if (!(a <= big)) big = a;
    }
    return big;
  }

  /** v = H v with the kept factors and Broyden updates. */
  private applyInverse(v: Float64Array): void {
    const n = this.market.nMarkets;
    luSolve(this.lu, this.piv, v, n);
    const { bS, bA } = this;
    for (let k = 0; k < this.nB; k++) {
      const off = k * n;
      let d = 0;
      for (let q = 0; q < n; q++) d += bS[off + q] * v[q];
      if (d !== 0) for (let q = 0; q < n; q++) v[q] += bA[off + q] * d;
    }
  }

  /**
   * Broyden's ("good") update after the step s = u - uPrev with F0 the residual at uPrev and model.F at u:
   * H+ = H + (s - H y) s^T H / (s^T H y), y = F - F0, kept as the factor (I + a s^T) with a = (s - H y) / (s^T H y).
   */
  private broydenUpdate(uPrev: Float64Array, u: Float64Array): void {
    if (this.nB >= MAX_BROYDEN) {
      this.luValid = false;
      return;
    }
    const n = this.market.nMarkets;
    const { bZ, F0 } = this;
    const F = this.model.F;
    for (let q = 0; q < n; q++) bZ[q] = F[q] - F0[q];
    this.applyInverse(bZ);
    const off = this.nB * n;
    let denom = 0;
    for (let q = 0; q < n; q++) {
      const sq = u[q] - uPrev[q];
      this.bS[off + q] = sq;
      denom += sq * bZ[q];
    }
    if (!(Math.abs(denom) > 0) || !Number.isFinite(denom)) return;
    for (let q = 0; q < n; q++) this.bA[off + q] = (this.bS[off + q] - bZ[q]) / denom;
    this.nB++;
  }

  private newton(): NewtonRun {
    const { model, u, uTrial, delta, F0 } = this;
    const { tolerance, maxIterations, maxLogStep } = this.options;
    const reuseJacobian = this.reuse;
    const n = this.market.nMarkets;
    if (!reuseJacobian) this.luValid = false;
    this.nB = 0;
    let residual = this.evaluate(u);
    let fresh = false;
    let it = 0;
    while (it < maxIterations) {
      if (residual <= tolerance) return { converged: true, iterations: it, residual };
      if (!Number.isFinite(residual)) return { converged: false, iterations: it, residual, reason: this.overflowReason() };
      it++;
      F0.set(model.F);
      let phi0 = 0;
      for (let q = 0; q < n; q++) phi0 += F0[q] * F0[q];
      if (this.luValid && !fresh) {
        // Chord step with the kept (stale) Jacobian.
        const big = this.direction();
        if (Number.isFinite(big)) {
          const t = big > maxLogStep ? maxLogStep / big : 1;
          for (let q = 0; q < n; q++) uTrial[q] = u[q] + t * delta[q];
          const r = this.evaluate(uTrial);
          if (Number.isFinite(r) && r <= CHORD_ACCEPT * residual) {
            const ratio = r / residual;
            if (ratio <= CHORD_REFRESH && r > tolerance) this.broydenUpdate(u, uTrial);
            u.set(uTrial);
            residual = r;
            if (ratio > CHORD_REFRESH || !this.luValid) {
              if (r > tolerance && !this.refreshJacobian())
                return { converged: false, iterations: it, residual, reason: "singular Jacobian" };
              fresh = true;
            }
            continue;
          }
        }
        // Rejected: back to u for a full Newton step.
        this.evaluate(u);
      }
      if (!fresh && !this.refreshJacobian()) return { converged: false, iterations: it, residual, reason: "singular Jacobian" };
      fresh = false;
      const big = this.direction();
      if (!Number.isFinite(big)) return { converged: false, iterations: it, residual, reason: "singular Jacobian" };
      let t = big > maxLogStep ? maxLogStep / big : 1;
      let accepted = false;
      for (let back = 0; back < 40; back++) {
        for (let q = 0; q < n; q++) uTrial[q] = u[q] + t * delta[q];
        const r = this.evaluate(uTrial);
        let phi = 0;
        for (let q = 0; q < n; q++) phi += model.F[q] * model.F[q];
        if (Number.isFinite(r) && phi <= (1 - 1e-4 * t) * phi0) {
          if (reuseJacobian && r > tolerance) this.broydenUpdate(u, uTrial);
          u.set(uTrial);
          residual = r;
          accepted = true;
          break;
        }
        t *= 0.5;
      }
      if (!accepted) {
        this.evaluate(u);
        // Rounding floor: the residual cannot fall further; accept it if it is within 1000x of the tolerance.
        return {
          converged: residual <= tolerance * 1e3,
          iterations: it,
          residual,
          reason: `the line search stalled at max |F| = ${residual.toExponential(3)} (no descent along the Newton direction)`,
        };
      }
      if (!reuseJacobian && residual > tolerance) {
        if (!this.refreshJacobian()) return { converged: false, iterations: it, residual, reason: "singular Jacobian" };
        fresh = true;
      }
    }
    return {
      converged: residual <= tolerance,
      iterations: it,
      residual,
      reason: `maxIterations (${maxIterations}) reached at max |F| = ${residual.toExponential(3)}`,
    };
  }

  /** Which market failed at the last evaluation, for error messages. */
  private overflowReason(): string {
    const m = this.model;
    const G = this.market.G;
    for (let q = 0; q < m.n; q++) {
      const d = m.demand[q];
      const s = m.supply[q];
      if (Number.isFinite(m.F[q])) continue;
      const name = `M[${Math.floor(q / G)}][${q % G}]`;
      const side = (v: number) => (v === Infinity ? "overflows" : v === 0 ? "is zero" : Number.isNaN(v) ? "is not a number" : "is finite");
      return `the plans overflow: market ${name}'s demand ${side(d)} and its supply ${side(s)} at price ${m.p[q].toExponential(3)}`;
    }
    return "the plans overflow";
  }

  /**
   * A safe point for Newton: tatonnement steps ln p += 0.5 (D - S) / (D + S), where a market whose demand or
   * supply overflowed (or vanished) moves by the full +-0.5 towards the finite region, until max |F| < 1e-3.
   * Returns false if the state stays undefined (demand and supply both zero or both infinite somewhere).
   */
  private tatonnementWarmup(iterations: number): boolean {
    const { model, u } = this;
    for (let it = 0; it < iterations; it++) {
      const r = model.evaluate(u, false);
      if (r < 1e-3) return true;
      for (let q = 0; q < u.length; q++) {
        const d = model.demand[q];
        const s = model.supply[q];
        const rel = d === Infinity ? (s === Infinity ? NaN : 1) : s === Infinity ? -1 : (d - s) / (d + s);
        if (Number.isNaN(rel)) return false;
        u[q] += 0.5 * rel;
      }
    }
    return true;
  }
}

/** EquilibriumSolver.warmState(); the fields after logMult are absent in states saved before issue 15. */
export interface SolverWarmState {
  u: number[];
  warm: boolean;
  logMult: number[];
  luValid?: boolean;
  lu?: number[];
  piv?: number[];
  model?: MarketModelState;
}

interface NewtonRun {
  converged: boolean;
  iterations: number;
  residual: number;
  /** Why it stopped without converging. */
  reason?: string;
}

/**
 * LU factorisation with partial pivoting of the row-major n x n matrix A into `lu` (L below the diagonal with a
 * unit diagonal, U on and above it) and the row permutation `piv`; false if A is singular.
 */
export function luFactor(A: Float64Array, lu: Float64Array, piv: Int32Array, n: number): boolean {
  lu.set(A.subarray(0, n * n));
  for (let col = 0; col < n; col++) {
    let p = col;
    let best = Math.abs(lu[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(lu[r * n + col]);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    piv[col] = p;
    if (!(best > 0) || !Number.isFinite(best)) return false;
    if (p !== col) {
      for (let c = 0; c < n; c++) {
        const tmp = lu[col * n + c];
        lu[col * n + c] = lu[p * n + c];
        lu[p * n + c] = tmp;
      }
    }
    const dInv = 1 / lu[col * n + col];
    const rowC = col * n;
    for (let r = col + 1; r < n; r++) {
      const rowR = r * n;
      const f = lu[rowR + col] * dInv;
      lu[rowR + col] = f;
      if (f === 0) continue;
      for (let c = col + 1; c < n; c++) lu[rowR + c] -= f * lu[rowC + c];
    }
  }
  return true;
}

/** Solve A x = b in place (b becomes x) with the factors of `luFactor`. */
export function luSolve(lu: Float64Array, piv: Int32Array, b: Float64Array, n: number): void {
  for (let col = 0; col < n; col++) {
    const p = piv[col];
    if (p !== col) {
      const t = b[col];
      b[col] = b[p];
      b[p] = t;
    }
  }
  for (let r = 1; r < n; r++) {
    let s = b[r];
    const row = r * n;
    for (let c = 0; c < r; c++) s -= lu[row + c] * b[c];
    b[r] = s;
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    const row = r * n;
    for (let c = r + 1; c < n; c++) s -= lu[row + c] * b[c];
    b[r] = s / lu[row + r];
  }
}

/** Clear a market once, cold (convenience for scripts and tests). */
export function solveEquilibrium(
  market: CompiledMarket | MarketSpec,
  inputs: PeriodInputs = {},
  options: Partial<NewtonOptions> = {},
): Equilibrium {
  return new EquilibriumSolver(market, options).solve(inputs);
}
