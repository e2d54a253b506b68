/**
 * The metric dictionary written into every run directory (`metrics_dictionary.csv`): per metric its unit, its
 * definition, how a run aggregates it over evaluation episodes (mean of per-episode values, or a ratio of sums), what
 * it is measured against, and whether higher is better (which the probability of improvement in aggregates.csv
 * needs). One name means one thing in every scenario; where the unit depends on the scenario's time step the entry
 * says so (a period of the market or of the hubs, one negotiation in contracts).
 */
export const DICTIONARY_COLUMNS = ["metric", "unit", "definition", "aggregation", "baseline", "higher_is_better"] as const;

export type Aggregation = "mean over episodes" | "ratio of sums over episodes" | "share of episodes" | "mean over episodes where defined";

export interface MetricInfo {
  unit: string;
  /** Short words for axis titles and table headers. */
  label: string;
  definition: string;
  aggregation: Aggregation;
  baseline: string;
  higherIsBetter?: boolean;
}

export type DictionaryRow = { metric: string; unit: string; definition: string; aggregation: string; baseline: string; higher_is_better: boolean | null };

const PER_PERIOD = "money per period";
const CF = "the all-analytic market on the same demand draw";
const NO_TRADE = "the same hubs without any trade, same shortages";

const ENTRIES: Record<string, MetricInfo> = {
  "efficiency/allocative": { unit: "ratio", label: "allocative efficiency", definition: "total surplus over the all-analytic counterfactual's total surplus", aggregation: "ratio of sums over episodes", baseline: CF, higherIsBetter: true },
  "efficiency/deadweight_loss": { unit: PER_PERIOD, label: "deadweight loss", definition: "counterfactual total surplus minus total surplus, per period", aggregation: "mean over episodes", baseline: CF, higherIsBetter: false },
  "efficiency/price_distortion": { unit: "ratio", label: "price distortion", definition: "mean relative gap between the price and the counterfactual price over markets and periods", aggregation: "mean over episodes", baseline: CF, higherIsBetter: false },
  "efficiency/chain": { unit: "ratio", label: "chain efficiency", definition: "chain profit over the maximum chain profit", aggregation: "ratio of sums over episodes", baseline: "the maximum chain profit of the instance", higherIsBetter: true },
  "efficiency/optimum": { unit: "ratio", label: "value over optimum", definition: "total value over the HiGHS constrained social optimum", aggregation: "ratio of sums over episodes", baseline: "the constrained social optimum", higherIsBetter: true },
  "efficiency/gain_captured": { unit: "ratio", label: "gain captured", definition: "(value - no-trade value) / (optimum - no-trade value)", aggregation: "ratio of sums over episodes", baseline: NO_TRADE, higherIsBetter: true },
  "hubs/delay_cost": { unit: PER_PERIOD, label: "delay cost", definition: "total delay cost of all hubs per period", aggregation: "mean over episodes", baseline: "", higherIsBetter: false },
  "hubs/delay_cost_no_trade": { unit: PER_PERIOD, label: "delay cost without trade", definition: "total delay cost per period without any trade", aggregation: "mean over episodes", baseline: NO_TRADE },
  "hubs/value_no_trade": { unit: PER_PERIOD, label: "value without trade", definition: "company value per period without any trade", aggregation: "mean over episodes", baseline: NO_TRADE },
  "hubs/value_optimum": { unit: PER_PERIOD, label: "optimum value", definition: "company value per period at the constrained social optimum", aggregation: "mean over episodes", baseline: "" },
  "pareto/dominated": { unit: "share of episodes", label: "Pareto-dominated by the counterfactual", definition: "1 when the all-analytic counterfactual Pareto-dominates the episode's outcome (agents and outside parties), else 0", aggregation: "share of episodes", baseline: CF, higherIsBetter: false },
  "pareto/gainers": { unit: "count of parties", label: "parties better off", definition: "parties better off than in the all-analytic counterfactual", aggregation: "mean over episodes", baseline: CF },
  "pareto/losers": { unit: "count of parties", label: "parties worse off", definition: "parties worse off than in the all-analytic counterfactual", aggregation: "mean over episodes", baseline: CF, higherIsBetter: false },
  "pareto/dominated_vs_no_trade": { unit: "share of episodes", label: "Pareto-dominated by no trade", definition: "1 when no trade Pareto-dominates the episode's outcome (hub rewards), else 0", aggregation: "share of episodes", baseline: NO_TRADE, higherIsBetter: false },
  "pareto/gainers_vs_no_trade": { unit: "count of hubs", label: "hubs better off than without trade", definition: "hubs whose reward beats their no-trade reward", aggregation: "mean over episodes", baseline: NO_TRADE },
  "pareto/losers_vs_no_trade": { unit: "count of hubs", label: "hubs worse off than without trade", definition: "hubs whose reward is below their no-trade reward", aggregation: "mean over episodes", baseline: NO_TRADE, higherIsBetter: false },
  "fairness/jain": { unit: "index in [1/n, 1]", label: "Jain index of profits", definition: "Jain's index of the agents' profits within an episode", aggregation: "mean over episodes where defined", baseline: "", higherIsBetter: true },
  "fairness/gini": { unit: "index", label: "Gini coefficient of profits", definition: "Gini coefficient of the agents' profits within an episode", aggregation: "mean over episodes where defined", baseline: "", higherIsBetter: false },
  "fairness/min_share": { unit: "share", label: "smallest profit share", definition: "smallest agent's share of the episode's total profit", aggregation: "mean over episodes where defined", baseline: "", higherIsBetter: true },
  "fairness/max_share": { unit: "share", label: "largest profit share", definition: "largest agent's share of the episode's total profit", aggregation: "mean over episodes where defined", baseline: "" },
  "fairness/nash_welfare": { unit: "log money", label: "Nash welfare", definition: "sum of log profits per period of the episode, when every profit is positive", aggregation: "mean over episodes where defined", baseline: "", higherIsBetter: true },
  "fairness/added_value_tv": { unit: "share", label: "profit share vs cost share (TV)", definition: "total variation distance between the actors' profit shares and their shares of chain cost", aggregation: "mean over episodes where defined", baseline: "", higherIsBetter: false },
  "fairness/added_value_corr": { unit: "correlation", label: "profit share vs cost share (correlation)", definition: "correlation of the actors' profit shares with their cost shares", aggregation: "mean over episodes where defined", baseline: "", higherIsBetter: true },
  "contracts/agreement_rate": { unit: "share of negotiations", label: "agreement rate", definition: "1 when every allocated conversation of the negotiation agreed, else 0", aggregation: "share of episodes", baseline: "", higherIsBetter: true },
  "contracts/rounds_to_agreement": { unit: "rounds", label: "rounds to agreement", definition: "round of the last agreement, over the negotiations that agreed", aggregation: "mean over episodes where defined", baseline: "", higherIsBetter: false },
  "contracts/illogical_rate": { unit: "share of negotiations", label: "illogical-price rate", definition: "1 when the negotiation ended with an illogical price, else 0", aggregation: "share of episodes", baseline: "", higherIsBetter: false },
  "profit/total": { unit: PER_PERIOD, label: "total profit", definition: "the agents' profits summed, per period (in contracts one negotiation is the period)", aggregation: "mean over episodes", baseline: "", higherIsBetter: true },
  "welfare/total_surplus": { unit: PER_PERIOD, label: "total surplus", definition: "agents' profits plus outside parties' surplus (hubs: company value), per period", aggregation: "mean over episodes", baseline: "" },
};

/**
 * The dictionary entry of a metric (per-agent `profit/<agent>` included), or undefined for an unknown name. In the
 * contracts scenario the period is one negotiation, so money "per period" is money per negotiation there.
 */
export function metricInfo(metric: string, scenario?: string): MetricInfo | undefined {
  let info = ENTRIES[metric];
  if (!info && metric.startsWith("profit/")) {
    const agent = metric.slice("profit/".length);
    info = { unit: PER_PERIOD, label: `profit of ${agent}`, definition: `profit of ${agent} per period`, aggregation: "mean over episodes", baseline: "", higherIsBetter: true };
  }
  if (info && scenario === "contracts" && info.unit === PER_PERIOD) return { ...info, unit: "money per negotiation" };
  return info;
}

/** Whether higher values of a metric are better (undefined when neither direction is better). */
export function higherIsBetter(metric: string): boolean | undefined {
  return metricInfo(metric)?.higherIsBetter;
}

/** Axis or header words with the unit, e.g. "total profit (money per period)". */
export function metricTitle(metric: string, scenario?: string): string {
  const info = metricInfo(metric, scenario);
  return info ? `${info.label} (${info.unit})` : metric;
}

/** The rows of metrics_dictionary.csv for the given metric names (sorted), with the scenario's units. */
export function dictionaryRows(metrics: Iterable<string>, scenario?: string): DictionaryRow[] {
  return [...new Set(metrics)].sort().map((metric) => {
    const i = metricInfo(metric, scenario);
    return { metric, unit: i?.unit ?? "", definition: i?.definition ?? "", aggregation: i?.aggregation ?? "", baseline: i?.baseline ?? "", higher_is_better: i?.higherIsBetter ?? null };
  });
}
