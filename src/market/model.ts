import type { CompiledMarket } from "./spec.js";
import { budgetLogMultiplier } from "./producer.js";

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

/**
 * Evaluates every agent's bid (its demand and supply functions, shaded or not) at a price vector and sums them,
 * with outside supply and demand, into each market's demand and supply — and, for Newton, the Jacobian of
 * F = ln(demand) - ln(supply) with respect to u = ln(price). Buffers are allocated once; the hot path allocates
 * nothing. Prices live in log space: u[l*G+j] = ln p[l][j].
 */
export class MarketModel {
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
      if (!(alpha[j] > 0) || !Number.isFinite(alpha[j])) throw new RangeError(`demandAlpha[${j}] must be positive and finite, got ${alpha[j]}`);
      this.demandAlpha[j] = alpha[j];
    }
    const size = this.market.nAgents * G;
    if (inputs.demandScale && inputs.demandScale.length !== size) throw new RangeError(`demandScale has ${inputs.demandScale.length} entries, needs nAgents*goods = ${size}`);
    if (inputs.withhold && inputs.withhold.length !== size) throw new RangeError(`withhold has ${inputs.withhold.length} entries, needs nAgents*goods = ${size}`);
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
