import { chainEfficiency } from "./efficiency.js";
import { addedValueProportionality, gini, jainIndex, maxShare, minShare, nashSocialWelfare } from "./fairness.js";
import type { NegotiationOutcome } from "../contracts/outcome.js";

/**
 * The named metrics of a set of negotiations (one condition and training seed on the evaluation draws): the rows
 * of metrics.csv for the contracts scenario. Every fairness index comes from src/eval (through the per-negotiation
 * indices of {@link outcomeFairness}; the simulator's outcome record carries profits and costs only).
 *
 * - `contracts/agreement_rate`: share of negotiations in which every allocated conversation ended in an agreement.
 * - `contracts/rounds_to_agreement`: mean round of the last agreement, over the negotiations that agreed
 *   (NaN when none did).
 * - `contracts/illogical_rate`: share of negotiations with an illogical price (overtime bought while cheaper
 *   normal capacity was idle, a price below the seller's marginal cost, or above the retailer's margin R - c_R).
 * - `efficiency/chain`: Σ chain profit / Σ maximum chain profit over the negotiations (a ratio of sums, like
 *   `efficiency/first_best`; for identical negotiations it equals each one's efficiency).
 * - `fairness/*`: computed per negotiation over the actors that took part (the retailer and every subcontractor
 *   with an agreed quantity), then averaged over the negotiations where the index is defined (see
 *   {@link finiteMean}): `added_value_tv` / `added_value_corr` (profit shares against cost shares), `jain` (NaN for
 *   a negotiation with a loss-making actor), `gini` (negatives allowed), `min_share`, `max_share`, `nash_welfare`.
 * - `profit/total`: mean chain profit per negotiation (= the actors' profits summed); `profit/<actor>`: mean
 *   profit per negotiation of the retailer (`retailer`) and of each subcontractor id (always reported).
 */
export const NEGOTIATION_METRICS = [
  "contracts/agreement_rate",
  "contracts/rounds_to_agreement",
  "contracts/illogical_rate",
  "efficiency/chain",
  "fairness/added_value_tv",
  "fairness/added_value_corr",
  "fairness/jain",
  "fairness/gini",
  "fairness/min_share",
  "fairness/max_share",
  "fairness/nash_welfare",
  "profit/total",
] as const;

export interface NegotiationMetricOptions {
  /** Which of {@link NEGOTIATION_METRICS} to report (default all); per-actor profits are always added. */
  metrics?: readonly string[];
  /** Subcontractor ids in the order of the outcomes' arrays (for `profit/<id>`); default S1, S2, ... */
  subcontractorIds?: readonly string[];
}

/** The profits of the actors that took part in a negotiation: the retailer, then subcontractors with an agreed quantity. */
export function participantProfits(o: NegotiationOutcome): number[] {
  const out = [o.retailerProfit];
  o.quantity.forEach((q, i) => {
    if (q > 0) out.push(o.subcontractorProfit[i]);
  });
  return out;
}

export function negotiationMetrics(outcomes: readonly NegotiationOutcome[], opts: NegotiationMetricOptions = {}): Record<string, number> {
  const want = new Set(opts.metrics ?? NEGOTIATION_METRICS);
  const n = outcomes.length;
  const rate = (f: (o: NegotiationOutcome) => boolean) => (n === 0 ? NaN : outcomes.filter(f).length / n);
  const avg = (f: (o: NegotiationOutcome) => number) => finiteMean(outcomes.map(f));
  const all: Record<(typeof NEGOTIATION_METRICS)[number], () => number> = {
    "contracts/agreement_rate": () => rate((o) => o.agreement),
    "contracts/rounds_to_agreement": () => avg((o) => o.roundsToAgreement),
    "contracts/illogical_rate": () => rate((o) => o.illogicalPrice),
    "efficiency/chain": () => {
      let chain = 0;
      let best = 0;
      for (const o of outcomes) {
        chain += o.chainProfit;
        best += o.maxChainProfit;
      }
      return n === 0 ? NaN : chainEfficiency(chain, best);
    },
    "fairness/added_value_tv": () => avg((o) => outcomeFairness(o).fairnessTV),
    "fairness/added_value_corr": () => avg((o) => outcomeFairness(o).fairnessCorrelation),
    "fairness/jain": () => avg((o) => outcomeFairness(o).jainProfit),
    "fairness/gini": () => avg((o) => outcomeFairness(o).giniProfit),
    "fairness/min_share": () => avg((o) => minShare(participantProfits(o))),
    "fairness/max_share": () => avg((o) => maxShare(participantProfits(o))),
    "fairness/nash_welfare": () => avg((o) => nashSocialWelfare(participantProfits(o))),
    "profit/total": () => avg((o) => o.chainProfit),
  };
  const out: Record<string, number> = {};
  for (const name of NEGOTIATION_METRICS) if (want.has(name)) out[name] = all[name]();
  out["profit/retailer"] = avg((o) => o.retailerProfit);
  const m = outcomes[0]?.subcontractors ?? opts.subcontractorIds?.length ?? 0;
  const ids = opts.subcontractorIds ?? Array.from({ length: m }, (_, i) => `S${i + 1}`);
  if (ids.length !== m) throw new RangeError(`negotiationMetrics: ${ids.length} subcontractor ids for outcomes with ${m} subcontractors`);
  ids.forEach((id, i) => (out[`profit/${id}`] = avg((o) => o.subcontractorProfit[i])));
  return out;
}

/** Mean of the finite values (NaN when none): undefined per-negotiation values are left out. */
export function finiteMean(values: Iterable<number>): number {
  let s = 0;
  let k = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      s += v;
      k++;
    }
  }
  return k === 0 ? NaN : s / k;
}

/** Fairness indices of one negotiation over the actors that took part (see {@link outcomeFairness}). */
export interface OutcomeFairness {
  /** Total-variation distance between profit shares and cost shares (0 = profits split like added value). */
  fairnessTV: number;
  /** Pearson correlation between profit shares and cost shares. */
  fairnessCorrelation: number;
  jainProfit: number;
  giniProfit: number;
  /** Jain's index of profit / cost (1 = every actor earns the same return on its added value). */
  jainReturnOnCost: number;
}

/**
 * The fairness indices of one negotiation, over the actors that took part: the retailer and every subcontractor
 * with an agreed quantity (their profits and production costs from the outcome record).
 */
export function outcomeFairness(o: NegotiationOutcome): OutcomeFairness {
  const profits: number[] = [o.retailerProfit];
  const costs: number[] = [o.retailerCost];
  for (let i = 0; i < o.quantity.length; i++) {
    if (o.quantity[i] > 0) {
      profits.push(o.subcontractorProfit[i]);
      costs.push(o.subcontractorCost[i]);
    }
  }
  return fairness(profits, costs);
}

/**
 * Fairness against added value over actors with profits and costs : profit shares vs cost shares
 * (`addedValueProportionality`: TV distance and correlation; NaN when total profit or cost is not positive),
 * Jain and Gini over profits, Jain over profit / cost. Jain is NaN when any value is negative (a loss-making
 * actor) and 1 when all are 0; Gini allows negatives and is NaN when the mean profit is not positive.
 */
export function fairness(profits: readonly number[], costs: readonly number[]): OutcomeFairness {
  const av = addedValueProportionality(profits, costs);
  const returns = profits.map((p, k) => (costs[k] > 0 ? p / costs[k] : NaN));
  return {
    fairnessTV: av.tvDistance,
    fairnessCorrelation: av.correlation,
    jainProfit: jainIndex(profits),
    giniProfit: gini(profits),
    jainReturnOnCost: jainIndex(returns),
  };
}
