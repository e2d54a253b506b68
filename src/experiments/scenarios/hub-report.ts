import type { Cell } from "../../io/csv.js";
import type { EpisodeOutcome } from "./hub-episode.js";

/** Tidy tables of an episode (one observation a row) for CSV. */

export const TRADE_COLUMNS = [
  "id",
  "period",
  "round",
  "mechanism",
  "status",
  "resource",
  "quantity",
  "seller",
  "buyer",
  "payment",
  "price_per_unit",
  "money",
  "subsidy",
  "credit_id",
  "credit_resource",
  "credit_quantity",
  "credit_period",
  "credit_expires",
  "credit_value_to_holder",
  "credit_cost_to_issuer",
  "seller_loss",
  "buyer_gain",
  "note",
] as const;

export function tradeRows(out: EpisodeOutcome): Record<string, Cell>[] {
  return out.trades.map((t) => ({
    id: t.id,
    period: t.period,
    round: t.round,
    mechanism: t.mechanism,
    status: t.status,
    resource: t.resource,
    quantity: t.quantity,
    seller: t.seller,
    buyer: t.buyer,
    payment: t.payment,
    price_per_unit: t.pricePerUnit,
    money: t.money,
    subsidy: t.subsidy,
    credit_id: t.creditId,
    credit_resource: t.creditResource,
    credit_quantity: t.creditQuantity,
    credit_period: t.creditPeriod,
    credit_expires: t.creditExpires,
    credit_value_to_holder: t.creditValueToHolder,
    credit_cost_to_issuer: t.creditCostToIssuer,
    seller_loss: t.sellerLoss,
    buyer_gain: t.buyerGain,
    note: t.note,
  }));
}

export const CONTRIBUTION_COLUMNS = [
  "hub",
  "value_created",
  "resource_cost",
  "net_contribution",
  "role",
  "margin",
  "delay_cost",
  "money_net",
  "profit",
  "reward",
  "no_trade_reward",
  "gain_vs_no_trade",
  "credit_value",
] as const;

/**
 * Per-hub contribution: value created (margin + delay avoided of what it made) against the resources it consumed
 * valued at the social optimum's shadow prices. Contributors create more than they consume; drains less.
 */
export function contributionRows(out: EpisodeOutcome): Record<string, Cell>[] {
  return out.hubs.map((h) => {
    const net = h.valueCreated - h.resourceCost;
    return {
      hub: h.hub,
      value_created: h.valueCreated,
      resource_cost: h.resourceCost,
      net_contribution: net,
      role: Number.isNaN(net) ? "" : net >= 0 ? "contributor" : "drain",
      margin: h.margin,
      delay_cost: h.delayCost,
      money_net: h.moneyNet,
      profit: h.profit,
      reward: h.reward,
      no_trade_reward: h.noTradeReward,
      gain_vs_no_trade: h.gainVsNoTrade,
      credit_value: h.creditValue,
    };
  });
}

export const OUTCOME_COLUMNS = [
  "period",
  "value",
  "delay_cost",
  "no_trade_value",
  "no_trade_delay_cost",
  "optimum_value",
  "optimum_delay_cost",
  "gap_to_optimum",
  "trades_executed",
] as const;

/** One row per period plus a `total` row; value = margin - delay cost summed over hubs. */
export function outcomeRows(out: EpisodeOutcome): Record<string, Cell>[] {
  const rows: Record<string, Cell>[] = out.periods.map((p) => ({
    period: p.period,
    value: p.value,
    delay_cost: p.delayCost,
    no_trade_value: p.noTradeValue,
    no_trade_delay_cost: p.noTradeDelayCost,
    optimum_value: p.optimumValue,
    optimum_delay_cost: p.optimumDelayCost,
    gap_to_optimum: p.optimumValue - p.value,
    trades_executed: p.trades,
  }));
  rows.push({
    period: "total",
    value: out.totalValue,
    delay_cost: out.totalDelayCost,
    no_trade_value: out.noTradeValue,
    no_trade_delay_cost: out.noTradeDelayCost,
    optimum_value: out.optimumValue,
    optimum_delay_cost: out.periods.reduce((s, p) => s + p.optimumDelayCost, 0),
    gap_to_optimum: out.gapToOptimum,
    trades_executed: out.periods.reduce((s, p) => s + p.trades, 0),
  });
  return rows;
}
