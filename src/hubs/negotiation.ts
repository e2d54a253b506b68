/**
 * Bilateral negotiation with stated limits. Both sides concede linearly from an opening quote to their
 * reservation over `steps` alternating rounds (the limit "time to conclude"); they agree at the first step where
 * the buyer's offer reaches the seller's ask, at the midpoint of the two. No agreement within the limit means
 * the caller escalates (see the escalation rule in docs/hubs.md).
 */
export interface ConcessionResult {
  agreed: boolean;
  /** Step (0-based) at which they agreed, or `steps` when they did not. */
  step: number;
  /** The agreed term (a price, or a credit quantity); NaN without agreement. */
  value: number;
}

export function concede(
  sellerOpen: number,
  sellerReserve: number,
  buyerOpen: number,
  buyerReserve: number,
  steps: number,
): ConcessionResult {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`concede: steps must be a positive integer, got ${steps}`);
  for (const [name, v] of Object.entries({ sellerOpen, sellerReserve, buyerOpen, buyerReserve })) {
    if (!Number.isFinite(v)) throw new RangeError(`concede: ${name} must be finite, got ${v}`);
  }
  for (let k = 0; k < steps; k++) {
    const f = steps === 1 ? 1 : k / (steps - 1);
    const ask = sellerOpen + (sellerReserve - sellerOpen) * f;
    const bid = buyerOpen + (buyerReserve - buyerOpen) * f;
    if (bid >= ask) {
      const lo = Math.max(sellerReserve, Math.min(ask, bid));
      const hi = Math.min(buyerReserve, Math.max(ask, bid));
      return { agreed: true, step: k, value: Math.min(hi, Math.max(lo, (ask + bid) / 2)) };
    }
  }
  return { agreed: false, step: steps, value: NaN };
}

/**
 * Smallest x in [lo, hi] with f(x) >= target for a nondecreasing f (bisection to `tol`), or NaN when even
 * f(hi) < target.
 */
export function smallestReaching(f: (x: number) => number, target: number, lo: number, hi: number, tol = 1e-6): number {
  if (f(lo) >= target) return lo;
  if (!(f(hi) >= target)) return NaN;
  let a = lo;
  let b = hi;
  while (b - a > tol * Math.max(1, Math.abs(b))) {
    const m = (a + b) / 2;
    if (f(m) >= target) b = m;
    else a = m;
  }
  return b;
}

/** Largest x in [lo, hi] with f(x) <= target for a nondecreasing f, or NaN when even f(lo) > target. */
export function largestWithin(f: (x: number) => number, target: number, lo: number, hi: number, tol = 1e-6): number {
  if (f(hi) <= target) return hi;
  if (!(f(lo) <= target)) return NaN;
  let a = lo;
  let b = hi;
  while (b - a > tol * Math.max(1, Math.abs(b))) {
    const m = (a + b) / 2;
    if (f(m) <= target) a = m;
    else b = m;
  }
  return a;
}

/** Money negotiation for one lot, in price per unit. */
export function negotiateMoney(opts: {
  /** Seller's reservation per unit (its loss / quantity). */
  sellerReserve: number;
  /** Buyer's reservation per unit (its gain / quantity). */
  buyerReserve: number;
  /** Negotiation limit: maximum price per unit (Infinity = none). */
  maxPrice: number;
  steps: number;
}): ConcessionResult & { blockedByCap: boolean } {
  const { sellerReserve, buyerReserve, maxPrice, steps } = opts;
  const buyerCap = Math.min(buyerReserve, maxPrice);
  // Opening quotes (stated rule): the buyer opens at 0; the seller at twice its reservation, capped by the
  // maximum price (with a zero reservation: at the cap, or at 1 per unit without a cap).
  const open = sellerReserve > 0 ? 2 * sellerReserve : Number.isFinite(maxPrice) ? maxPrice : 1;
  const sellerOpen = Math.max(sellerReserve, Math.min(maxPrice, open));
  if (buyerCap < sellerReserve) return { agreed: false, step: steps, value: NaN, blockedByCap: buyerReserve > sellerReserve };
  const r = concede(sellerOpen, sellerReserve, 0, buyerCap, steps);
  return { ...r, blockedByCap: false };
}
