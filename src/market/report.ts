import type { Equilibrium } from "./equilibrium.js";
import type { CompiledMarket } from "./spec.js";
import type { Welfare } from "./welfare.js";

/** Tidy rows of an equilibrium: one per market (`equilibrium.csv`). */
export function marketRows(market: CompiledMarket, eq: Equilibrium) {
  const rows: { layer: number; good: number; price: number; supply: number; demand: number }[] = [];
  for (let q = 0; q < market.nMarkets; q++) {
    rows.push({ layer: Math.floor(q / market.G), good: q % market.G, price: eq.prices[q], supply: eq.supply[q], demand: eq.demand[q] });
  }
  return rows;
}

/** One row per agent and good (`agents.csv`): what it buys and sells, its cost and profit on that good. */
export function agentRows(market: CompiledMarket, eq: Equilibrium) {
  const { G } = market;
  const rows: {
    agent: string;
    group: number;
    member: number;
    good: number;
    input: number;
    output: number;
    cost: number;
    profit: number;
    budget_multiplier: number;
  }[] = [];
  for (let i = 0; i < market.nAgents; i++) {
    const k = market.group[i];
    for (let j = 0; j < G; j++) {
      const input = eq.x[i * G + j];
      const output = eq.supplied[i * G + j];
      const cost = eq.prices[k * G + j] * input;
      rows.push({
        agent: market.names[i],
        group: k,
        member: market.member[i],
        good: j,
        input,
        output,
        cost,
        profit: eq.prices[(k + 1) * G + j] * output - cost,
        budget_multiplier: eq.budgetMultiplier[i],
      });
    }
  }
  return rows;
}

/** Tidy welfare rows (`welfare.csv`): component, what it belongs to, value. */
export function welfareRows(market: CompiledMarket, w: Welfare) {
  const rows: { component: string; of: string; value: number }[] = [];
  for (let i = 0; i < market.nAgents; i++) rows.push({ component: "agent_profit", of: market.names[i], value: w.profit[i] });
  for (let j = 0; j < market.G; j++) rows.push({ component: "outside_producer_surplus", of: `good ${j}`, value: w.producerSurplus[j] });
  for (let j = 0; j < market.G; j++) rows.push({ component: "outside_consumer_surplus", of: `good ${j}`, value: w.consumerSurplus[j] });
  rows.push({ component: "agent_profit", of: "all", value: w.agentProfit });
  rows.push({ component: "outside_producer_surplus", of: "all", value: w.outsideProducerSurplus });
  rows.push({ component: "outside_consumer_surplus", of: "all", value: w.outsideConsumerSurplus });
  rows.push({ component: "total_surplus", of: "all", value: w.totalSurplus });
  return rows;
}
