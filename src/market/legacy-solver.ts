// The equilibrium solver as it was before issue 15 (commit 511b933): dense Jacobian assembled per agent in every
// evaluation, including every line-search trial, and a fresh LU per Newton step. Kept only as the reference that
// the tests compare today's solver with (prices to 1e-10 relative) and as the "before" of `npm run bench -- market`.
// Not exported from the market module's index; do not use it elsewhere.
import { NoEquilibriumError } from "./errors.js";
import { newtonDefaults, snapshot, type Equilibrium, type NewtonOptions } from "./equilibrium.js";
import type { MarketModel, PeriodInputs } from "./model.js";
import { budgetLogMultiplier } from "./producer.js";
import { compileMarket, type CompiledMarket, type MarketSpec } from "./spec.js";

export class LegacyMarketModel {
  readonly n: number;
  readonly p: Float64Array;
  readonly demand: Float64Array;
  readonly supply: Float64Array;
  readonly F: Float64Array;
  /** Row-major n x n Jacobian dF/du (valid after evaluate(u, true)). */
  readonly J: Float64Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly supplied: Float64Array;
  /** ln(1 + r) per agent. */
  readonly logMult: Float64Array;
  readonly demandAlpha: Float64Array;
  demandScale: Float64Array | null = null;
  withhold: Float64Array | null = null;

  private readonly lnAB: Float64Array;
  private readonly lnA: Float64Array;
  private readonly dD: Float64Array;
  private readonly dS: Float64Array;
  private readonly cBuf: Float64Array;
  private readonly lnKBuf: Float64Array;
  private readonly dvIn: Float64Array;
  private readonly dvOut: Float64Array;

  constructor(readonly market: CompiledMarket) {
    const { nMarkets: n, nAgents, G } = market;
    this.n = n;
    this.p = new Float64Array(n);
    this.demand = new Float64Array(n);
    this.supply = new Float64Array(n);
    this.F = new Float64Array(n);
    this.J = new Float64Array(n * n);
    this.dD = new Float64Array(n * n);
    this.dS = new Float64Array(n * n);
    this.x = new Float64Array(nAgents * G);
    this.y = new Float64Array(nAgents * G);
    this.supplied = new Float64Array(nAgents * G);
    this.logMult = new Float64Array(nAgents);
    this.lnAB = new Float64Array(nAgents * G);
    this.lnA = new Float64Array(nAgents * G);
    for (let i = 0; i < nAgents; i++) {
      const k = market.group[i];
      for (let j = 0; j < G; j++) {
        this.lnA[i * G + j] = Math.log(market.a[i * G + j]);
        this.lnAB[i * G + j] = Math.log(market.a[i * G + j] * market.b[k * G + j]);
      }
    }
    this.cBuf = new Float64Array(G);
    this.lnKBuf = new Float64Array(G);
    this.dvIn = new Float64Array(G);
    this.dvOut = new Float64Array(G);
    this.demandAlpha = Float64Array.from(market.demandAlpha);
  }

  /** Set this period's outside demand and bids (missing fields reset to the market's defaults / truthful). */
  setInputs(inputs: PeriodInputs = {}): void {
    const { G } = this.market;
    const alpha = inputs.demandAlpha ?? this.market.demandAlpha;
    if (alpha.length !== G) throw new RangeError(`demandAlpha has ${alpha.length} entries, needs ${G}`);
    for (let j = 0; j < G; j++) {
      if (!(alpha[j] > 0) || !Number.isFinite(alpha[j]))
        throw new RangeError(`demandAlpha[${j}] must be positive and finite, got ${alpha[j]}`);
      this.demandAlpha[j] = alpha[j];
    }
    const size = this.market.nAgents * G;
    if (inputs.demandScale && inputs.demandScale.length !== size)
      throw new RangeError(`demandScale has ${inputs.demandScale.length} entries, needs nAgents*goods = ${size}`);
    if (inputs.withhold && inputs.withhold.length !== size)
      throw new RangeError(`withhold has ${inputs.withhold.length} entries, needs nAgents*goods = ${size}`);
    this.demandScale = inputs.demandScale ?? null;
    this.withhold = inputs.withhold ?? null;
  }

  /**
   * Evaluate all bids at prices exp(u). Fills p, x, y, supplied, demand, supply, F (and J when asked).
   * Returns max |F| (Infinity when a market has zero demand or supply).
   */
  evaluate(u: ArrayLike<number>, jacobian: boolean): number {
    const mk = this.market;
    const { G, L } = mk;
    const n = this.n;
    const { p, demand, supply, x, y, supplied, dD, dS, lnAB, lnA, cBuf, lnKBuf, dvIn, dvOut } = this;
    const scale = this.demandScale;
    const withhold = this.withhold;
    for (let q = 0; q < n; q++) {
      p[q] = Math.exp(u[q]);
      demand[q] = 0;
      supply[q] = 0;
    }
    if (jacobian) {
      dD.fill(0);
      dS.fill(0);
    }
    for (let k = 0; k < L; k++) {
      const inOff = k * G;
      const outOff = inOff + G;
      const uniform = mk.uniformB[k] === 1;
      for (let i = mk.groupStart[k]; i < mk.groupStart[k + 1]; i++) {
        const aOff = i * G;
        // Unconstrained plan in logs: ln K_j = ln(scale) + e_j (ln(a b) + u_out - u_in).
        for (let j = 0; j < G; j++) {
          const ej = mk.e[inOff + j];
          const sc = scale === null ? 1 : scale[aOff + j];
          const lnK = sc > 0 ? Math.log(sc) + ej * (lnAB[aOff + j] + u[outOff + j] - u[inOff + j]) : -Infinity;
          lnKBuf[j] = lnK;
          cBuf[j] = Math.exp(u[inOff + j] + lnK);
        }
        const v = budgetLogMultiplier(cBuf, 0, mk.e, inOff, G, mk.budget[i], uniform, this.logMult[i]);
        this.logMult[i] = v;
        let E = 0;
        for (let j = 0; j < G; j++) {
          const ej = mk.e[inOff + j];
          const bj = mk.b[inOff + j];
          const lnX = lnKBuf[j] - ej * v;
          const xj = Math.exp(lnX);
          const yj = xj > 0 ? Math.exp(lnA[aOff + j] + bj * lnX) : 0;
          const sj = withhold === null ? yj : (1 - withhold[aOff + j]) * yj;
          x[aOff + j] = xj;
          y[aOff + j] = yj;
          supplied[aOff + j] = sj;
          demand[inOff + j] += xj;
          supply[outOff + j] += sj;
          if (jacobian) {
            const ex = ej * xj;
            const es = ej * bj * sj;
            dD[(inOff + j) * n + inOff + j] -= ex;
            dD[(inOff + j) * n + outOff + j] += ex;
            dS[(outOff + j) * n + inOff + j] -= es;
            dS[(outOff + j) * n + outOff + j] += es;
            E += p[inOff + j] * xj * ej;
          }
        }
        if (jacobian && v > 0 && E > 0) {
          // Binding budget: d v = sum_l c_l (d ln c_l^unconstrained) / sum_l c_l e_l, a rank-one correction.
          for (let l = 0; l < G; l++) {
            const cl = p[inOff + l] * x[aOff + l];
            const el = mk.e[inOff + l];
            dvIn[l] = (cl * (1 - el)) / E;
            dvOut[l] = (cl * el) / E;
          }
          for (let j = 0; j < G; j++) {
            const ej = mk.e[inOff + j];
            const cx = -ej * x[aOff + j];
            const cs = -ej * mk.b[inOff + j] * supplied[aOff + j];
            const rowD = (inOff + j) * n;
            const rowS = (outOff + j) * n;
            for (let l = 0; l < G; l++) {
              dD[rowD + inOff + l] += cx * dvIn[l];
              dD[rowD + outOff + l] += cx * dvOut[l];
              dS[rowS + inOff + l] += cs * dvIn[l];
              dS[rowS + outOff + l] += cs * dvOut[l];
            }
          }
        }
      }
    }
    // Outside supply into layer 0, outside demand out of layer L.
    for (let j = 0; j < G; j++) {
      const so = mk.supplyAlpha[j] * Math.exp(mk.supplyBeta[j] * u[j]);
      supply[j] += so;
      const qd = L * G + j;
      const dd = this.demandAlpha[j] * Math.exp(mk.demandBeta[j] * u[qd]);
      demand[qd] += dd;
      if (jacobian) {
        dS[j * n + j] += mk.supplyBeta[j] * so;
        dD[qd * n + qd] += mk.demandBeta[j] * dd;
      }
    }
    let worst = 0;
    for (let q = 0; q < n; q++) {
      const f = Math.log(demand[q]) - Math.log(supply[q]);
      this.F[q] = f;
      const af = Math.abs(f);
      if (!(af <= worst)) worst = Number.isNaN(af) ? Infinity : af;
    }
    if (jacobian) {
      const J = this.J;
      for (let q = 0; q < n; q++) {
        const invD = 1 / demand[q];
        const invS = 1 / supply[q];
        const row = q * n;
        for (let r = 0; r < n; r++) J[row + r] = dD[row + r] * invD - dS[row + r] * invS;
      }
    }
    return worst;
  }

  /** Each agent's profit at the current state: revenue of the output it offers minus the cost of its inputs. */
  profits(out: Float64Array): Float64Array {
    const mk = this.market;
    const G = mk.G;
    for (let i = 0; i < mk.nAgents; i++) {
      const inOff = mk.group[i] * G;
      const outOff = inOff + G;
      let r = 0;
      let c = 0;
      for (let j = 0; j < G; j++) {
        c += this.p[inOff + j] * this.x[i * G + j];
        r += this.p[outOff + j] * this.supplied[i * G + j];
      }
      out[i] = r - c;
    }
    return out;
  }
}

/**
 * The fast equilibrium solver used inside environments: damped Newton on log-prices with the analytic Jacobian
 * (MarketModel), Armijo backtracking on 1/2 ||F||^2, warm-started from the previous solution. A cold start that
 * fails falls back to a short tatonnement to get close, then Newton again.
 */
export class LegacyEquilibriumSolver {
  readonly market: CompiledMarket;
  readonly model: LegacyMarketModel;
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
    this.model = new LegacyMarketModel(this.market);
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

  /** The log-prices the next solve starts from. */
  get startLogPrices(): Float64Array {
    return this.u;
  }

  /** Clear the market for one period's inputs. Throws `NoEquilibriumError` when no equilibrium is found. */
  solve(inputs: PeriodInputs = {}): Equilibrium {
    const { iterations, residual } = this.clear(inputs);
    return snapshot(this.model as unknown as MarketModel, "newton", iterations, residual);
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
function solveLinear(A: Float64Array, b: Float64Array, work: Float64Array, n: number): boolean {
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
