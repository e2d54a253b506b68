import { NoEquilibriumError } from "./errors.js";
import { snapshot, type Equilibrium } from "./equilibrium.js";
import { MarketModel, type PeriodInputs } from "./model.js";
import { compileMarket, type CompiledMarket, type MarketSpec } from "./spec.js";

export interface TatonnementOptions {
  /**
   * Step size eta of the price rule. Each auction moves its own price by its relative excess demand:
   *   ln p <- ln p + eta * (D - S) / (D + S)
   * where D and S are the demand and supply bid to it at its current price. The step is bounded by eta in
   * log-price, so prices stay positive and finite.
   */
  step: number;
  /** Stop when every market's relative excess demand |D - S| / max(D, S) is at most this. */
  tolerance: number;
  maxIterations: number;
  /** Starting price of every market (default 1), or one per market. */
  initialPrices?: number | readonly number[];
  /** Record the trace every this many iterations (1 = all); the final iteration is always recorded. */
  traceEvery: number;
}

export const tatonnementDefaults: TatonnementOptions = { step: 0.5, tolerance: 1e-11, maxIterations: 100_000, traceEvery: 1 };

export interface TraceRow {
  iteration: number;
  layer: number;
  good: number;
  price: number;
  supply: number;
  demand: number;
}

export interface TatonnementResult {
  equilibrium: Equilibrium;
  trace: TraceRow[];
  /** First iteration from which each market's relative excess demand stays below `tolerance` (per market l*G+j). */
  settledAt: Int32Array;
}

/**
 * The paper's price-adjustment process: every auction adjusts its own price from the excess demand of the bids
 * it receives, agents re-bid at the new prices, until all markets clear. The auctions never coordinate; the
 * rule uses only each market's own demand and supply. Iteration 0 is the starting point.
 */
export function tatonnement(market: CompiledMarket | MarketSpec, inputs: PeriodInputs = {}, options: Partial<TatonnementOptions> = {}): TatonnementResult {
  const mk = "nMarkets" in market ? market : compileMarket(market);
  const opts = { ...tatonnementDefaults, ...options };
  if (!(opts.step > 0 && opts.step <= 1)) throw new RangeError(`tatonnement step must be in (0, 1], got ${opts.step}`);
  if (!(opts.tolerance > 0)) throw new RangeError(`tatonnement tolerance must be positive, got ${opts.tolerance}`);
  const model = new MarketModel(mk);
  model.setInputs(inputs);
  const n = mk.nMarkets;
  const u = new Float64Array(n);
  const init = opts.initialPrices ?? 1;
  for (let q = 0; q < n; q++) {
    const p0 = typeof init === "number" ? init : init[q];
    if (!(p0 > 0) || !Number.isFinite(p0)) throw new RangeError(`tatonnement initial price of market ${q} must be positive, got ${p0}`);
    u[q] = Math.log(p0);
  }
  const trace: TraceRow[] = [];
  const settledAt = new Int32Array(n).fill(-1);
  const record = (it: number) => {
    for (let q = 0; q < n; q++) {
      trace.push({ iteration: it, layer: Math.floor(q / mk.G), good: q % mk.G, price: model.p[q], supply: model.supply[q], demand: model.demand[q] });
    }
  };
  let worst = Infinity;
  let it = 0;
  for (; ; it++) {
    model.evaluate(u, false);
    worst = 0;
    for (let q = 0; q < n; q++) {
      const d = model.demand[q];
      const s = model.supply[q];
      const rel = Math.abs(d - s) / Math.max(d, s);
      if (!Number.isFinite(rel)) throw new NoEquilibriumError("tatonnement", it, Infinity, `market ${q} has no demand or no supply`);
      if (rel <= opts.tolerance) {
        if (settledAt[q] < 0) settledAt[q] = it;
      } else settledAt[q] = -1;
      if (rel > worst) worst = rel;
    }
    const done = worst <= opts.tolerance;
    if (it % opts.traceEvery === 0 || done || it === opts.maxIterations) record(it);
    if (done) break;
    if (it === opts.maxIterations) throw new NoEquilibriumError("tatonnement", it, worst);
    for (let q = 0; q < n; q++) {
      const d = model.demand[q];
      const s = model.supply[q];
      u[q] += (opts.step * (d - s)) / (d + s);
    }
  }
  let residual = 0;
  for (let q = 0; q < n; q++) residual = Math.max(residual, Math.abs(model.F[q]));
  return { equilibrium: snapshot(model, "tatonnement", it, residual), trace, settledAt };
}
