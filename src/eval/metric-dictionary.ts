import { getMetric } from "./metric-registry.js";

/**
 * The metric dictionary of a run (`metrics_dictionary.csv`), read from the metric registry
 * (src/eval/metric-registry.ts): per metric its unit, definition, aggregation over seeds and evaluation episodes,
 * what it is measured against, and whether higher is better (which the probability of improvement in
 * aggregates.csv and the bold best values of `supplygym table` need). One name means one thing in every scenario;
 * the unit "money per period" reads "money per negotiation" in the contracts scenario, whose period is one
 * negotiation. Short labels for axis titles and table headers are here.
 */
export const DICTIONARY_COLUMNS = ["metric", "unit", "definition", "aggregation", "baseline", "higher_is_better"] as const;

export interface MetricInfo {
  unit: string;
  /** Short words for axis titles and table headers. */
  label: string;
  definition: string;
  aggregation: string;
  baseline: string;
  higherIsBetter?: boolean;
}

export type DictionaryRow = {
  metric: string;
  unit: string;
  definition: string;
  aggregation: string;
  baseline: string;
  higher_is_better: boolean | null;
};

const LABELS: Record<string, string> = {
  "efficiency/first_best": "efficiency vs first best",
  "welfare/loss_vs_first_best": "surplus lost vs first best",
  "welfare/vs_competitive": "surplus vs competitive equilibrium",
  "welfare/change_vs_competitive": "surplus change vs competitive equilibrium",
  "exploitability/nash_conv": "NashConv",
  "game/converged_share": "periods converged",
  "game/rounds": "best-response rounds",
  "hubs/mechanism_deficit": "mechanism deficit",
  "efficiency/price_distortion": "price distortion",
  "efficiency/chain": "chain efficiency",
  "efficiency/gain_captured": "gain captured",
  "hubs/delay_cost": "delay cost",
  "hubs/delay_cost_no_trade": "delay cost without trade",
  "hubs/value_no_trade": "value without trade",
  "hubs/value_optimum": "optimum value",
  "pareto/dominated": "dominated by the counterfactual",
  "pareto/gainers": "parties better off",
  "pareto/losers": "parties worse off",
  "pareto/dominated_vs_no_trade": "dominated by no trade",
  "pareto/gainers_vs_no_trade": "hubs better off than without trade",
  "pareto/losers_vs_no_trade": "hubs worse off than without trade",
  "fairness/jain": "Jain index of profits",
  "fairness/gini": "Gini coefficient of profits",
  "fairness/min_share": "smallest profit share",
  "fairness/max_share": "largest profit share",
  "fairness/nash_welfare": "Nash welfare",
  "fairness/added_value_tv": "profit vs cost share (TV distance)",
  "fairness/added_value_corr": "profit vs cost share (correlation)",
  "contracts/agreement_rate": "agreement rate",
  "contracts/rounds_to_agreement": "rounds to agreement",
  "contracts/illogical_rate": "illogical-price rate",
  "profit/total": "total profit",
  "welfare/total_surplus": "total surplus",
};

/** Words before the agent's id in the label of a per-agent metric family (`<family>/<agent>`). */
const AGENT_LABELS: Record<string, string> = {
  profit: "profit of",
  exploitability: "exploitability of",
};

/**
 * The dictionary entry of a metric, or undefined for an unregistered name. A name that is not registered itself
 * but whose family is registered per agent (`profit/<agent>`, `exploitability/<agent>`) is that family's entry for
 * the agent, e.g. `exploitability/A[1][1]`.
 */
export function metricInfo(metric: string, scenario?: string): MetricInfo | undefined {
  const slash = metric.indexOf("/");
  const family = slash > 0 ? metric.slice(0, slash) : "";
  const isAgent = !getMetric(metric) && family !== "" && getMetric(`${family}/<agent>`) !== undefined;
  const def = getMetric(isAgent ? `${family}/<agent>` : metric);
  if (!def) return undefined;
  const agent = metric.slice(slash + 1);
  const label = isAgent ? `${AGENT_LABELS[family] ?? `${family} of`} ${agent}` : (LABELS[metric] ?? metric);
  const unit = scenario === "contracts" ? def.unit.replace(/money per period/g, "money per negotiation") : def.unit;
  return {
    unit,
    label,
    definition: def.definition,
    aggregation: def.aggregation,
    baseline: def.baseline ?? "",
    higherIsBetter: def.higherIsBetter,
  };
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
    return {
      metric,
      unit: i?.unit ?? "",
      definition: i?.definition ?? "",
      aggregation: i?.aggregation ?? "",
      baseline: i?.baseline ?? "",
      higher_is_better: i?.higherIsBetter ?? null,
    };
  });
}
