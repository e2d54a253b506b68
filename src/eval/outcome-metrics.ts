import {
  firstBestEfficiency,
  lossVsFirstBest,
  paretoCompare,
  surplusChangeVsCompetitive,
  surplusVsCompetitive,
  priceDistortion,
  type Tolerance,
} from "./efficiency.js";
import { gini, jainIndex, maxShare, minShare, nashSocialWelfare, type NegativeRule } from "./fairness.js";
import { sumOutcomes, sumValues, totalSurplus, type PeriodPair } from "./outcome.js";

/**
 * The named metrics of one (condition, seed) market evaluation. Keys are namespaced; per-agent profits are
 * `profit/<agent>` and always reported. Units, definitions and aggregation of every name: src/eval/metric-registry.ts.
 */

/** The metrics a market evaluation reports by default (the market scenario's `defaultMetrics`). */
export const MARKET_METRICS: readonly string[] = [
  "efficiency/first_best",
  "welfare/loss_vs_first_best",
  "welfare/vs_competitive",
  "welfare/change_vs_competitive",
  "efficiency/price_distortion",
  "pareto/dominated",
  "pareto/gainers",
  "pareto/losers",
  "fairness/jain",
  "fairness/gini",
  "fairness/min_share",
  "fairness/max_share",
  "fairness/nash_welfare",
  "profit/total",
  "welfare/total_surplus",
];

export interface MarketMetricOptions {
  /** Tolerance of the Pareto comparison. */
  tolerance?: Tolerance;
  /** Negative-profit rule of the Gini coefficient (default "allow"). */
  giniNegatives?: NegativeRule;
  /** Which metrics to report (default {@link MARKET_METRICS}); per-agent profits are always added. */
  metrics?: readonly string[];
}

/**
 * Every market metric of one evaluation (periods on the evaluation demand draws, each with its all-analytic
 * counterfactual). Efficiency metrics compare period by period; Pareto and fairness judge the evaluation as a
 * whole: each party's payoff summed over the periods (`pareto/dominated` is 1 or 0). Profits in
 * `profit/<agent>`, `profit/total`, `welfare/total_surplus` and the profits inside `fairness/nash_welfare` are
 * per period (means over the periods); the other fairness indices are scale-free.
 */
export function marketMetrics(pairs: readonly PeriodPair[], opts: MarketMetricOptions = {}): Record<string, number> {
  const want = new Set(opts.metrics ?? MARKET_METRICS);
  const n = pairs.length;
  const total = sumOutcomes(pairs.map((p) => p.outcome));
  const totalStar = sumOutcomes(pairs.map((p) => p.counterfactual));
  const agents = Object.keys(total.profits).sort();
  const profits = agents.map((a) => total.profits[a]);
  const all: Record<string, () => number> = {
    "efficiency/first_best": () => firstBestEfficiency(pairs),
    "welfare/loss_vs_first_best": () => lossVsFirstBest(pairs),
    "welfare/vs_competitive": () => surplusVsCompetitive(pairs),
    "welfare/change_vs_competitive": () => surplusChangeVsCompetitive(pairs),
    "efficiency/price_distortion": () => priceDistortion(pairs),
    "pareto/dominated": () => (paretoCompare(total, totalStar, opts.tolerance).dominated ? 1 : 0),
    "pareto/gainers": () => paretoCompare(total, totalStar, opts.tolerance).gainers.length,
    "pareto/losers": () => paretoCompare(total, totalStar, opts.tolerance).losers.length,
    "fairness/jain": () => jainIndex(profits),
    "fairness/gini": () => gini(profits, opts.giniNegatives),
    "fairness/min_share": () => minShare(profits),
    "fairness/max_share": () => maxShare(profits),
    "fairness/nash_welfare": () => nashSocialWelfare(profits.map((p) => p / n)),
    "profit/total": () => sumValues(total.profits) / n,
    "welfare/total_surplus": () => totalSurplus(total) / n,
  };
  const out: Record<string, number> = {};
  for (const name of Object.keys(all)) if (want.has(name)) out[name] = n > 0 ? all[name]() : NaN;
  for (const a of agents) out[`profit/${a}`] = total.profits[a] / n;
  return out;
}
