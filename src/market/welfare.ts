import type { Equilibrium } from "./equilibrium.js";
import { consumerSurplus, producerSurplus } from "./outside.js";
import type { CompiledMarket } from "./spec.js";

/**
 * Welfare of a cleared market (docs/model.md, our choice of accounting): total surplus = agents' profits + outside
 * suppliers' producer surplus (layer 0) + outside consumers' surplus (last layer), the outside integrals in
 * closed form. Output an agent withholds is destroyed, so withholding lowers its profit and total surplus.
 */
export interface Welfare {
  /** Per agent. */
  profit: Float64Array;
  /** Per good, outside suppliers into layer 0. */
  producerSurplus: Float64Array;
  /** Per good, outside consumers of the last layer. */
  consumerSurplus: Float64Array;
  agentProfit: number;
  outsideProducerSurplus: number;
  outsideConsumerSurplus: number;
  totalSurplus: number;
}

/** Outside suppliers' producer surplus in good j's first-layer market at these prices (indexed l*G+j). */
export function outsideProducerSurplus(market: CompiledMarket, prices: ArrayLike<number>, j: number): number {
  return producerSurplus(market.supplyAlpha[j], market.supplyBeta[j], prices[j]);
}

/** Outside consumers' surplus in good j's last-layer market at these prices, with this period's demand scales. */
export function outsideConsumerSurplus(
  market: CompiledMarket,
  prices: ArrayLike<number>,
  demandAlpha: ArrayLike<number>,
  j: number,
): number {
  return consumerSurplus(demandAlpha[j], market.demandBeta[j], prices[market.L * market.G + j], market.chokePrice[j]);
}

export function welfare(market: CompiledMarket, eq: Equilibrium): Welfare {
  const { G } = market;
  const ps = new Float64Array(G);
  const cs = new Float64Array(G);
  let sumPs = 0;
  let sumCs = 0;
  for (let j = 0; j < G; j++) {
    ps[j] = outsideProducerSurplus(market, eq.prices, j);
    cs[j] = outsideConsumerSurplus(market, eq.prices, eq.demandAlpha, j);
    sumPs += ps[j];
    sumCs += cs[j];
  }
  let agentProfit = 0;
  for (let i = 0; i < market.nAgents; i++) agentProfit += eq.profit[i];
  return {
    profit: eq.profit,
    producerSurplus: ps,
    consumerSurplus: cs,
    agentProfit,
    outsideProducerSurplus: sumPs,
    outsideConsumerSurplus: sumCs,
    totalSurplus: agentProfit + sumPs + sumCs,
  };
}
