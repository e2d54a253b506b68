import { RegistrationError } from "../io/errors.js";
import type { Cell } from "../io/csv.js";

/**
 * The metric dictionary: every metric an experiment can report, registered once with its unit, definition and
 * aggregation. The experiment schema's allowed `metrics` names, the scenarios' default lists and
 * metrics_dictionary.csv come from here. Built-in metrics are computed by their scenario's metric function
 * (`marketMetrics`, `negotiationMetrics`, `hubsMetrics`); a registered metric with `compute` is computed by the
 * scenario runner from the evaluation's plain records (no simulator or RL types in this module).
 */
export interface MetricDef {
  /** Namespaced name, e.g. "efficiency/allocative"; a row of metrics.csv. `<agent>` in a name stands for each agent id. */
  name: string;
  /** Unit of the value: "ratio", "count", "probability", "money per period", "rounds", "log money", ... */
  unit: string;
  /** One sentence: what the number is. */
  definition: string;
  /** How periods, episodes and agents are combined into the one value per (condition, seed). */
  aggregation: string;
  /** Whether a larger value is better (undefined: neither, e.g. a count of losers is judged with its sign). */
  higherIsBetter?: boolean;
  /** What it compares with, if anything (e.g. "the all-analytic counterfactual on the same demand draws"). */
  baseline?: string;
  /** The scenarios that report it ("market", "contracts", "hubs", or a registered scenario's name). */
  scenarios: string[];
  /**
   * Reported with every evaluation of its scenarios whatever the experiment's `metrics` list says (per-agent
   * profits, context values); such metrics cannot be selected or deselected.
   */
  always?: boolean;
  /** Compute the value of one (condition, seed) from the evaluation's plain records (see {@link MetricInput}). */
  compute?: (input: MetricInput) => number;
}

/**
 * What a metric's `compute` receives: the evaluation of one condition and training seed.
 * - `records`: the scenario's plain evaluation records: market, one `PeriodPair` per evaluation period
 *   (`{ outcome, counterfactual }`, src/eval/outcome.ts); contracts, one `NegotiationOutcome` per negotiation;
 *   hubs, one `HubEpisodeRecord` per episode; a registered scenario documents its own.
 * - `episodes`: the episodes.csv rows of this condition and seed (one per evaluation episode and agent).
 */
export interface MetricInput {
  scenario: string;
  records: readonly unknown[];
  episodes: readonly Record<string, Cell>[];
}

const metrics = new Map<string, MetricDef>();
const NAME_RE = /^[A-Za-z0-9][\w.<>-]*(\/[\w.<>\[\]-]+)+$/;

/** Register a metric. A taken name, a name without a namespace (`area/name`) or a missing field throws. */
export function registerMetric(def: MetricDef): void {
  if (typeof def?.name !== "string" || !NAME_RE.test(def.name)) throw new RegistrationError(`metric name ${JSON.stringify(def?.name)} must be namespaced, e.g. "efficiency/my_metric" (letters, digits, _ . -)`);
  for (const k of ["unit", "definition", "aggregation"] as const) {
    if (typeof def[k] !== "string" || def[k].trim() === "") throw new RegistrationError(`metric "${def.name}": ${k} must be a non-empty string`);
  }
  if (!Array.isArray(def.scenarios) || def.scenarios.length === 0) throw new RegistrationError(`metric "${def.name}": scenarios must list at least one scenario`);
  if (def.compute !== undefined && typeof def.compute !== "function") throw new RegistrationError(`metric "${def.name}": compute must be a function`);
  if (metrics.has(def.name)) throw new RegistrationError(`metric "${def.name}" is already registered (${metrics.get(def.name)!.definition}); choose another name`);
  metrics.set(def.name, { ...def, scenarios: [...def.scenarios] });
}

export function getMetric(name: string): MetricDef | undefined {
  return metrics.get(name);
}

/** Every registered metric in registration order; with `scenario`, those its scenario reports. */
export function metricDefs(scenario?: string): MetricDef[] {
  return [...metrics.values()].filter((m) => scenario === undefined || m.scenarios.includes(scenario));
}

/** Names an experiment's `metrics` field may list (not the always-reported ones); with `scenario`, its own. */
export function selectableMetricNames(scenario?: string): string[] {
  return metricDefs(scenario)
    .filter((m) => !m.always)
    .map((m) => m.name);
}

/**
 * The values of the wanted metrics that have a `compute` (registered metrics the scenario's own function does not
 * know), from one evaluation's records.
 */
export function computeRegisteredMetrics(wanted: readonly string[], input: MetricInput): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of wanted) {
    const def = metrics.get(name);
    if (def?.compute && def.scenarios.includes(input.scenario)) out[name] = def.compute(input);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The built-in dictionary. Computed by marketMetrics (src/eval/outcome-metrics.ts), negotiationMetrics
// (src/eval/contracts-metrics.ts) and hubsMetrics (src/eval/hubs-metrics.ts); docs/experiments.md has the edge cases.

const M = "market";
const C = "contracts";
const H = "hubs";
const CF = "the all-analytic counterfactual on the same demand draws";
const NT = "the same episode without any trade (same shortages)";
const BUILT_IN: MetricDef[] = [
  {
    name: "efficiency/allocative",
    unit: "ratio",
    definition: "Total surplus (agents' profits plus outside suppliers' and consumers' surplus) over the all-analytic counterfactual's total surplus.",
    aggregation: "ratio of sums over the evaluation periods of every episode (NaN when the counterfactual's total is not positive)",
    higherIsBetter: true,
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "efficiency/deadweight_loss",
    unit: "money per period",
    definition: "Counterfactual total surplus minus total surplus.",
    aggregation: "mean over the evaluation periods of every episode",
    higherIsBetter: false,
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "efficiency/price_distortion",
    unit: "ratio",
    definition: "Mean relative gap |p - p*| / p* between each market's price and the counterfactual's price.",
    aggregation: "mean over markets and evaluation periods",
    higherIsBetter: false,
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "efficiency/chain",
    unit: "ratio",
    definition: "Chain profit (retailer plus subcontractors) over the maximum chain profit of the negotiation's instance.",
    aggregation: "ratio of sums over the evaluation negotiations",
    higherIsBetter: true,
    baseline: "the maximum chain profit (demand met at the cheapest capacity)",
    scenarios: [C],
  },
  {
    name: "efficiency/gain_captured",
    unit: "ratio",
    definition: "(value - no-trade value) / (optimum value - no-trade value): the share of the achievable gain over no trade that trading captured.",
    aggregation: "ratio of sums over the evaluation episodes (NaN when nothing can be gained)",
    higherIsBetter: true,
    baseline: NT,
    scenarios: [H],
  },
  {
    name: "hubs/delay_cost",
    unit: "money per period",
    definition: "Total delay cost of all hubs.",
    aggregation: "sum over hubs and episodes divided by the number of evaluation periods",
    higherIsBetter: false,
    scenarios: [H],
  },
  {
    name: "hubs/mechanism_deficit",
    unit: "money per period",
    definition: "Money the company paid into VCG trades: what sellers received beyond what buyers paid (the mechanism's budget deficit, a transfer inside the company); 0 for the other mechanisms.",
    aggregation: "sum over the evaluation divided by the number of periods",
    higherIsBetter: false,
    scenarios: [H],
  },
  {
    name: "pareto/dominated",
    unit: "indicator (0 or 1)",
    definition: "1 when the baseline outcome Pareto-dominates this one: no party is worse off in the baseline and one is better off.",
    aggregation: "each party's payoff summed over the evaluation, then compared once",
    higherIsBetter: false,
    baseline: `market: ${CF} (agents and outside parties); hubs: ${NT}`,
    scenarios: [M, H],
  },
  {
    name: "pareto/gainers",
    unit: "count",
    definition: "Number of parties better off than in the baseline.",
    aggregation: "each party's payoff summed over the evaluation, then compared once",
    baseline: `market: ${CF}; hubs: ${NT}`,
    scenarios: [M, H],
  },
  {
    name: "pareto/losers",
    unit: "count",
    definition: "Number of parties worse off than in the baseline.",
    aggregation: "each party's payoff summed over the evaluation, then compared once",
    higherIsBetter: false,
    baseline: `market: ${CF}; hubs: ${NT}`,
    scenarios: [M, H],
  },
  {
    name: "fairness/jain",
    unit: "ratio (1/n to 1)",
    definition: "Jain's index (sum x)^2 / (n sum x^2) over the agents' profits (NaN with a negative profit).",
    aggregation: "market: on profits summed over the evaluation; hubs: on rewards (profit after delay cost) summed over the evaluation; contracts: per negotiation over its participants, then the mean of the defined values",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/gini",
    unit: "ratio (0 to 1)",
    definition: "Gini coefficient of the agents' profits (negatives allowed).",
    aggregation: "market: on profits summed over the evaluation; hubs: on rewards (profit after delay cost) summed over the evaluation; contracts: per negotiation over its participants, then the mean of the defined values",
    higherIsBetter: false,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/min_share",
    unit: "ratio",
    definition: "Smallest agent's share of the total profit (negative when an agent has a loss).",
    aggregation: "market: on profits summed over the evaluation; hubs: on rewards (profit after delay cost) summed over the evaluation; contracts: per negotiation, then the mean",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/max_share",
    unit: "ratio",
    definition: "Largest agent's share of the total profit.",
    aggregation: "market: on profits summed over the evaluation; hubs: on rewards (profit after delay cost) summed over the evaluation; contracts: per negotiation, then the mean",
    higherIsBetter: false,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/nash_welfare",
    unit: "log money",
    definition: "Sum of the logarithms of the agents' profits, defined only when every profit is positive.",
    aggregation: "market: on per-period mean profits; hubs: on per-period mean rewards (profit after delay cost); contracts: per negotiation, then the mean of the defined values",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/added_value_tv",
    unit: "ratio (0 to 1)",
    definition: "Total-variation distance between each actor's share of chain profit and its share of chain cost (seed 004's fairness).",
    aggregation: "per negotiation over its participants, then the mean of the defined values",
    higherIsBetter: false,
    scenarios: [C],
  },
  {
    name: "fairness/added_value_corr",
    unit: "correlation (-1 to 1)",
    definition: "Correlation between each actor's share of chain profit and its share of chain cost.",
    aggregation: "per negotiation over its participants, then the mean of the defined values",
    higherIsBetter: true,
    scenarios: [C],
  },
  {
    name: "contracts/agreement_rate",
    unit: "probability",
    definition: "Share of negotiations in which every allocated conversation ended in an agreement.",
    aggregation: "over the evaluation negotiations",
    higherIsBetter: true,
    scenarios: [C],
  },
  {
    name: "contracts/rounds_to_agreement",
    unit: "rounds",
    definition: "Round of the last agreement of a negotiation.",
    aggregation: "mean over the negotiations that agreed (NaN when none did)",
    higherIsBetter: false,
    scenarios: [C],
  },
  {
    name: "contracts/illogical_rate",
    unit: "probability",
    definition: "Share of negotiations with an illogical price: overtime bought while cheaper normal capacity was idle, a price below the seller's marginal cost, or above the retailer's margin.",
    aggregation: "over the evaluation negotiations",
    higherIsBetter: false,
    scenarios: [C],
  },
  {
    name: "profit/total",
    unit: "money per period (contracts: money per negotiation)",
    definition: "Sum of the agents' profits (contracts: the chain profit).",
    aggregation: "market, hubs: sum over the evaluation divided by the number of periods; contracts: mean over the negotiations",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "welfare/total_surplus",
    unit: "money per period",
    definition: "Market: agents' profits plus outside suppliers' producer surplus plus outside consumers' surplus; hubs: the company value (margins minus delay cost).",
    aggregation: "sum over the evaluation divided by the number of periods",
    higherIsBetter: true,
    scenarios: [M, H],
  },
  {
    name: "profit/<agent>",
    unit: "money per period (contracts: money per negotiation)",
    definition: "One agent's profit (market: a producer; contracts: the retailer or a subcontractor; hubs: margin plus money received minus paid).",
    aggregation: "market, hubs: sum over the evaluation divided by the number of periods; contracts: mean over the negotiations",
    higherIsBetter: true,
    scenarios: [M, C, H],
    always: true,
  },
  {
    name: "hubs/delay_cost_no_trade",
    unit: "money per period",
    definition: "Total delay cost of all hubs in the same episodes without any trade (context for hubs/delay_cost).",
    aggregation: "sum over the evaluation divided by the number of periods",
    baseline: NT,
    scenarios: [H],
    always: true,
  },
  {
    name: "hubs/value_no_trade",
    unit: "money per period",
    definition: "Company value in the same episodes without any trade (context for efficiency/gain_captured).",
    aggregation: "sum over the evaluation divided by the number of periods",
    scenarios: [H],
    always: true,
  },
  {
    name: "hubs/value_optimum",
    unit: "money per period",
    definition: "Company value of the HiGHS constrained social optimum (context for efficiency/gain_captured).",
    aggregation: "sum over the evaluation divided by the number of periods",
    scenarios: [H],
    always: true,
  },
];
for (const def of BUILT_IN) registerMetric(def);
