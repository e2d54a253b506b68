import { finiteMean, negotiationMetrics, outcomeFairness } from "./contracts-metrics.js";
import type { NegotiationOutcome } from "../contracts/outcome.js";

/** Aggregates of a set of negotiations under one condition (means over negotiations; rates in [0, 1]). */
export interface ConditionSummary {
  condition: string;
  negotiations: number;
  agreementRate: number;
  /** Mean round of the last agreement, over negotiations that reached agreement. */
  meanRoundsToAgreement: number;
  /**
   * Σ chain profit / Σ maximum chain profit over the negotiations: `efficiency/chain` of {@link negotiationMetrics}
   * (the number \`supplygym run\` reports), not a mean of per-negotiation ratios.
   */
  chainEfficiency: number;
  meanChainProfit: number;
  meanMaxChainProfit: number;
  meanRetailerProfit: number;
  /** Mean over negotiations of the subcontractors' total profit. */
  meanSubcontractorProfit: number;
  illogicalPriceRate: number;
  overtimeWhileNormalIdleRate: number;
  priceOrderInvertedRate: number;
  priceBelowAverageCostRate: number;
  priceAboveRetailMarginRate: number;
  inefficientAllocationRate: number;
  revisedRate: number;
  meanFairnessTV: number;
  meanFairnessCorrelation: number;
  meanJainProfit: number;
  meanGiniProfit: number;
  meanJainReturnOnCost: number;
  /** Negotiations whose index is undefined (NaN: e.g. no positive total profit, a loss-making actor for Jain), left out of the mean above. */
  undefinedFairnessTV: number;
  undefinedFairnessCorrelation: number;
  undefinedJainProfit: number;
  undefinedGiniProfit: number;
  undefinedJainReturnOnCost: number;
}

export function summarizeOutcomes(outcomes: readonly NegotiationOutcome[], condition = outcomes[0]?.condition ?? ""): ConditionSummary {
  const rate = (f: (o: NegotiationOutcome) => boolean) => (outcomes.length === 0 ? NaN : outcomes.filter(f).length / outcomes.length);
  const mean = (f: (o: NegotiationOutcome) => number) => finiteMean(outcomes.map(f));
  const undef = (f: (o: NegotiationOutcome) => number) => outcomes.filter((o) => !Number.isFinite(f(o))).length;
  return {
    condition,
    negotiations: outcomes.length,
    agreementRate: rate((o) => o.agreement),
    meanRoundsToAgreement: mean((o) => o.roundsToAgreement),
    chainEfficiency: negotiationMetrics(outcomes, { metrics: ["efficiency/chain"] })["efficiency/chain"],
    meanChainProfit: mean((o) => o.chainProfit),
    meanMaxChainProfit: mean((o) => o.maxChainProfit),
    meanRetailerProfit: mean((o) => o.retailerProfit),
    meanSubcontractorProfit: mean((o) => o.subcontractorProfit.reduce((a, b) => a + b, 0)),
    illogicalPriceRate: rate((o) => o.illogicalPrice),
    overtimeWhileNormalIdleRate: rate((o) => o.overtimeWhileNormalIdle),
    priceOrderInvertedRate: rate((o) => o.priceOrderInverted),
    priceBelowAverageCostRate: rate((o) => o.priceBelowAverageCost),
    priceAboveRetailMarginRate: rate((o) => o.priceAboveRetailMargin),
    inefficientAllocationRate: rate((o) => o.inefficientAllocation),
    revisedRate: rate((o) => o.revised),
    meanFairnessTV: mean((o) => outcomeFairness(o).fairnessTV),
    meanFairnessCorrelation: mean((o) => outcomeFairness(o).fairnessCorrelation),
    meanJainProfit: mean((o) => outcomeFairness(o).jainProfit),
    meanGiniProfit: mean((o) => outcomeFairness(o).giniProfit),
    meanJainReturnOnCost: mean((o) => outcomeFairness(o).jainReturnOnCost),
    undefinedFairnessTV: undef((o) => outcomeFairness(o).fairnessTV),
    undefinedFairnessCorrelation: undef((o) => outcomeFairness(o).fairnessCorrelation),
    undefinedJainProfit: undef((o) => outcomeFairness(o).jainProfit),
    undefinedGiniProfit: undef((o) => outcomeFairness(o).giniProfit),
    undefinedJainReturnOnCost: undef((o) => outcomeFairness(o).jainReturnOnCost),
  };
}
