import type { Cell } from "../io/csv.js";
import type { NegotiationConfig } from "../contracts/config.js";
import type { NegotiationOutcome } from "../contracts/outcome.js";
import { outcomeFairness } from "./contracts-metrics.js";
import type { ConditionSummary } from "./contracts-summary.js";

/** Columns of outcomes.csv: one negotiation a row. */
export const NEGOTIATION_OUTCOME_COLUMNS = [
  "condition",
  "negotiation",
  "seed",
  "contract",
  "subcontractors",
  "demand",
  "ordered",
  "agreed_quantity",
  "sold",
  "unsold",
  "lost_sales",
  "agreement",
  "agreements",
  "contracts",
  "rounds",
  "rounds_to_agreement",
  "revised_by_check",
  "retailer_profit",
  "subcontractors_profit",
  "chain_profit",
  "max_chain_profit",
  "efficiency",
  "illogical_price",
  "overtime_while_normal_idle",
  "price_order_inverted",
  "price_below_average_cost",
  "price_above_retail_margin",
  "inefficient_allocation",
  "fairness_tv",
  "fairness_correlation",
  "jain_profit",
  "gini_profit",
  "jain_return_on_cost",
] as const;

export function outcomeRows(outcomes: readonly NegotiationOutcome[]): Record<string, Cell>[] {
  return outcomes.map((o) => {
    const fair = outcomeFairness(o);
    return {
      condition: o.condition,
      negotiation: o.negotiation,
      seed: o.seed,
      contract: o.contract,
      subcontractors: o.subcontractors,
      demand: o.demand,
      ordered: o.ordered,
      agreed_quantity: o.agreedQuantity,
      sold: o.sold,
      unsold: o.unsold,
      lost_sales: o.lostSales,
      agreement: o.agreement,
      agreements: o.agreements,
      contracts: o.contracts,
      rounds: o.rounds,
      rounds_to_agreement: o.roundsToAgreement,
      revised_by_check: o.revised,
      retailer_profit: o.retailerProfit,
      subcontractors_profit: o.subcontractorProfit.reduce((a, b) => a + b, 0),
      chain_profit: o.chainProfit,
      max_chain_profit: o.maxChainProfit,
      efficiency: o.efficiency,
      illogical_price: o.illogicalPrice,
      overtime_while_normal_idle: o.overtimeWhileNormalIdle,
      price_order_inverted: o.priceOrderInverted,
      price_below_average_cost: o.priceBelowAverageCost,
      price_above_retail_margin: o.priceAboveRetailMargin,
      inefficient_allocation: o.inefficientAllocation,
      fairness_tv: fair.fairnessTV,
      fairness_correlation: fair.fairnessCorrelation,
      jain_profit: fair.jainProfit,
      gini_profit: fair.giniProfit,
      jain_return_on_cost: fair.jainReturnOnCost,
    };
  });
}

/** Columns of actors.csv: one actor of one negotiation a row (profit and cost shares of the chain's). */
export const ACTOR_COLUMNS = [
  "condition",
  "negotiation",
  "actor",
  "role",
  "price",
  "quantity",
  "profit",
  "cost",
  "profit_share",
  "cost_share",
] as const;

export function actorRows(cfg: NegotiationConfig, outcomes: readonly NegotiationOutcome[]): Record<string, Cell>[] {
  const rows: Record<string, Cell>[] = [];
  for (const o of outcomes) {
    const totalCost = o.retailerCost + o.subcontractorCost.reduce((a, b) => a + b, 0);
    const share = (v: number, t: number) => (t > 0 ? v / t : NaN);
    rows.push({
      condition: o.condition,
      negotiation: o.negotiation,
      actor: "retailer",
      role: "retailer",
      price: cfg.retailer.retailPrice,
      quantity: o.sold,
      profit: o.retailerProfit,
      cost: o.retailerCost,
      profit_share: share(o.retailerProfit, o.chainProfit),
      cost_share: share(o.retailerCost, totalCost),
    });
    o.quantity.forEach((q, i) =>
      rows.push({
        condition: o.condition,
        negotiation: o.negotiation,
        actor: cfg.subcontractors[i]?.id ?? `S${i + 1}`,
        role: "subcontractor",
        price: o.price[i],
        quantity: q,
        profit: o.subcontractorProfit[i],
        cost: o.subcontractorCost[i],
        profit_share: share(o.subcontractorProfit[i], o.chainProfit),
        cost_share: share(o.subcontractorCost[i], totalCost),
      }),
    );
  }
  return rows;
}

/** Columns of summary.csv: one condition a row. */
export const NEGOTIATION_SUMMARY_COLUMNS = [
  "condition",
  "negotiations",
  "agreement_rate",
  "mean_rounds_to_agreement",
  "chain_efficiency",
  "mean_chain_profit",
  "mean_max_chain_profit",
  "mean_retailer_profit",
  "mean_subcontractors_profit",
  "illogical_price_rate",
  "overtime_while_normal_idle_rate",
  "price_order_inverted_rate",
  "price_below_average_cost_rate",
  "price_above_retail_margin_rate",
  "inefficient_allocation_rate",
  "revised_rate",
  "mean_fairness_tv",
  "mean_fairness_correlation",
  "mean_jain_profit",
  "mean_gini_profit",
  "mean_jain_return_on_cost",
  "undefined_fairness_tv",
  "undefined_fairness_correlation",
  "undefined_jain_profit",
  "undefined_gini_profit",
  "undefined_jain_return_on_cost",
] as const;

export function summaryRow(s: ConditionSummary): Record<string, Cell> {
  return {
    condition: s.condition,
    negotiations: s.negotiations,
    agreement_rate: s.agreementRate,
    mean_rounds_to_agreement: s.meanRoundsToAgreement,
    chain_efficiency: s.chainEfficiency,
    mean_chain_profit: s.meanChainProfit,
    mean_max_chain_profit: s.meanMaxChainProfit,
    mean_retailer_profit: s.meanRetailerProfit,
    mean_subcontractors_profit: s.meanSubcontractorProfit,
    illogical_price_rate: s.illogicalPriceRate,
    overtime_while_normal_idle_rate: s.overtimeWhileNormalIdleRate,
    price_order_inverted_rate: s.priceOrderInvertedRate,
    price_below_average_cost_rate: s.priceBelowAverageCostRate,
    price_above_retail_margin_rate: s.priceAboveRetailMarginRate,
    inefficient_allocation_rate: s.inefficientAllocationRate,
    revised_rate: s.revisedRate,
    mean_fairness_tv: s.meanFairnessTV,
    mean_fairness_correlation: s.meanFairnessCorrelation,
    mean_jain_profit: s.meanJainProfit,
    mean_gini_profit: s.meanGiniProfit,
    mean_jain_return_on_cost: s.meanJainReturnOnCost,
    undefined_fairness_tv: s.undefinedFairnessTV,
    undefined_fairness_correlation: s.undefinedFairnessCorrelation,
    undefined_jain_profit: s.undefinedJainProfit,
    undefined_gini_profit: s.undefinedGiniProfit,
    undefined_jain_return_on_cost: s.undefinedJainReturnOnCost,
  };
}
