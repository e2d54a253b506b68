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
  /**
   * Adaptive step (issue 16): each auction halves its own step when its excess demand changes sign without
   * having at least halved in size (an oscillation that does not damp), down to step / 2^40. Still a rule of
   * each market's own bids only. Off by default: the paper's process has a fixed step.
   */
  adaptive: boolean;
  /** Return the trace with `converged: false` at `maxIterations` instead of throwing NoEquilibriumError. */
  allowIncomplete: boolean;
}

export const tatonnementDefaults: TatonnementOptions = {
  step: 0.5,
  tolerance: 1e-11,
  maxIterations: 100_000,
  traceEvery: 1,
  adaptive: false,
  allowIncomplete: false,
};

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
  /** Each market's step at the end (all equal to `step` unless `adaptive`). */
  steps: Float64Array;
  /** False only with `allowIncomplete`: the trace and state are the last ones, `stopReason` says why. */
  converged: boolean;
  stopReason?: string;
}

/** Relative excess demand (D - S) / (D + S) in [-1, 1]; +-1 when one side overflowed; NaN when undefined. */
function relativeExcess(d: number, s: number): number {
  if (d === Infinity) return s === Infinity ? NaN : 1;
  if (s === Infinity) return -1;
  return (d - s) / (d + s);
}

/**
 * The paper's price-adjustment process: every auction adjusts its own price from the excess demand of the bids
 * it receives, agents re-bid at the new prices, until all markets clear. The auctions never coordinate; the
 * rule uses only each market's own demand and supply. Iteration 0 is the starting point.
 */
export function tatonnement(
  market: CompiledMarket | MarketSpec,
  inputs: PeriodInputs = {},
  options: Partial<TatonnementOptions> = {},
): TatonnementResult {
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
      trace.push({
        iteration: it,
        layer: Math.floor(q / mk.G),
        good: q % mk.G,
        price: model.p[q],
        supply: model.supply[q],
        demand: model.demand[q],
      });
    }
  };
  const steps = new Float64Array(n).fill(opts.step);
  const lastRel = new Float64Array(n);
  const minStep = opts.step * 2 ** -40;
  let worst = Infinity;
  let it = 0;
  for (; ; it++) {
    model.evaluate(u, false);
    worst = 0;
    for (let q = 0; q < n; q++) {
      const d = model.demand[q];
      const s = model.supply[q];
      const rel = d === Infinity || s === Infinity ? Math.abs(relativeExcess(d, s)) : Math.abs(d - s) / Math.max(d, s);
      if (!Number.isFinite(rel)) {
        const name = `M[${Math.floor(q / mk.G)}][${q % mk.G}]`;
        const why =
          d === Infinity && s === Infinity
            ? "demand and supply both overflow"
            : !(d > 0) && !(s > 0)
              ? "has neither demand nor supply"
              : "demand or supply is not a number";
        const detail = `market ${name} ${why} at iteration ${it} (price ${model.p[q].toExponential(3)})`;
        if (!opts.allowIncomplete) throw new NoEquilibriumError("tatonnement", it, Infinity, detail);
        record(it);
        return { equilibrium: snapshot(model, "tatonnement", it, Infinity), trace, settledAt, steps, converged: false, stopReason: detail };
      }
      if (rel <= opts.tolerance) {
        if (settledAt[q] < 0) settledAt[q] = it;
      } else settledAt[q] = -1;
      if (rel > worst) worst = rel;
    }
    const done = worst <= opts.tolerance;
    if (it % opts.traceEvery === 0 || done || it === opts.maxIterations) record(it);
    if (done) break;
    if (it === opts.maxIterations) {
      if (opts.allowIncomplete) {
        const rule = opts.adaptive ? "with the adaptive step" : `at the fixed step ${opts.step}`;
        return {
          equilibrium: snapshot(model, "tatonnement", it, worst),
          trace,
          settledAt,
          steps,
          converged: false,
          stopReason: `not converged within ${it} iterations ${rule} (max relative excess demand ${worst.toExponential(3)})`,
        };
      }
      throw new NoEquilibriumError("tatonnement", it, worst, opts.adaptive ? "with the adaptive step" : `at the fixed step ${opts.step}`);
    }
    for (let q = 0; q < n; q++) {
      const d = model.demand[q];
      const s = model.supply[q];
      const rel = relativeExcess(d, s);
      if (opts.adaptive && it > 0 && rel * lastRel[q] < 0 && Math.abs(rel) > 0.5 * Math.abs(lastRel[q]) && steps[q] > minStep)
        steps[q] *= 0.5;
      lastRel[q] = rel;
      u[q] += steps[q] * rel;
    }
  }
  let residual = 0;
  for (let q = 0; q < n; q++) residual = Math.max(residual, Math.abs(model.F[q]));
  return { equilibrium: snapshot(model, "tatonnement", it, residual), trace, settledAt, steps, converged: worst <= opts.tolerance };
}
