/**
 * The wholesale-price contract model of seed 004 (docs/model.md section B): a retailer buys a quantity from
 * subcontractors that each have a normal capacity CN (unit cost c) and can work overtime up to a maximal
 * capacity CM at an extra unit cost e on top of c. Pure functions over plain data; no randomness here.
 */

/** A subcontractor's private cost structure. */
export interface Subcontractor {
  id: string;
  /** CN: units it makes at the normal unit cost. */
  normalCapacity: number;
  /** CM >= CN: units it can make at most, the ones above CN in overtime. */
  maxCapacity: number;
  /** c: unit cost up to CN. */
  unitCost: number;
  /** e: extra unit cost of each unit above CN (an overtime unit costs c + e). */
  extraCost: number;
}

/** The retailer: demand D at retail price R; its own unit cost c_R on every unit it buys (our choice). */
export interface Retailer {
  demand: number;
  retailPrice: number;
  unitCost: number;
}

export interface ContractInstance {
  retailer: Retailer;
  subcontractors: Subcontractor[];
}

/** cost_i(q) = c q + e max(0, q - CN). */
export function productionCost(s: Subcontractor, q: number): number {
  return s.unitCost * q + (q > s.normalCapacity ? s.extraCost * (q - s.normalCapacity) : 0);
}

/** Marginal cost of the last unit of q (c up to CN, c + e above); the analytic seller's reservation price. */
export function marginalCost(s: Subcontractor, q: number): number {
  return q > s.normalCapacity ? s.unitCost + s.extraCost : s.unitCost;
}

export function totalNormalCapacity(subs: readonly Subcontractor[]): number {
  let t = 0;
  for (const s of subs) t += s.normalCapacity;
  return t;
}

export function totalMaxCapacity(subs: readonly Subcontractor[]): number {
  let t = 0;
  for (const s of subs) t += s.maxCapacity;
  return t;
}

/** The chain's production cost of an allocation: sum_i cost_i(q_i). */
export function chainProductionCost(subs: readonly Subcontractor[], q: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < subs.length; i++) t += productionCost(subs[i], q[i]);
  return t;
}

/**
 * Chain profit when `sold` units sell at R out of an allocation q (sum q bought, each carrying the retailer's
 * unit cost): R sold - c_R sum q - sum_i cost_i(q_i). With fixed demand sold = sum q = D and this is
 * R D - c_R D - sum cost_i(q_i) (docs/model.md B).
 */
export function chainProfit(inst: ContractInstance, q: ArrayLike<number>, sold?: number): number {
  let bought = 0;
  for (let i = 0; i < inst.subcontractors.length; i++) bought += q[i];
  const s = sold ?? bought;
  return inst.retailer.retailPrice * s - inst.retailer.unitCost * bought - chainProductionCost(inst.subcontractors, q);
}

/**
 * The cheapest allocation of `quantity` units (default D): fill capacity tranches in increasing unit cost,
 * each subcontractor's normal tranche [0, CN] at c and its overtime tranche [CN, CM] at c + e. Costs are convex
 * per subcontractor, so this greedy fill is optimal; ties go to normal tranches, then to the lower index.
 * When every normal cost is below every overtime cost this is "all normal capacity first, then overtime from the
 * cheapest". Throws a RangeError when quantity is negative or above the total maximal capacity.
 */
export function cheapestAllocation(subs: readonly Subcontractor[], quantity: number, out?: Float64Array): Float64Array {
  const n = subs.length;
  const q = out ?? new Float64Array(n);
  q.fill(0);
  const cm = totalMaxCapacity(subs);
  if (!(quantity >= 0) || quantity > cm + 1e-9 * Math.max(1, cm)) {
    throw new RangeError(`cheapestAllocation: quantity ${quantity} is outside [0, ${cm}] (total maximal capacity)`);
  }
  // Tranche k < n is sub k's normal tranche, k >= n sub (k - n)'s overtime tranche.
  const order = new Int32Array(2 * n);
  for (let k = 0; k < 2 * n; k++) order[k] = k;
  const price = (k: number) => (k < n ? subs[k].unitCost : subs[k - n].unitCost + subs[k - n].extraCost);
  order.sort((a, b) => price(a) - price(b) || (a < n ? 0 : 1) - (b < n ? 0 : 1) || a - b);
  let left = quantity;
  for (let j = 0; j < 2 * n && left > 0; j++) {
    const k = order[j];
    const s = k < n ? subs[k] : subs[k - n];
    const size = k < n ? s.normalCapacity : s.maxCapacity - s.normalCapacity;
    const take = Math.min(size, left);
    q[k < n ? k : k - n] += take;
    left -= take;
  }
  return q;
}

/** The largest chain profit for selling `quantity` units (default D): the cheapest allocation's chain profit. */
export function maxChainProfit(inst: ContractInstance, quantity = inst.retailer.demand): number {
  const q = cheapestAllocation(inst.subcontractors, quantity);
  return chainProfit(inst, q, quantity);
}
