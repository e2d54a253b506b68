import type { ResolvedHub, ResolvedResource } from "./config.js";
import { solveSmallLp } from "./small-lp.js";

/**
 * One hub's best production plan for a period given what it holds: maximise margin earned plus delay avoided,
 *
 *     max  sum_p (margin_p + delayPerUnit_p) x_p
 *     s.t. sum_p needs_pr x_p <= holding_r           every resource r
 *          sum_p energyNeed_p x_p <= energyLimit      hard constraint
 *          sum_p labourNeed_p x_p <= contractual hrs  hard constraint
 *          0 <= x_p <= demand_p
 *
 * Profit before trades = sum_p margin_p x_p; delay cost = sum_p delayPerUnit_p (demand_p - x_p), so
 * value = profit - delay cost is concave and piecewise linear in the holdings.
 */
export interface ProductionPlan {
  /** Units of each product made. */
  x: number[];
  /** sum margin * x. */
  margin: number;
  /** Delay cost of the units short. */
  delayCost: number;
  /** margin - delayCost. */
  value: number;
  /** Units of each resource used. */
  usage: number[];
}

export function planProduction(
  hub: ResolvedHub,
  resources: readonly ResolvedResource[],
  period: number,
  holdings: readonly number[],
): ProductionPlan {
  const P = hub.products.length;
  const R = resources.length;
  let x: number[];
  if (P === 1) {
    const p = hub.products[0];
    let q = p.demand[period];
    let energy = 0;
    let labour = 0;
    for (let r = 0; r < R; r++) {
      const a = p.needs[r];
      if (a > 0) {
        q = Math.min(q, Math.max(0, holdings[r]) / a);
        if (resources[r].kind === "energy") energy += a;
        else if (resources[r].kind === "labour") labour += a;
      }
    }
    if (energy > 0) q = Math.min(q, hub.energyLimit / energy);
    if (labour > 0) q = Math.min(q, hub.contractualLabourHours / labour);
    x = [q];
  } else {
    const c = hub.products.map((p) => p.marginPerUnit + p.delayPerUnit);
    const A: number[][] = [];
    const b: number[] = [];
    const energy = new Array<number>(P).fill(0);
    const labour = new Array<number>(P).fill(0);
    for (let r = 0; r < R; r++) {
      const row = hub.products.map((p) => p.needs[r]);
      if (row.some((v) => v > 0)) {
        A.push(row);
        b.push(Math.max(0, holdings[r]));
        const kind = resources[r].kind;
        for (let j = 0; j < P; j++) {
          if (kind === "energy") energy[j] += row[j];
          else if (kind === "labour") labour[j] += row[j];
        }
      }
    }
    if (Number.isFinite(hub.energyLimit) && energy.some((v) => v > 0)) {
      A.push(energy);
      b.push(hub.energyLimit);
    }
    if (Number.isFinite(hub.contractualLabourHours) && labour.some((v) => v > 0)) {
      A.push(labour);
      b.push(hub.contractualLabourHours);
    }
    for (let j = 0; j < P; j++) {
      const row = new Array<number>(P).fill(0);
      row[j] = 1;
      A.push(row);
      b.push(hub.products[j].demand[period]);
    }
    x = solveSmallLp(c, A, b).x.map((v) => Math.max(0, v));
  }
  let margin = 0;
  let delayCost = 0;
  const usage = new Array<number>(R).fill(0);
  for (let j = 0; j < P; j++) {
    const p = hub.products[j];
    margin += p.marginPerUnit * x[j];
    delayCost += p.delayPerUnit * Math.max(0, p.demand[period] - x[j]);
    for (let r = 0; r < R; r++) usage[r] += p.needs[r] * x[j];
  }
  return { x, margin, delayCost, value: margin - delayCost, usage };
}

/** Value (margin - delay cost) only. */
export function hubValue(hub: ResolvedHub, resources: readonly ResolvedResource[], period: number, holdings: readonly number[]): number {
  return planProduction(hub, resources, period, holdings).value;
}

/** Units of storable resources in `holdings`. */
export function storedUnits(resources: readonly ResolvedResource[], holdings: readonly number[]): number {
  let s = 0;
  for (let r = 0; r < resources.length; r++) if (resources[r].storable) s += holdings[r];
  return s;
}

/**
 * Value gained by receiving `q` units of resource `r` (-Infinity when the hub's storage capacity forbids it)
 * and value lost by giving them away (Infinity when it holds fewer than `q`). The trading rounds value lots with
 * this function. Giving away is valued at holdings `max(0, h - q)`: with `h` within 1e-9 below `q` (rounding) the
 * hub is left with nothing, never with a negative holding (planProduction would clamp it to 0 anyway, so the
 * value is the same; the clamp keeps the holdings array valid for anything else that reads it).
 */
export function marginalValues(
  hub: ResolvedHub,
  resources: readonly ResolvedResource[],
  period: number,
  holdings: number[],
  r: number,
  q: number,
  base = hubValue(hub, resources, period, holdings),
): { gain: number; loss: number } {
  const h0 = holdings[r];
  let gain = -Infinity;
  if (!resources[r].storable || storedUnits(resources, holdings) + q <= hub.storageCapacity + 1e-9) {
    holdings[r] = h0 + q;
    gain = hubValue(hub, resources, period, holdings) - base;
  }
  let loss = Infinity;
  if (h0 >= q - 1e-9) {
    holdings[r] = Math.max(0, h0 - q);
    loss = base - hubValue(hub, resources, period, holdings);
  }
  holdings[r] = h0;
  return { gain, loss };
}
