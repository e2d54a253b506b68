import { paretoCompare, type Tolerance } from "./efficiency.js";
import { gini, jainIndex, maxShare, minShare, nashSocialWelfare, type NegativeRule } from "./fairness.js";

/**
 * Metrics of the hubs scenario (seed 000) from plain per-episode records: no simulator or RL types.
 *
 * One record is one evaluation episode: per hub its profit (margin + money received − money paid), its reward
 * (profit − delay cost) and its reward in the same episode without any trade (same shortages); company totals
 * of the episode: delay cost, value (Σ margin − delay cost; money cancels out), the no-trade value and the
 * constrained social optimum (HiGHS, every hard constraint, resources reallocated freely).
 */
export interface HubEpisodeRecord {
  periods: number;
  profits: Record<string, number>;
  rewards: Record<string, number>;
  noTradeRewards: Record<string, number>;
  delayCost: number;
  noTradeDelayCost: number;
  value: number;
  noTradeValue: number;
  optimumValue: number;
  /** Money the company paid into VCG trades (the mechanism's deficit) in the episode; 0 for other mechanisms. */
  mechanismDeficit: number;
}

/** The metrics a hubs evaluation reports by default (the hubs scenario's `defaultMetrics`). */
export const HUBS_METRICS = [
  "efficiency/gain_captured",
  "hubs/delay_cost",
  "hubs/mechanism_deficit",
  "pareto/dominated_vs_no_trade",
  "pareto/gainers_vs_no_trade",
  "pareto/losers_vs_no_trade",
  "fairness/jain",
  "fairness/gini",
  "fairness/min_share",
  "fairness/max_share",
  "fairness/nash_welfare",
  "profit/total",
  "welfare/total_surplus",
] as const;

export interface HubsMetricOptions {
  tolerance?: Tolerance;
  giniNegatives?: NegativeRule;
  /** Which metrics (default HUBS_METRICS); per-hub `profit/<hub>` and the `hubs/*_no_trade`, `hubs/*_optimum` context values are always added. */
  metrics?: readonly string[];
}

/**
 * Over the evaluation episodes (sums over episodes; "per period" = divided by the number of periods):
 * - `hubs/delay_cost`: total delay cost of all hubs per period (context: `hubs/delay_cost_no_trade`).
 * - `efficiency/gain_captured` (the headline): (Σ value − Σ no-trade value) / (Σ optimum − Σ no-trade value): the
 *   share of the achievable gain over no trade that trading captured (NaN when nothing can be gained). There is
 *   no "value / optimum" ratio: value = margin − delay cost has an arbitrary zero (it is negative whenever delay
 *   costs exceed margins), so a ratio of two such values says nothing; the context values below give both.
 * - `hubs/mechanism_deficit`: money the company paid into VCG trades per period (sellers receive more than
 *   buyers pay: see docs/hubs.md); a transfer within the company, so it is not part of value.
 * - `pareto/*_vs_no_trade`: each hub's reward summed over the evaluation against its no-trade reward
 *   (`pareto/losers_vs_no_trade` = hubs worse off than without trade; `pareto/dominated_vs_no_trade` = 1 when no
 *   trade Pareto-dominates the outcome). Named apart from the market's `pareto/*`, which compare with the
 *   all-analytic market.
 * - `fairness/*` on the hubs' rewards (profit after delay cost: margin + money net − delay cost, what a hub is
 *   left with) summed over the evaluation; `fairness/nash_welfare` on per-period means. Rewards can be negative:
 *   `fairness/jain`, `fairness/min_share`, `fairness/max_share` and `fairness/nash_welfare` are then NaN (their
 *   definitions need nonnegative values) and `fairness/gini` follows `giniNegatives`.
 * - `profit/total`, `profit/<hub>`: profits per period; `welfare/total_surplus`: value per period
 *   (context: `hubs/value_no_trade`, `hubs/value_optimum`, per period).
 */
export function hubsMetrics(records: readonly HubEpisodeRecord[], opts: HubsMetricOptions = {}): Record<string, number> {
  const want = new Set(opts.metrics ?? HUBS_METRICS);
  const n = records.reduce((s, r) => s + r.periods, 0);
  const sumBy = (key: "profits" | "rewards" | "noTradeRewards"): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of records) for (const [h, v] of Object.entries(r[key])) out[h] = (out[h] ?? 0) + v;
    return out;
  };
  const total = (f: (r: HubEpisodeRecord) => number): number => records.reduce((s, r) => s + f(r), 0);
  const profitsByHub = sumBy("profits");
  const hubs = Object.keys(profitsByHub).sort();
  const profits = hubs.map((h) => profitsByHub[h]);
  const rewardsByHub = sumBy("rewards");
  const rewards = hubs.map((h) => rewardsByHub[h]);
  const value = total((r) => r.value);
  const noTrade = total((r) => r.noTradeValue);
  const optimum = total((r) => r.optimumValue);
  const pareto = () => paretoCompare({ profits: sumBy("rewards") }, { profits: sumBy("noTradeRewards") }, opts.tolerance);
  const tol = 1e-9 * Math.max(1, Math.abs(noTrade));
  const all: Record<string, () => number> = {
    "hubs/delay_cost": () => total((r) => r.delayCost) / n,
    "hubs/mechanism_deficit": () => total((r) => r.mechanismDeficit) / n,
    "efficiency/gain_captured": () => (optimum - noTrade > tol ? (value - noTrade) / (optimum - noTrade) : NaN),
    "pareto/dominated_vs_no_trade": () => (pareto().dominated ? 1 : 0),
    "pareto/gainers_vs_no_trade": () => pareto().gainers.length,
    "pareto/losers_vs_no_trade": () => pareto().losers.length,
    "fairness/jain": () => jainIndex(rewards),
    "fairness/gini": () => gini(rewards, opts.giniNegatives),
    "fairness/min_share": () => minShare(rewards),
    "fairness/max_share": () => maxShare(rewards),
    "fairness/nash_welfare": () => nashSocialWelfare(rewards.map((p) => p / n)),
    "profit/total": () => profits.reduce((s, p) => s + p, 0) / n,
    "welfare/total_surplus": () => value / n,
  };
  const out: Record<string, number> = {};
  for (const name of Object.keys(all)) if (want.has(name)) out[name] = n > 0 ? all[name]() : NaN;
  out["hubs/delay_cost_no_trade"] = n > 0 ? total((r) => r.noTradeDelayCost) / n : NaN;
  out["hubs/value_no_trade"] = n > 0 ? noTrade / n : NaN;
  out["hubs/value_optimum"] = n > 0 ? optimum / n : NaN;
  for (const h of hubs) out[`profit/${h}`] = n > 0 ? profitsByHub[h] / n : NaN;
  return out;
}
