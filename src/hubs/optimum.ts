import type { ResolvedHub, ResolvedResource } from "./config.js";

/**
 * The constrained social optimum of one period: the largest total value (margin earned minus delay cost over
 * all hubs) that any reallocation of the period's resources can reach while every hard constraint holds. It is
 * the Pareto benchmark of every outcome: money and credits only move value between hubs, and resources do not
 * carry over between periods, so no outcome of any mechanism can beat it. Solved with HiGHS (WebAssembly).
 *
 * LP (variables x[h,p] >= 0 units made, t[h,r] >= 0 units of r held by hub h after reallocation):
 *
 *   max  sum_{h,p} (margin_p + delayPerUnit_p) x[h,p]          (minus the constant sum delayPerUnit_p demand_p)
 *   bal_r:    sum_h t[h,r] = sum_h supply[h,r]                   each transferable resource r
 *             t[h,r] = supply[h,r]                               non-transferable r (fixed bound)
 *   use_h_r:  sum_p needs[p,r] x[h,p] - t[h,r] <= 0
 *   en_h:     sum_p energyNeed[p] x[h,p] <= energyLimit_h
 *   lab_h:    sum_p labourNeed[p] x[h,p] <= contractualLabourHours_h
 *   sto_h:    sum_{r storable} t[h,r] <= storageCapacity_h
 *             x[h,p] <= demand[h,p,period]
 */
export interface OptimumResult {
  status: string;
  /** Total margin - delay cost at the optimum. */
  value: number;
  margin: number;
  delayCost: number;
  /** Units made, [hub][product]. */
  production: number[][];
  /** Holdings after the optimal reallocation, [hub][resource]. */
  holdings: number[][];
  /** Shadow price of one more unit of resource r at hub h (|dual| of use_h_r), [hub][resource]. */
  shadowPrices: number[][];
  solveSeconds: number;
}

type Highs = { solve(problem: string, options?: Record<string, unknown>): any };
let highsPromise: Promise<Highs> | undefined;

/** The HiGHS WebAssembly instance, loaded once. */
export function loadHighs(): Promise<Highs> {
  highsPromise ??= import("highs").then((m) => (m.default as unknown as () => Promise<Highs>)());
  return highsPromise;
}

const num = (v: number): string => {
  if (!Number.isFinite(v)) throw new RangeError(`optimum: non-finite coefficient ${v}`);
  return String(v);
};

/** The CPLEX LP text of the period's social optimum (exported for inspection and tests). */
export function optimumLp(
  hubs: readonly ResolvedHub[],
  resources: readonly ResolvedResource[],
  period: number,
  supply: readonly (readonly number[])[],
): string {
  const R = resources.length;
  const out: string[] = ["Maximize", " obj:"];
  hubs.forEach((hub, h) =>
    hub.products.forEach((p, j) => {
      const w = p.marginPerUnit + p.delayPerUnit;
      if (w !== 0) out.push(` + ${num(w)} x${h}_${j}`);
    }),
  );
  if (out.length === 2) out.push(" 0 x0_0");
  out.push("Subject To");
  for (let r = 0; r < R; r++) {
    if (!resources[r].transferable) continue;
    out.push(` bal_${r}:`);
    let total = 0;
    hubs.forEach((_, h) => {
      out.push(` + t${h}_${r}`);
      total += supply[h][r];
    });
    out.push(` = ${num(total)}`);
  }
  hubs.forEach((hub, h) => {
    const energy = new Array<number>(hub.products.length).fill(0);
    const labour = new Array<number>(hub.products.length).fill(0);
    for (let r = 0; r < R; r++) {
      const terms: string[] = [];
      hub.products.forEach((p, j) => {
        const a = p.needs[r];
        if (a > 0) {
          terms.push(` + ${num(a)} x${h}_${j}`);
          if (resources[r].kind === "energy") energy[j] += a;
          if (resources[r].kind === "labour") labour[j] += a;
        }
      });
      out.push(` use_${h}_${r}:`, ...terms, ` - t${h}_${r} <= 0`);
    }
    const cap = (name: string, coef: number[], limit: number): void => {
      if (!Number.isFinite(limit) || coef.every((v) => v === 0)) return;
      out.push(` ${name}_${h}:`);
      coef.forEach((v, j) => v > 0 && out.push(` + ${num(v)} x${h}_${j}`));
      out.push(` <= ${num(limit)}`);
    };
    cap("en", energy, hub.energyLimit);
    cap("lab", labour, hub.contractualLabourHours);
    if (Number.isFinite(hub.storageCapacity) && resources.some((res) => res.storable)) {
      out.push(` sto_${h}:`);
      resources.forEach((res, r) => res.storable && out.push(` + t${h}_${r}`));
      out.push(` <= ${num(hub.storageCapacity)}`);
    }
  });
  out.push("Bounds");
  hubs.forEach((hub, h) => {
    hub.products.forEach((p, j) => out.push(` 0 <= x${h}_${j} <= ${num(p.demand[period])}`));
    for (let r = 0; r < R; r++) {
      if (resources[r].transferable) out.push(` t${h}_${r} >= 0`);
      else out.push(` t${h}_${r} = ${num(supply[h][r])}`);
    }
  });
  out.push("End");
  return out.join("\n");
}

/** Solve the period's social optimum. `supply[h][r]` is what hub h receives this period after shortages. */
export async function socialOptimum(
  hubs: readonly ResolvedHub[],
  resources: readonly ResolvedResource[],
  period: number,
  supply: readonly (readonly number[])[],
): Promise<OptimumResult> {
  const highs = await loadHighs();
  const lp = optimumLp(hubs, resources, period, supply);
  const t0 = performance.now();
  const sol = highs.solve(lp, { output_flag: false });
  const solveSeconds = (performance.now() - t0) / 1000;
  if (sol.Status !== "Optimal") throw new Error(`socialOptimum: HiGHS returned status "${sol.Status}" for period ${period}`);
  const col = (name: string): number => (sol.Columns[name]?.Primal as number | undefined) ?? 0;
  const rowDual = new Map<string, number>();
  for (const row of sol.Rows as { Name: string; Dual: number }[]) rowDual.set(row.Name, row.Dual);
  let margin = 0;
  let delayCost = 0;
  const production = hubs.map((hub, h) =>
    hub.products.map((p, j) => {
      const x = Math.max(0, col(`x${h}_${j}`));
      margin += p.marginPerUnit * x;
      delayCost += p.delayPerUnit * Math.max(0, p.demand[period] - x);
      return x;
    }),
  );
  const holdings = hubs.map((_, h) => resources.map((_r, r) => Math.max(0, col(`t${h}_${r}`))));
  const shadowPrices = hubs.map((_, h) => resources.map((_r, r) => Math.abs(rowDual.get(`use_${h}_${r}`) ?? 0)));
  return { status: sol.Status, value: margin - delayCost, margin, delayCost, production, holdings, shadowPrices, solveSeconds };
}
