import { partyPayoffs, totalSurplus, type Outcome, type PeriodPair } from "./outcome.js";

/**
 * Efficiency of outcomes against the first best, and surplus relative to the all-analytic competitive
 * equilibrium, on the same demand draws (docs/market-benchmarks.md explains why these are different things).
 */

function ratioOfSums(pairs: readonly PeriodPair[], ref: (p: PeriodPair) => Outcome | undefined): number {
  let ts = 0;
  let tsRef = 0;
  for (const p of pairs) {
    const r = ref(p);
    if (r === undefined) return NaN;
    ts += totalSurplus(p.outcome);
    tsRef += totalSurplus(r);
  }
  return tsRef > 0 ? ts / tsRef : NaN;
}

function meanDifference(pairs: readonly PeriodPair[], ref: (p: PeriodPair) => Outcome | undefined): number {
  if (pairs.length === 0) return NaN;
  let s = 0;
  for (const p of pairs) {
    const r = ref(p);
    if (r === undefined) return NaN;
    s += totalSurplus(p.outcome) - totalSurplus(r);
  }
  return s / pairs.length;
}

/**
 * Efficiency: Σ_t TS_t / Σ_t TS^FB_t, total surplus over the first best's (the surplus maximum) on the same
 * draws (a ratio of sums, so that periods with more surplus weigh more). At most 1 up to solver tolerance.
 * NaN when a period has no first best or the first-best surplus is not positive.
 */
export function firstBestEfficiency(pairs: readonly PeriodPair[]): number {
  return ratioOfSums(pairs, (p) => p.firstBest);
}

/** Welfare loss against the first best, per period: mean over periods of TS^FB_t - TS_t (>= 0 up to tolerance). */
export function lossVsFirstBest(pairs: readonly PeriodPair[]): number {
  return -meanDifference(pairs, (p) => p.firstBest);
}

/**
 * Surplus relative to the competitive equilibrium: Σ_t TS_t / Σ_t TS*_t with TS* the all-analytic
 * (price-taking) equilibrium's. Not an efficiency: with binding budgets that equilibrium is second best, so a
 * deviation can push the ratio above 1. NaN when Σ TS* <= 0.
 */
export function surplusVsCompetitive(pairs: readonly PeriodPair[]): number {
  return ratioOfSums(pairs, (p) => p.counterfactual);
}

/** Surplus change against the competitive equilibrium, per period: mean of TS_t - TS*_t (positive = more surplus). */
export function surplusChangeVsCompetitive(pairs: readonly PeriodPair[]): number {
  return meanDifference(pairs, (p) => p.counterfactual);
}

/**
 * Price distortion: the mean absolute relative price difference |p - p*| / p* over every period and every
 * market priced in both the outcome and the counterfactual (markets with p* <= 0 are skipped). 0 means the
 * counterfactual's prices. NaN when no market is comparable.
 */
export function priceDistortion(pairs: readonly PeriodPair[]): number {
  let s = 0;
  let n = 0;
  for (const { outcome, counterfactual } of pairs) {
    const p = outcome.prices ?? {};
    const q = counterfactual.prices ?? {};
    for (const market of Object.keys(p)) {
      const star = q[market];
      if (star === undefined || !(star > 0)) continue;
      s += Math.abs(p[market] - star) / star;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** Tolerance of payoff comparisons: |a - b| <= atol + rtol · max(|a|, |b|) counts as equal. */
export interface Tolerance {
  atol?: number;
  rtol?: number;
}

export const PARETO_TOLERANCE_DEFAULTS = { atol: 1e-9, rtol: 1e-6 } as const;

export interface ParetoComparison {
  /** True when the counterfactual Pareto-dominates the outcome: nobody is better off, somebody is worse off. */
  dominated: boolean;
  /** True when the outcome Pareto-dominates the counterfactual. */
  dominates: boolean;
  /** Parties better off in the outcome than in the counterfactual (beyond the tolerance). */
  gainers: string[];
  /** Parties worse off. */
  losers: string[];
  /** Parties equal within the tolerance. */
  unchanged: string[];
}

/**
 * Compare every party's payoff (agents' profits and outside surpluses) in an outcome with the counterfactual.
 * Both must name the same parties. Pass `sumOutcomes(...)` of both sides to judge a whole evaluation.
 */
export function paretoCompare(outcome: Outcome, counterfactual: Outcome, tol: Tolerance = {}): ParetoComparison {
  const atol = tol.atol ?? PARETO_TOLERANCE_DEFAULTS.atol;
  const rtol = tol.rtol ?? PARETO_TOLERANCE_DEFAULTS.rtol;
  const a = partyPayoffs(outcome);
  const b = partyPayoffs(counterfactual);
  const parties = Object.keys(a).sort();
  const other = Object.keys(b).sort();
  if (parties.length !== other.length || parties.some((p, i) => p !== other[i])) {
    throw new RangeError(`paretoCompare: outcome parties [${parties.join(", ")}] differ from the counterfactual's [${other.join(", ")}]`);
  }
  const gainers: string[] = [];
  const losers: string[] = [];
  const unchanged: string[] = [];
  for (const party of parties) {
    const x = a[party];
    const y = b[party];
    const eps = atol + rtol * Math.max(Math.abs(x), Math.abs(y));
    if (x > y + eps) gainers.push(party);
    else if (x < y - eps) losers.push(party);
    else unchanged.push(party);
  }
  return {
    dominated: gainers.length === 0 && losers.length > 0,
    dominates: losers.length === 0 && gainers.length > 0,
    gainers,
    losers,
    unchanged,
  };
}

/**
 * Chain efficiency of a negotiation (seed 004): chain profit / maximum chain profit (the chain profit of the
 * cheapest allocation). 1 means a Pareto-efficient allocation. NaN when the maximum is not positive.
 */
export function chainEfficiency(chainProfit: number, maxChainProfit: number): number {
  return maxChainProfit > 0 ? chainProfit / maxChainProfit : NaN;
}
