/**
 * Fairness of a split of benefit among parties (usually the agents' profits over an evaluation).
 * Each index says what it does with zero and negative values; undefined cases return NaN, never throw.
 */

/**
 * Jain's index (Σx)² / (n Σx²), in [1/n, 1]; 1 when everyone gets the same. Defined for non-negative values
 * only: NaN when any value is negative or the list is empty; 1 when every value is 0 (an equal split).
 */
export function jainIndex(xs: readonly number[]): number {
  const n = xs.length;
  if (n === 0 || xs.some((x) => x < 0 || Number.isNaN(x))) return NaN;
  let s = 0;
  let s2 = 0;
  for (const x of xs) {
    s += x;
    s2 += x * x;
  }
  return s2 === 0 ? 1 : (s * s) / (n * s2);
}

/**
 * How {@link gini} treats negative values:
 * - "allow" (default): use them as they are. G = Σ_i Σ_j |x_i - x_j| / (2 n² μ) stays well defined while the
 *   mean μ is positive, but can exceed 1 (a party with losses makes the split "more than totally unequal").
 *   NaN when μ <= 0.
 * - "clip": replace negative values by 0 first (losses count as nothing), so G is in [0, 1 - 1/n].
 * - "nan": return NaN when any value is negative.
 */
export type NegativeRule = "allow" | "clip" | "nan";

/**
 * Gini coefficient by the mean absolute difference, G = Σ_i Σ_j |x_i - x_j| / (2 n² μ) (the population form,
 * n² not n(n-1): 0 for an equal split, 1 - 1/n when one party has everything). One value gives 0; an empty
 * list or a non-positive mean gives NaN; negatives follow `negatives` (see {@link NegativeRule}).
 */
export function gini(xs: readonly number[], negatives: NegativeRule = "allow"): number {
  if (xs.length === 0 || xs.some(Number.isNaN)) return NaN;
  let v = xs;
  if (xs.some((x) => x < 0)) {
    if (negatives === "nan") return NaN;
    if (negatives === "clip") v = xs.map((x) => Math.max(0, x));
  }
  const n = v.length;
  const sorted = [...v].sort((a, b) => a - b);
  let sum = 0;
  for (const x of sorted) sum += x;
  const mu = sum / n;
  if (!(mu > 0)) return NaN;
  // Σ_i Σ_j |x_i - x_j| = 2 Σ_i (2i - n + 1) x_(i) for 0-based sorted order: O(n log n)
  let acc = 0;
  for (let i = 0; i < n; i++) acc += (2 * i - n + 1) * sorted[i];
  return (2 * acc) / (2 * n * n * mu);
}

/** Each value's share of the total, x_i / Σx. All NaN when the total is not positive. */
export function shares(xs: readonly number[]): number[] {
  let s = 0;
  for (const x of xs) s += x;
  return xs.map((x) => (s > 0 ? x / s : NaN));
}

/** Smallest share of the total (negative when a party has losses); NaN if the total is not positive. */
export function minShare(xs: readonly number[]): number {
  const sh = shares(xs);
  return sh.length === 0 ? NaN : Math.min(...sh);
}

/** Largest share of the total; NaN if the total is not positive. */
export function maxShare(xs: readonly number[]): number {
  const sh = shares(xs);
  return sh.length === 0 ? NaN : Math.max(...sh);
}

/**
 * Nash social welfare in log form, Σ log x_i. Defined only when every value is strictly positive; otherwise
 * (any zero or negative profit, or an empty list) NaN, because the product of profits is then 0 or has no
 * meaningful logarithm. Compare conditions only where it is defined for both.
 */
export function nashSocialWelfare(xs: readonly number[]): number {
  if (xs.length === 0 || xs.some((x) => !(x > 0))) return NaN;
  let s = 0;
  for (const x of xs) s += Math.log(x);
  return s;
}

/** Pearson correlation; NaN for fewer than 2 pairs or when either side is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`pearson needs equal lengths, got ${n} and ${y.length}`);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

export interface AddedValueProportionality {
  /** Each actor's share of the chain profit. */
  profitShares: number[];
  /** Each actor's share of the chain's cost (its added value). */
  costShares: number[];
  /** Total-variation distance ½ Σ |profitShare_i - costShare_i|: 0 is a perfectly proportional split. */
  tvDistance: number;
  /** Pearson correlation of profit shares with cost shares (NaN when either is constant). */
  correlation: number;
}

/**
 * Added-value proportionality (seed 004): is each actor's share of the chain profit close to its share of
 * the chain's cost? `profits[i]` and `costs[i]` belong to actor i. Shares are NaN (and so the results) when
 * the total profit or the total cost is not positive.
 */
export function addedValueProportionality(profits: readonly number[], costs: readonly number[]): AddedValueProportionality {
  if (profits.length !== costs.length)
    throw new RangeError(`addedValueProportionality: ${profits.length} profits but ${costs.length} costs`);
  const profitShares = shares(profits);
  const costShares = shares(costs);
  let tv = 0;
  for (let i = 0; i < profitShares.length; i++) tv += Math.abs(profitShares[i] - costShares[i]);
  return {
    profitShares,
    costShares,
    tvDistance: profitShares.length === 0 ? NaN : tv / 2,
    correlation: pearson(profitShares, costShares),
  };
}
