/**
 * The price-taking Cobb-Douglas producer of the paper's Profit Maximise Theorem (docs/model.md section A).
 *
 * For each good j, input price p_j and output price P_j, with e_j = 1/(1-b_j):
 *   x_j(r) = ( a_j b_j P_j / ((1+r) p_j) )^e_j,   y_j = a_j x_j^b_j
 * r = 0 when the unconstrained plan fits the budget, else the unique r > 0 with sum_j p_j x_j(r) = budget.
 *
 * A shaded bid (a learned bidder's action) scales the quantity demanded of good j by `demandScale[j]` (the budget
 * still holds: r is re-solved with the scaled demands) and offers only `1 - withhold[j]` of the output.
 */
export interface ProducerParams {
  a: readonly number[];
  b: readonly number[];
  budget: number;
}

export interface Shading {
  /** Multiplies the analytic quantity demanded, per good (1 = truthful). */
  demandScale?: ArrayLike<number>;
  /** Fraction of output withheld from the market, per good (0 = offer all). */
  withhold?: ArrayLike<number>;
}

export interface ProducerPlan {
  /** Inputs bought, per good. */
  x: number[];
  /** Output produced, per good. */
  y: number[];
  /** Output offered to the market, per good: (1 - withhold) y. */
  supplied: number[];
  /** Budget multiplier r >= 0 (marginal profit per unit of cost); 0 when the budget does not bind. */
  r: number;
  binding: boolean;
  cost: number;
  revenue: number;
  profit: number;
}

export function cobbDouglas(a: number, b: number, x: number): number {
  return a * Math.pow(x, b);
}

/**
 * ln(1+r) for a budget: the root v >= 0 of ln(sum_j c_j exp(-e_j v)) = ln(budget), where c_j is the cost of
 * good j's unconstrained plan. The left side is convex and decreasing in v, so Newton converges monotonically
 * from any point left of the root (from the right, one step lands left of it). It starts at the lower bound
 * ln(cost0/budget)/max(e), or at `hint` (the previous solution) when that is larger, and stops when a step no
 * longer shrinks (the rounding floor, about 1e-16 in v). Reads c[off..off+G) and e[eOff..eOff+G).
 */
export function budgetLogMultiplier(
  c: ArrayLike<number>,
  off: number,
  e: ArrayLike<number>,
  eOff: number,
  G: number,
  budget: number,
  uniformE: boolean,
  hint = 0,
): number {
  let cost0 = 0;
  let eMax = 0;
  for (let j = 0; j < G; j++) {
    cost0 += c[off + j];
    if (e[eOff + j] > eMax) eMax = e[eOff + j];
  }
  if (!(cost0 > budget)) return 0;
  const ratio = Math.log(cost0 / budget);
  if (uniformE) return ratio / e[eOff];
  const lnB = Math.log(budget);
  let v = Math.max(ratio / eMax, hint);
  let prev = Infinity;
  for (let it = 0; it < 60; it++) {
    let s = 0;
    let se = 0;
    for (let j = 0; j < G; j++) {
      const t = c[off + j] * Math.exp(-e[eOff + j] * v);
      s += t;
      se += t * e[eOff + j];
    }
    const step = (Math.log(s) - lnB) / (se / s);
    const size = Math.abs(step);
    if (!(size < prev)) break; // no progress: at the rounding floor
    v += step;
    if (size <= 1e-15 * v) break;
    prev = size;
  }
  return v;
}

/** The analytic (or shaded) plan of one producer at input prices `pIn` and output prices `pOut`. */
export function producerPlan(params: ProducerParams, pIn: readonly number[], pOut: readonly number[], shading: Shading = {}): ProducerPlan {
  const G = params.a.length;
  const e = params.b.map((b) => 1 / (1 - b));
  const k = new Array<number>(G);
  const c = new Array<number>(G);
  for (let j = 0; j < G; j++) {
    const scale = shading.demandScale?.[j] ?? 1;
    k[j] = scale * Math.pow((params.a[j] * params.b[j] * pOut[j]) / pIn[j], e[j]);
    c[j] = pIn[j] * k[j];
  }
  const uniform = params.b.every((b) => b === params.b[0]);
  const v = budgetLogMultiplier(c, 0, e, 0, G, params.budget, uniform);
  const x = k.map((kj, j) => (v === 0 ? kj : kj * Math.exp(-e[j] * v)));
  const y = x.map((xj, j) => cobbDouglas(params.a[j], params.b[j], xj));
  const supplied = y.map((yj, j) => (1 - (shading.withhold?.[j] ?? 0)) * yj);
  const cost = x.reduce((s, xj, j) => s + pIn[j] * xj, 0);
  const revenue = supplied.reduce((s, yj, j) => s + pOut[j] * yj, 0);
  return { x, y, supplied, r: Math.expm1(v), binding: v > 0, cost, revenue, profit: revenue - cost };
}
