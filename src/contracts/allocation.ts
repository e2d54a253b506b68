/**
 * How the retailer turns capacity quotes into an allocation. Capacities (CN, CM) are public, costs private:
 * the only cost signal the retailer has is each subcontractor's round-1 quote for its maximal capacity, priced
 * at its overtime margin. Arrays are indexed by subcontractor; `available[i]` is 0 for one that refused.
 */

function orderByQuote(quotes: ArrayLike<number>, order: Int32Array): Int32Array {
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => quotes[a] - quotes[b] || a - b);
  return order;
}

/**
 * The paper's first retailer: fill the cheapest quotes first, each up to its maximal capacity, until `quantity`
 * is covered (a capacity-blind reading of the quotes: it buys overtime from a cheap quote before the normal
 * capacity of a dearer one).
 */
export function allocateByQuotes(
  quantity: number,
  maxCap: ArrayLike<number>,
  quotes: ArrayLike<number>,
  available: ArrayLike<number>,
  out: Float64Array = new Float64Array(maxCap.length),
  order: Int32Array = new Int32Array(maxCap.length),
): Float64Array {
  out.fill(0);
  orderByQuote(quotes, order);
  fillInOrder(quantity, maxCap, available, order, out);
  return out;
}

/** Add to `out`, in `order`, up to each available seller's `cap`, until `quantity` is placed; returns what is left. */
function fillInOrder(quantity: number, cap: ArrayLike<number>, available: ArrayLike<number>, order: Int32Array, out: Float64Array): number {
  let left = quantity;
  for (let k = 0; k < order.length && left > 0; k++) {
    const i = order[k];
    if (!available[i]) continue;
    const take = Math.min(cap[i] - out[i], left);
    out[i] += take;
    left -= take;
  }
  return left;
}

/**
 * Normal capacity first (cheapest quotes first), then overtime from the cheapest quotes: the cheapest allocation
 * given the capacities and the quotes as overtime price signals.
 */
export function allocateNormalFirst(
  quantity: number,
  normalCap: ArrayLike<number>,
  maxCap: ArrayLike<number>,
  quotes: ArrayLike<number>,
  available: ArrayLike<number>,
  out: Float64Array = new Float64Array(maxCap.length),
  order: Int32Array = new Int32Array(maxCap.length),
): Float64Array {
  out.fill(0);
  orderByQuote(quotes, order);
  const left = fillInOrder(quantity, normalCap, available, order, out);
  fillInOrder(left, maxCap, available, order, out);
  return out;
}

export interface EfficiencyCheck {
  efficient: boolean;
  /** Some allocation is negative, above CM, or given to an unavailable subcontractor. */
  capacityViolated: boolean;
  /** The allocation does not sum to min(quantity, available maximal capacity). */
  totalViolated: boolean;
  /** Overtime (q_j > CN_j) while an available subcontractor's normal capacity is unused (q_i < CN_i). */
  normalFirstViolated: boolean;
  /** Overtime bought at a dearer quote while a cheaper-quoting subcontractor has overtime room. */
  overtimeOrderViolated: boolean;
}

/**
 * The paper's `check_quantity_efficiency()`: verify that an allocation is the cheapest given the capacities and the
 * quotes; when it is not, `revised` receives the normal-first allocation (else a copy of `alloc`). O(n) checks.
 */
export function checkQuantityEfficiency(
  alloc: ArrayLike<number>,
  quantity: number,
  normalCap: ArrayLike<number>,
  maxCap: ArrayLike<number>,
  quotes: ArrayLike<number>,
  available: ArrayLike<number>,
  revised?: Float64Array,
  order?: Int32Array,
): EfficiencyCheck {
  const n = maxCap.length;
  const tol = 1e-9 * Math.max(1, quantity);
  let capacityViolated = false;
  let total = 0;
  let availCap = 0;
  let anyOvertime = false;
  let anyIdleNormal = false;
  let maxOvertimeQuote = -Infinity;
  let minRoomQuote = Infinity;
  for (let i = 0; i < n; i++) {
    const q = alloc[i];
    total += q;
    if (q < -tol || q > maxCap[i] + tol || (!available[i] && q > tol)) capacityViolated = true;
    if (!available[i]) continue;
    availCap += maxCap[i];
    if (q > normalCap[i] + tol) {
      anyOvertime = true;
      if (quotes[i] > maxOvertimeQuote) maxOvertimeQuote = quotes[i];
    } else if (q < normalCap[i] - tol) anyIdleNormal = true;
    if (q >= normalCap[i] - tol && q < maxCap[i] - tol && maxCap[i] > normalCap[i] && quotes[i] < minRoomQuote) minRoomQuote = quotes[i];
  }
  const totalViolated = Math.abs(total - Math.min(quantity, availCap)) > tol;
  const normalFirstViolated = anyOvertime && anyIdleNormal;
  const overtimeOrderViolated = anyOvertime && minRoomQuote < maxOvertimeQuote;
  const efficient = !capacityViolated && !totalViolated && !normalFirstViolated && !overtimeOrderViolated;
  if (revised) {
    if (efficient) for (let i = 0; i < n; i++) revised[i] = alloc[i];
    else allocateNormalFirst(quantity, normalCap, maxCap, quotes, available, revised, order);
  }
  return { efficient, capacityViolated, totalViolated, normalFirstViolated, overtimeOrderViolated };
}
