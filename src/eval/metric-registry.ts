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
  /** Namespaced name, e.g. "efficiency/first_best"; a row of metrics.csv. `<agent>` in a name stands for each agent id. */
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
const NAME_RE = /^[A-Za-z0-9][\w.<>-]*(\/[\w.<>[\]-]+)+$/;

/** Register a metric. A taken name, a name without a namespace (`area/name`) or a missing field throws. */
export function registerMetric(def: MetricDef): void {
  if (typeof def?.name !== "string" || !NAME_RE.test(def.name))
    throw new RegistrationError(
      `metric name ${JSON.stringify(def?.name)} must be namespaced, e.g. "efficiency/my_metric" (letters, digits, _ . -)`,
    );
  for (const k of ["unit", "definition", "aggregation"] as const) {
    if (typeof def[k] !== "string" || def[k].trim() === "")
      throw new RegistrationError(`metric "${def.name}": ${k} must be a non-empty string`);
  }
  if (!Array.isArray(def.scenarios) || def.scenarios.length === 0)
    throw new RegistrationError(`metric "${def.name}": scenarios must list at least one scenario`);
  if (def.compute !== undefined && typeof def.compute !== "function")
    throw new RegistrationError(`metric "${def.name}": compute must be a function`);
  if (metrics.has(def.name))
    throw new RegistrationError(`metric "${def.name}" is already registered (${metrics.get(def.name)!.definition}); choose another name`);
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

// In the contracts scenario one negotiation is the period: "money per period" reads "money per negotiation" there
// (metricInfo in src/eval/metric-dictionary.ts writes it so into metrics_dictionary.csv).
const M = "market";
const C = "contracts";
const H = "hubs";
const CF = "the all-analytic counterfactual on the same demand draws";
const FB = "the first best (budgets removed, bids truthful) on the same demand draws";
const NT = "the same episode without any trade (same shortages)";
const BUILT_IN: MetricDef[] = [
  {
    name: "efficiency/first_best",
    unit: "ratio",
    definition:
      "Total surplus (agents' profits plus outside suppliers' and consumers' surplus) over the first best's: the same market with budgets removed on the same demand draw, the surplus maximum (docs/market-benchmarks.md). At most 1.",
    aggregation: "ratio of sums over training seeds x evaluation episodes: sum of numerators / sum of denominators (docs/statistics.md)",
    higherIsBetter: true,
    baseline: FB,
    scenarios: [M],
  },
  {
    name: "welfare/loss_vs_first_best",
    unit: "money per period",
    definition: "First-best total surplus minus total surplus (>= 0).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    baseline: FB,
    scenarios: [M],
  },
  {
    name: "welfare/vs_competitive",
    unit: "ratio",
    definition:
      "Total surplus over the all-analytic (price-taking, budget-constrained) competitive equilibrium's; not an efficiency: that equilibrium is second best, so a deviation can exceed 1.",
    aggregation: "ratio of sums over training seeds x evaluation episodes: sum of numerators / sum of denominators (docs/statistics.md)",
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "welfare/change_vs_competitive",
    unit: "money per period",
    definition: "Total surplus minus the all-analytic competitive equilibrium's (positive = more surplus than it).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "exploitability/<agent>",
    unit: "money per period",
    definition:
      "The agent's best-response gain against the other agents held fixed, max(0, best response's profit - the profile's), by the experiment's exploitability method: a lower bound on its true gain (market: a producer's profit, docs/market-benchmarks.md; hubs: a hub's reward, margin + money - delay cost, docs/hubs.md).",
    aggregation:
      "profits are sums over the evaluation periods divided by their number; measured once per training seed over all its evaluation episodes (the same value in every episode cell, so its interval reflects seed-to-seed variation only)",
    higherIsBetter: false,
    baseline: "the same profile with only this agent's play replaced",
    scenarios: [M, H],
    always: true,
  },
  {
    name: "game/converged_share",
    unit: "probability",
    definition:
      "Share of periods in which the best responders' iteration reached a fixed point (every responder best-responding to the others) within its cap of rounds; reported when a condition has best-response agents.",
    aggregation:
      "periods converged over evaluation periods; measured once per training seed over all its evaluation episodes (the same value in every episode cell, so its interval reflects seed-to-seed variation only)",
    higherIsBetter: true,
    scenarios: [M],
    always: true,
  },
  {
    name: "game/rounds",
    unit: "rounds",
    definition: "Best-response rounds per period (each responder once per round; 1 for a single responder).",
    aggregation:
      "mean over the evaluation periods; measured once per training seed over all its evaluation episodes (the same value in every episode cell, so its interval reflects seed-to-seed variation only)",
    scenarios: [M],
    always: true,
  },
  {
    name: "exploitability/nash_conv",
    unit: "money per period",
    definition:
      "NashConv: the sum of exploitability/<agent> over the agents examined (0 at a Nash equilibrium of the game: the market's bidding game, the hubs' reporting game).",
    aggregation:
      "sum over the agents examined; measured once per training seed over all its evaluation episodes (the same value in every episode cell, so its interval reflects seed-to-seed variation only)",
    higherIsBetter: false,
    scenarios: [M, H],
    always: true,
  },
  {
    name: "efficiency/price_distortion",
    unit: "ratio",
    definition: "Mean relative gap |p - p*| / p* between each market's price and the counterfactual's price.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "efficiency/chain",
    unit: "ratio",
    definition: "Chain profit (retailer plus subcontractors) over the maximum chain profit of the negotiation's instance.",
    aggregation: "ratio of sums over training seeds x evaluation episodes: sum of numerators / sum of denominators (docs/statistics.md)",
    higherIsBetter: true,
    baseline: "the maximum chain profit (demand met at the cheapest capacity)",
    scenarios: [C],
  },
  {
    name: "efficiency/gain_captured",
    unit: "ratio",
    definition:
      "(value - no-trade value) / (optimum value - no-trade value): the share of the achievable gain over no trade that trading captured.",
    aggregation: "ratio of sums over training seeds x evaluation episodes: sum of numerators / sum of denominators (docs/statistics.md)",
    higherIsBetter: true,
    baseline: NT,
    scenarios: [H],
  },
  {
    name: "hubs/delay_cost",
    unit: "money per period",
    definition: "Total delay cost of all hubs.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    scenarios: [H],
  },
  {
    name: "hubs/mechanism_deficit",
    unit: "money per period",
    definition:
      "Money the company paid into VCG trades: what sellers received beyond what buyers paid (the mechanism's budget deficit, a transfer inside the company); 0 for the other mechanisms.",
    aggregation: "sum over the evaluation divided by the number of periods",
    higherIsBetter: false,
    scenarios: [H],
  },
  {
    name: "pareto/dominated",
    unit: "share of episodes",
    definition:
      "1 when the all-analytic counterfactual Pareto-dominates the episode's outcome (no party, agents and outside parties, is worse off in it and one is better off), else 0.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    baseline: `${CF} (agents and outside parties)`,
    scenarios: [M],
  },
  {
    name: "pareto/gainers",
    unit: "count",
    definition: "Number of parties (agents and outside parties) better off than in the all-analytic counterfactual.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "pareto/losers",
    unit: "count",
    definition: "Number of parties (agents and outside parties) worse off than in the all-analytic counterfactual.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    baseline: CF,
    scenarios: [M],
  },
  {
    name: "pareto/dominated_vs_no_trade",
    unit: "share of episodes",
    definition:
      "1 when no trade Pareto-dominates the episode's outcome (every hub's reward at least its no-trade reward there, one strictly), else 0. Named apart from the market's pareto/*, which compare with the all-analytic market.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    baseline: NT,
    scenarios: [H],
  },
  {
    name: "pareto/gainers_vs_no_trade",
    unit: "count",
    definition: "Number of hubs whose reward beats their reward without trade.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    baseline: NT,
    scenarios: [H],
  },
  {
    name: "pareto/losers_vs_no_trade",
    unit: "count",
    definition: "Number of hubs whose reward is below their reward without trade.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    baseline: NT,
    scenarios: [H],
  },
  {
    name: "fairness/jain",
    unit: "ratio (1/n to 1)",
    definition:
      "Jain's index (sum x)^2 / (n sum x^2) over the agents' profits in one episode (hubs: rewards, profit after delay cost; contracts: one negotiation, over its participants; NaN with a negative value).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/gini",
    unit: "ratio (0 to 1)",
    definition: "Gini coefficient of the agents' profits (negatives allowed).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/min_share",
    unit: "ratio",
    definition: "Smallest agent's share of the total profit (negative when an agent has a loss).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/max_share",
    unit: "ratio",
    definition: "Largest agent's share of the total profit.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/nash_welfare",
    unit: "log money",
    definition: "Sum of the logarithms of the agents' profits, defined only when every profit is positive.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "fairness/added_value_tv",
    unit: "ratio (0 to 1)",
    definition: "Total-variation distance between each actor's share of chain profit and its share of chain cost (seed 004's fairness).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    scenarios: [C],
  },
  {
    name: "fairness/added_value_corr",
    unit: "correlation (-1 to 1)",
    definition: "Correlation between each actor's share of chain profit and its share of chain cost.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [C],
  },
  {
    name: "contracts/agreement_rate",
    unit: "share of negotiations",
    definition:
      "1 when every allocated conversation of the negotiation ended in an agreement, else 0; its mean is the share of negotiations in which every allocated conversation ended in an agreement.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [C],
  },
  {
    name: "contracts/rounds_to_agreement",
    unit: "rounds",
    definition: "Round of the last agreement of a negotiation.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    scenarios: [C],
  },
  {
    name: "contracts/illogical_rate",
    unit: "share of negotiations",
    definition:
      "1 when the negotiation ended with an illogical price, else 0; its mean is the share of negotiations with an illogical price: overtime bought while cheaper normal capacity was idle, a price below the seller's marginal cost, or above the retailer's margin.",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: false,
    scenarios: [C],
  },
  {
    name: "profit/total",
    unit: "money per period",
    definition: "Sum of the agents' profits (contracts: the chain profit).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [M, C, H],
  },
  {
    name: "welfare/total_surplus",
    unit: "money per period",
    definition:
      "Market: agents' profits plus outside suppliers' producer surplus plus outside consumers' surplus; hubs: the company value (margins minus delay cost).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [M, H],
  },
  {
    name: "profit/<agent>",
    unit: "money per period",
    definition:
      "One agent's profit (market: a producer; contracts: the retailer or a subcontractor; hubs: margin plus money received minus paid).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    higherIsBetter: true,
    scenarios: [M, C, H],
    always: true,
  },
  {
    name: "hubs/delay_cost_no_trade",
    unit: "money per period",
    definition: "Total delay cost of all hubs in the same episodes without any trade (context for hubs/delay_cost).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    baseline: NT,
    scenarios: [H],
    always: true,
  },
  {
    name: "hubs/value_no_trade",
    unit: "money per period",
    definition: "Company value in the same episodes without any trade (context for efficiency/gain_captured).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    scenarios: [H],
    always: true,
  },
  {
    name: "hubs/value_optimum",
    unit: "money per period",
    definition: "Company value of the HiGHS constrained social optimum (context for efficiency/gain_captured).",
    aggregation: "computed per evaluation episode, then the mean over training seeds x episodes (episodes where it is undefined left out)",
    scenarios: [H],
    always: true,
  },
];
for (const def of BUILT_IN) registerMetric(def);
