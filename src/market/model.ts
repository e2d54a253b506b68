import type { CompiledMarket } from "./spec.js";

/**
 * Per-period inputs that are not part of the market's structure: the outside demand scale of each final good
 * (the stochastic `alpha_t` of docs/model.md "Over time") and the bids of strategic agents as shading of their
 * analytic demand and supply functions. Arrays are indexed `i * G + j` (agent i, good j); null means truthful.
 */
export interface PeriodInputs {
  demandAlpha?: ArrayLike<number>;
  demandScale?: Float64Array | null;
  withhold?: Float64Array | null;
}

/** MarketModel.saveState(); -Infinity in `base` (a zero demand scale) becomes null in JSON and is read back. */
export interface MarketModelState {
  K: number[];
  Y: number[];
  w: number[];
  ok: number[];
  base: (number | null)[];
  uLast: number[];
  logMult: number[];
  sinceExact: number;
}

/** An evaluation recomputes every agent's plan from scratch at least this often (bounds the drift of updates). */
const EXACT_EVERY = 32;

/**
 * Evaluates every agent's bid (its demand and supply functions, shaded or not) at a price vector and sums them,
 * with outside supply and demand, into each market's demand and supply — and, for Newton, the Jacobian of
 * F = ln(demand) - ln(supply) with respect to u = ln(price). Buffers are allocated once; the hot path allocates
 * nothing. Prices live in log space: u[l*G+j] = ln p[l][j].
 *
 * Agent i of group k plans x_ij = K_ij w_ij and y_ij = a_ij x_ij^b_j = Y_ij w_ij exp(v_i) (because b_j e_j =
 * e_j - 1), where K_ij = exp(base_ij + e_j (u_out,j - u_in,j)) is its unconstrained demand (base_ij = ln of its
 * demand scale + e_j ln(a_ij b_j)), Y_ij = a_ij K_ij^b_j its unconstrained output, v_i = ln(1 + r_i) its budget
 * multiplier and w_ij = exp(-e_j v_i).
 *
 * Cost (issue 15). When prices move from u to u', K and Y of every agent of a group change by the same factors
 * exp(e_j d_j) and exp(b_j e_j d_j), d_j = (u'_out,j - u_out,j) - (u'_in,j - u_in,j): G exponentials per group
 * instead of per agent. So an evaluation updates the agents' state by multiplication (`incremental`), and
 * recomputes it from the logs (`exact`) for agents whose bid changed since the last evaluation, after an
 * overflow, on `resetState()`, and for everyone every EXACT_EVERY evaluations; each update adds about one
 * rounding error (1e-16 relative), so the drift stays below 1e-14, far under the solver's tolerance. The budget
 * multiplier is Newton on v from the agent's last v, moving w by exp(-e_j step) (its Taylor polynomial for small
 * steps). The Jacobian is a separate pass over the state `evaluate` left (`jacobian()`), O(binding agents x
 * goods^2) through two Gram matrices per group, so that line-search trials and quasi-Newton steps skip it.
 */
export class MarketModel {
  readonly n: number;
  readonly p: Float64Array;
  readonly demand: Float64Array;
  readonly supply: Float64Array;
  readonly F: Float64Array;
  /** Row-major n x n Jacobian dF/du (valid after jacobian() or evaluate(u, true)). */
  readonly J: Float64Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly supplied: Float64Array;
  /** ln(1 + r) per agent. */
  readonly logMult: Float64Array;
  readonly demandAlpha: Float64Array;
  private scaleIn: Float64Array | null = null;
  private withholdIn: Float64Array | null = null;

  private readonly lnA: Float64Array;
  /** e_j ln(a_ij b_j) per agent and good. */
  private readonly eLnAB: Float64Array;
  /** ln(demandScale) + e_j ln(a_ij b_j) per agent and good for this period's inputs (-Infinity: demands nothing). */
  private readonly base: Float64Array;
  /** Per agent and good at the last evaluation: unconstrained demand K, unconstrained output Y, w = exp(-e v). */
  private readonly K: Float64Array;
  private readonly Y: Float64Array;
  private readonly w: Float64Array;
  /** Per agent: 1 when K, Y, w are valid for an update from uLast. */
  private readonly ok: Uint8Array;
  private readonly uLast: Float64Array;
  private sinceExact = EXACT_EVERY;
  private readonly lnKBuf: Float64Array;
  private readonly gBuf: Float64Array;
  private readonly qK: Float64Array;
  private readonly qY: Float64Array;
  /** 1 / sum_j c_ij e_j of each agent whose budget binds at the last evaluation, else 0. */
  private readonly invE: Float64Array;
  private readonly outsideS: Float64Array;
  private readonly outsideD: Float64Array;
  private readonly gramX: Float64Array;
  private readonly gramS: Float64Array;
  private readonly sumX: Float64Array;
  private readonly sumS: Float64Array;

  constructor(readonly market: CompiledMarket) {
    const { nMarkets: n, nAgents, G } = market;
    this.n = n;
    this.p = new Float64Array(n);
    this.demand = new Float64Array(n);
    this.supply = new Float64Array(n);
    this.F = new Float64Array(n);
    this.J = new Float64Array(n * n);
    this.x = new Float64Array(nAgents * G);
    this.y = new Float64Array(nAgents * G);
    this.supplied = new Float64Array(nAgents * G);
    this.logMult = new Float64Array(nAgents);
    this.lnA = new Float64Array(nAgents * G);
    this.eLnAB = new Float64Array(nAgents * G);
    this.base = new Float64Array(nAgents * G);
    for (let i = 0; i < nAgents; i++) {
      const k = market.group[i];
      for (let j = 0; j < G; j++) {
        this.lnA[i * G + j] = Math.log(market.a[i * G + j]);
        this.eLnAB[i * G + j] = market.e[k * G + j] * Math.log(market.a[i * G + j] * market.b[k * G + j]);
      }
    }
    this.base.set(this.eLnAB);
    this.K = new Float64Array(nAgents * G);
    this.Y = new Float64Array(nAgents * G);
    this.w = new Float64Array(nAgents * G);
    this.ok = new Uint8Array(nAgents);
    this.uLast = new Float64Array(n);
    this.lnKBuf = new Float64Array(G);
    this.gBuf = new Float64Array(G);
    this.qK = new Float64Array(G);
    this.qY = new Float64Array(G);
    this.invE = new Float64Array(nAgents);
    this.outsideS = new Float64Array(G);
    this.outsideD = new Float64Array(G);
    this.gramX = new Float64Array(G * G);
    this.gramS = new Float64Array(G * G);
    this.sumX = new Float64Array(G);
    this.sumS = new Float64Array(G);
    this.demandAlpha = Float64Array.from(market.demandAlpha);
  }

  /** The bids' demand scales and withheld fractions set by the last `setInputs` (null: truthful). */
  get demandScale(): Float64Array | null {
    return this.scaleIn;
  }

  get withhold(): Float64Array | null {
    return this.withholdIn;
  }

  /**
   * Forget the state carried from earlier evaluations (budget multipliers and the plans that are updated by
   * multiplication), so that what follows depends only on the next inputs and prices.
   */
  resetState(): void {
    this.logMult.fill(0);
    this.ok.fill(0);
    this.sinceExact = EXACT_EVERY;
  }

  /**
   * The state carried from one evaluation to the next (plans updated by multiplication, budget multipliers, the
   * last bids' logs and prices), for an exact save and restore; `restoreState` makes the next evaluations
   * bit-identical to those of the model it was taken from.
   */
  saveState(): MarketModelState {
    return {
      K: Array.from(this.K),
      Y: Array.from(this.Y),
      w: Array.from(this.w),
      ok: Array.from(this.ok),
      base: Array.from(this.base),
      uLast: Array.from(this.uLast),
      logMult: Array.from(this.logMult),
      sinceExact: this.sinceExact,
    };
  }

  restoreState(s: MarketModelState): void {
    if (s.K.length !== this.K.length || s.uLast.length !== this.uLast.length || s.ok.length !== this.ok.length)
      throw new RangeError("restoreState: the state is of another market");
    this.K.set(s.K);
    this.Y.set(s.Y);
    this.w.set(s.w);
    this.ok.set(s.ok);
    this.base.set(s.base.map((v) => (v === null ? -Infinity : v)));
    this.uLast.set(s.uLast);
    this.logMult.set(s.logMult);
    this.sinceExact = s.sinceExact;
  }

  /**
   * Set this period's outside demand and bids (missing fields reset to the market's defaults / truthful). The
   * arrays are read here and by every later evaluation: call setInputs again after changing their contents.
   */
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
    this.scaleIn = inputs.demandScale ?? null;
    this.withholdIn = inputs.withhold ?? null;
    const scale = this.scaleIn;
    const { base, eLnAB, ok } = this;
    for (let i = 0, q = 0; i < this.market.nAgents; i++) {
      let same = true;
      for (let j = 0; j < G; j++, q++) {
        const nb = scale === null ? eLnAB[q] : scale[q] > 0 ? Math.log(scale[q]) + eLnAB[q] : -Infinity;
        if (nb !== base[q]) {
          same = false;
          base[q] = nb;
        }
      }
      if (!same) ok[i] = 0; // this agent's bid changed: recompute its plan from the logs
    }
  }

  /**
   * Evaluate all bids at prices exp(u). Fills p, x, y, supplied, demand, supply, F (and J when asked).
   * Returns max |F| (Infinity when a market has zero demand or supply).
   */
  evaluate(u: ArrayLike<number>, jacobian: boolean): number {
    const mk = this.market;
    const { G, L } = mk;
    const n = this.n;
    const { p, demand, supply, x, y, supplied, lnA, base, K, Y, w, ok, uLast, lnKBuf, gBuf, qK, qY, invE, logMult } = this;
    const e = mk.e;
    const b = mk.b;
    const withhold = this.withholdIn;
    const allExact = this.sinceExact >= EXACT_EVERY;
    this.sinceExact = allExact ? 1 : this.sinceExact + 1;
    for (let q = 0; q < n; q++) {
      p[q] = Math.exp(u[q]);
      demand[q] = 0;
      supply[q] = 0;
    }
    for (let k = 0; k < L; k++) {
      const inOff = k * G;
      const outOff = inOff + G;
      const uniform = mk.uniformB[k] === 1;
      let eMax = 0;
      for (let j = 0; j < G; j++) {
        const ej = e[inOff + j];
        gBuf[j] = ej * (u[outOff + j] - u[inOff + j]);
        const d = ej * (u[outOff + j] - uLast[outOff + j] - (u[inOff + j] - uLast[inOff + j]));
        qK[j] = Math.exp(d);
        qY[j] = Math.exp(b[inOff + j] * d);
        if (ej > eMax) eMax = ej;
      }
      for (let i = mk.groupStart[k]; i < mk.groupStart[k + 1]; i++) {
        const aOff = i * G;
        const budget = mk.budget[i];
        let cost0 = 0;
        let exact = allExact || ok[i] === 0;
        if (!exact) {
          for (let j = 0; j < G; j++) {
            const kj = K[aOff + j] * qK[j];
            K[aOff + j] = kj;
            Y[aOff + j] *= qY[j];
            cost0 += p[inOff + j] * kj;
          }
          if (!(cost0 < Infinity)) exact = true;
        }
        if (exact) {
          cost0 = 0;
          for (let j = 0; j < G; j++) {
            const lnK = base[aOff + j] + gBuf[j];
            lnKBuf[j] = lnK;
            const kj = Math.exp(lnK);
            K[aOff + j] = kj;
            Y[aOff + j] = kj > 0 ? Math.exp(lnA[aOff + j] + b[inOff + j] * lnK) : 0;
            w[aOff + j] = 1;
            cost0 += p[inOff + j] * kj;
          }
          ok[i] = 1;
        }
        let v = 0;
        if (cost0 > budget) {
          if (cost0 < Infinity) {
            // w is exp(-e v) at the agent's last v (exact: at v = 0).
            v = this.bindBudget(aOff, inOff, cost0, budget, uniform, eMax, exact ? 0 : logMult[i], logMult[i]);
            const ev = Math.exp(v);
            let E = 0;
            for (let j = 0; j < G; j++) {
              const xj = K[aOff + j] * w[aOff + j];
              x[aOff + j] = xj;
              y[aOff + j] = Y[aOff + j] * w[aOff + j] * ev;
              E += p[inOff + j] * xj * e[inOff + j];
            }
            invE[i] = E > 0 ? 1 / E : 0;
          } else {
            // The unconstrained plan overflows: solve in logs, plan from the logs, no state kept.
            v = this.bindBudgetLog(u, aOff, inOff, budget, eMax);
            let E = 0;
            for (let j = 0; j < G; j++) {
              const lnX = lnKBuf[j] - e[inOff + j] * v;
              const xj = Math.exp(lnX);
              x[aOff + j] = xj;
              y[aOff + j] = xj > 0 ? Math.exp(lnA[aOff + j] + b[inOff + j] * lnX) : 0;
              E += p[inOff + j] * xj * e[inOff + j];
            }
            invE[i] = E > 0 ? 1 / E : 0;
            ok[i] = 0;
          }
        } else {
          for (let j = 0; j < G; j++) {
            w[aOff + j] = 1;
            x[aOff + j] = K[aOff + j];
            y[aOff + j] = Y[aOff + j];
          }
          invE[i] = 0;
        }
        logMult[i] = v;
        for (let j = 0; j < G; j++) {
          const sj = withhold === null ? y[aOff + j] : (1 - withhold[aOff + j]) * y[aOff + j];
          supplied[aOff + j] = sj;
          demand[inOff + j] += x[aOff + j];
          supply[outOff + j] += sj;
        }
      }
    }
    uLast.set(u);
    // Outside supply into layer 0, outside demand out of layer L.
    for (let j = 0; j < G; j++) {
      const so = mk.supplyAlpha[j] * Math.exp(mk.supplyBeta[j] * u[j]);
      this.outsideS[j] = so;
      supply[j] += so;
      const qd = L * G + j;
      const dd = this.demandAlpha[j] * Math.exp(mk.demandBeta[j] * u[qd]);
      this.outsideD[j] = dd;
      demand[qd] += dd;
    }
    let worst = 0;
    for (let q = 0; q < n; q++) {
      const f = Math.log(demand[q]) - Math.log(supply[q]);
      this.F[q] = f;
      const af = Math.abs(f);
      if (!(af <= worst)) worst = Number.isNaN(af) ? Infinity : af;
    }
    if (!Number.isFinite(worst)) this.ok.fill(0); // a failed evaluation leaves no state to update from
    if (jacobian) this.jacobian();
    return worst;
  }

  /**
   * v = ln(1 + r) of a binding budget: the root of h(v) = ln(sum_j p_j K_j exp(-e_j v)) - ln(budget), convex
   * and decreasing, by Newton from max(ln(cost0 / budget) / max e, hint) as budgetLogMultiplier in producer.ts
   * does (monotone from the left; from the right one step lands left of the root). On entry w[aOff..] holds
   * exp(-e_j vNow); on exit exp(-e_j v) at the returned v. w moves by the factor exp(-e_j step), computed by its
   * degree-5 Taylor polynomial when |e_j step| <= 1e-3 (error below 2e-21 relative; larger steps recompute w), so
   * that the iterations near the root cost no exponential.
   */
  private bindBudget(
    aOff: number,
    inOff: number,
    cost0: number,
    budget: number,
    uniform: boolean,
    eMax: number,
    vNow: number,
    hint: number,
  ): number {
    const mk = this.market;
    const G = mk.G;
    const { K, w, p } = this;
    const e = mk.e;
    const ratio = Math.log(cost0 / budget);
    if (uniform) {
      const v = ratio / e[inOff];
      const wv = Math.exp(-e[inOff] * v);
      for (let j = 0; j < G; j++) w[aOff + j] = wv;
      return v;
    }
    const lnB = Math.log(budget);
    // The root is at least lo = ratio / max e (there h >= 0); a step from the right of the root that lands
    // below lo (very unequal e_j) is cut back to lo, from where Newton is monotone.
    const lo = ratio / eMax;
    let v = Math.max(lo, hint);
    moveW(w, e, aOff, inOff, G, v - vNow, v, eMax);
    let prev = Infinity;
    for (let it = 0; it < 60; it++) {
      let s = 0;
      let se = 0;
      for (let j = 0; j < G; j++) {
        const t = p[inOff + j] * K[aOff + j] * w[aOff + j];
        s += t;
        se += t * e[inOff + j];
      }
      const step = (Math.log(s) - lnB) / (se / s);
      const size = Math.abs(step);
      // Stop at the rounding floor (no progress) or when the step is below 1e-15 v; w stays that of v.
      if (!(size < prev) || size <= 1e-15 * v) break;
      const next = Math.max(v + step, lo);
      moveW(w, e, aOff, inOff, G, next - v, next, eMax);
      v = next;
      prev = size;
    }
    return v;
  }

  /**
   * The same root when the unconstrained plan's cost overflows (very elastic goods, b near 1, far from the
   * equilibrium): Newton on h in log-sum-exp form. Reads ln K_j from lnKBuf. Returns NaN if no finite root.
   */
  private bindBudgetLog(u: ArrayLike<number>, aOff: number, inOff: number, budget: number, eMax: number): number {
    const mk = this.market;
    const G = mk.G;
    const { lnKBuf } = this;
    const e = mk.e;
    void aOff;
    const lnB = Math.log(budget);
    // ln c_j = u_in,j + ln K_j; h(v) = LSE_j(ln c_j - e_j v) - ln B >= 0 at the start (max_j ln c_j - lnB) / eMax.
    let m = -Infinity;
    for (let j = 0; j < G; j++) m = Math.max(m, u[inOff + j] + lnKBuf[j]);
    if (!Number.isFinite(m)) return NaN;
    let v = (m - lnB) / eMax;
    let prev = Infinity;
    for (let it = 0; it < 200; it++) {
      let top = -Infinity;
      for (let j = 0; j < G; j++) top = Math.max(top, u[inOff + j] + lnKBuf[j] - e[inOff + j] * v);
      let s = 0;
      let se = 0;
      for (let j = 0; j < G; j++) {
        const t = Math.exp(u[inOff + j] + lnKBuf[j] - e[inOff + j] * v - top);
        s += t;
        se += t * e[inOff + j];
      }
      const step = (top + Math.log(s) - lnB) / (se / s);
      const size = Math.abs(step);
      if (!Number.isFinite(step) || !(size < prev) || size <= 1e-15 * Math.abs(v)) break;
      v += step;
      prev = size;
    }
    return v;
  }

  /**
   * The Jacobian dF/du at the state of the last `evaluate`, into J. Agent i of group k adds, to the demand of
   * its input markets and the supply of its output markets, d x_ij = e_j x_ij (du_out,j - du_in,j - dv_i) and
   * d s_ij = e_j b_j s_ij (du_out,j - du_in,j - dv_i), where a binding budget moves
   * dv_i = sum_l c_il ((1 - e_l) du_in,l + e_l du_out,l) / E_i with E_i = sum_l c_il e_l (c_il = p_in,l x_il).
   * The rank-one budget terms of a group sum to G x G matrices: with w_i = 1/E_i,
   *   d demand_in,j / d u_in,l  gets -e_j (1 - e_l) p_in,l X_jl,   X_jl = sum_i w_i x_ij x_il (symmetric),
   *   d demand_in,j / d u_out,l gets -e_j e_l p_in,l X_jl,
   *   d supply_out,j / d u_in,l gets -e_j b_j (1 - e_l) p_in,l S_jl, S_jl = sum_i w_i s_ij x_il,
   *   d supply_out,j / d u_out,l gets -e_j b_j e_l p_in,l S_jl,
   * so the cost is about 1.5 G^2 multiply-adds per binding agent instead of 4 G^2 scattered updates.
   */
  jacobian(): void {
    const mk = this.market;
    const { G, L } = mk;
    const n = this.n;
    const { J, p, demand, supply, x, supplied, invE, gramX, gramS, sumX, sumS } = this;
    const e = mk.e;
    const b = mk.b;
    J.fill(0);
    for (let k = 0; k < L; k++) {
      const inOff = k * G;
      const outOff = inOff + G;
      gramX.fill(0);
      gramS.fill(0);
      sumX.fill(0);
      sumS.fill(0);
      let anyBinding = false;
      for (let i = mk.groupStart[k]; i < mk.groupStart[k + 1]; i++) {
        const aOff = i * G;
        for (let j = 0; j < G; j++) {
          sumX[j] += x[aOff + j];
          sumS[j] += supplied[aOff + j];
        }
        const w = invE[i];
        if (w === 0) continue;
        anyBinding = true;
        for (let j = 0; j < G; j++) {
          const wx = w * x[aOff + j];
          const ws = w * supplied[aOff + j];
          const row = j * G;
          for (let l = 0; l <= j; l++) gramX[row + l] += wx * x[aOff + l];
          for (let l = 0; l < G; l++) gramS[row + l] += ws * x[aOff + l];
        }
      }
      // Unconstrained (diagonal) terms.
      for (let j = 0; j < G; j++) {
        const ej = e[inOff + j];
        const qIn = inOff + j;
        const qOut = outOff + j;
        const dx = (ej * sumX[j]) / demand[qIn];
        J[qIn * n + qIn] -= dx;
        J[qIn * n + qOut] += dx;
        const ds = (ej * b[inOff + j] * sumS[j]) / supply[qOut];
        J[qOut * n + qIn] += ds;
        J[qOut * n + qOut] -= ds;
      }
      if (!anyBinding) continue;
      for (let j = 0; j < G; j++) {
        const ej = e[inOff + j];
        const fx = -ej / demand[inOff + j];
        const fs = (ej * b[inOff + j]) / supply[outOff + j];
        const rowIn = (inOff + j) * n;
        const rowOut = (outOff + j) * n;
        for (let l = 0; l < G; l++) {
          const el = e[inOff + l];
          const pl = p[inOff + l];
          const gx = l <= j ? gramX[j * G + l] : gramX[l * G + j];
          const gs = gramS[j * G + l];
          // J = dD / D - dS / S: the demand rows get fx * (...), the supply rows -(-fs) * (...).
          J[rowIn + inOff + l] += fx * (1 - el) * pl * gx;
          J[rowIn + outOff + l] += fx * el * pl * gx;
          J[rowOut + inOff + l] += fs * (1 - el) * pl * gs;
          J[rowOut + outOff + l] += fs * el * pl * gs;
        }
      }
    }
    for (let j = 0; j < G; j++) {
      J[j * n + j] -= (mk.supplyBeta[j] * this.outsideS[j]) / supply[j];
      const qd = L * G + j;
      J[qd * n + qd] += (mk.demandBeta[j] * this.outsideD[j]) / demand[qd];
    }
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
 * Move one agent's w_j = exp(-e_j v) to v = vNew = v + step: multiply by the Taylor polynomial of exp(-e_j step)
 * when every |e_j step| <= 1e-3, else recompute exp(-e_j vNew).
 */
function moveW(w: Float64Array, e: Float64Array, aOff: number, eOff: number, G: number, step: number, vNew: number, eMax: number): void {
  if (step === 0) return;
  if (Math.abs(step) * eMax <= 1e-3) {
    for (let j = 0; j < G; j++) {
      const z = -e[eOff + j] * step;
      w[aOff + j] *= 1 + z * (1 + z * (1 / 2 + z * (1 / 6 + z * (1 / 24 + z * (1 / 120)))));
    }
  } else {
    for (let j = 0; j < G; j++) w[aOff + j] = Math.exp(-e[eOff + j] * vNew);
  }
}
