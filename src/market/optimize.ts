import { Rng } from "../core/rng.js";

/**
 * Bound-constrained derivative-free maximisation: compass (coordinate pattern) search with multi-start.
 *
 * From each start it tries x ± h along every coordinate (clipped to the box), moves to the first improvement,
 * and halves h when no coordinate improves; it stops when h falls below `tolerance` times the box width of every
 * coordinate or the start's share of the evaluation budget is spent. The first start is the caller's point (for
 * instance the truthful bid or last period's answer); the others are drawn uniformly in the box from `seed`, so a
 * result is a deterministic function of (f, box, start, options). Compass search converges to a stationary point
 * of a continuously differentiable function on a box (Kolda, Lewis and Torczon, "Optimization by direct search",
 * SIAM Review 45(3), 2003, section 3); the multi-start guards against poor local maxima.
 *
 * Hand-written rather than a dependency: the one maintained-looking npm package (`fmin`, 2016) is unconstrained
 * and untyped, and bounds by transformation would change the search geometry at the box faces where best bids
 * often lie (withhold 0).
 */
export interface MaximizeOptions {
  /** Evaluations of f over all starts (default 400). */
  budget?: number;
  /** Number of starts, the first the given point (default 3). */
  starts?: number;
  /** Initial step as a fraction of each coordinate's box width (default 0.25). */
  initialStep?: number;
  /** Stop a start when the step is below this fraction of the box width (default 1e-4). */
  tolerance?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
}

export interface MaximizeResult {
  x: number[];
  value: number;
  evaluations: number;
  /** Value of f at the first start (the caller's point). */
  startValue: number;
}

export const MAXIMIZE_DEFAULTS = { budget: 400, starts: 3, initialStep: 0.25, tolerance: 1e-4, seed: 0 } as const;

export function maximize(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  low: readonly number[],
  high: readonly number[],
  opts: MaximizeOptions = {},
): MaximizeResult {
  const o = { ...MAXIMIZE_DEFAULTS };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) (o as Record<string, number>)[k] = v;
  const n = start.length;
  if (low.length !== n || high.length !== n)
    throw new RangeError(`maximize: start has ${n} entries, bounds ${low.length} and ${high.length}`);
  for (let k = 0; k < n; k++)
    if (!(low[k] <= high[k])) throw new RangeError(`maximize: low[${k}] = ${low[k]} exceeds high[${k}] = ${high[k]}`);
  if (!(o.budget >= 1) || !(o.starts >= 1)) throw new RangeError("maximize: budget and starts must be at least 1");
  const rng = new Rng(o.seed);
  const clip = (v: number, k: number) => Math.min(high[k], Math.max(low[k], v));
  let evaluations = 0;
  const value = (x: readonly number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? -Infinity : v;
  };
  let best: number[] = start.map(clip);
  let bestValue = -Infinity;
  let startValue = -Infinity;
  const perStart = Math.max(1, Math.floor(o.budget / o.starts));
  for (let s = 0; s < o.starts && evaluations < o.budget; s++) {
    let x = s === 0 ? start.map(clip) : low.map((l, k) => rng.uniform(l, high[k]));
    const stop = Math.min(o.budget, evaluations + perStart);
    let fx = value(x);
    if (s === 0) startValue = fx;
    const h = low.map((l, k) => o.initialStep * (high[k] - l));
    const done = () => h.every((hk, k) => hk <= o.tolerance * (high[k] - low[k]));
    while (!done() && evaluations < stop) {
      let improved = false;
      for (let k = 0; k < n && evaluations < stop; k++) {
        if (h[k] <= o.tolerance * (high[k] - low[k])) continue;
        for (const dir of [1, -1]) {
          const v = clip(x[k] + dir * h[k], k);
          if (v === x[k]) continue;
          const y = x.slice();
          y[k] = v;
          const fy = value(y);
          if (fy > fx) {
            x = y;
            fx = fy;
            improved = true;
            break;
          }
          if (evaluations >= stop) break;
        }
      }
      if (!improved) for (let k = 0; k < n; k++) h[k] *= 0.5;
    }
    if (fx > bestValue) {
      bestValue = fx;
      best = x;
    }
  }
  return { x: best, value: bestValue, evaluations, startValue };
}
