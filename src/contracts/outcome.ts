import type { ContractType, NegotiationConfig } from "./config.js";
import {
  chainProductionCost,
  cheapestAllocation,
  maxChainProfit as maxChainProfitOf,
  productionCost,
  totalMaxCapacity,
  type Subcontractor,
} from "./model.js";
import { AGREED, type NegotiationEngine } from "./negotiation.js";

/** The agreed contracts of one negotiation, in plain arrays (what the outcome is computed from). */
export interface Deals {
  /** Agreed unit price per subcontractor (NaN without agreement). */
  price: number[];
  /** Agreed quantity per subcontractor (0 without agreement). */
  quantity: number[];
  /** Quantity the retailer allocated (what it tried to buy) per subcontractor. */
  allocated: number[];
  /** 1 when the subcontractor refused (walked away) at some point. */
  refused: number[];
  /** Round of the last message of the negotiation. */
  rounds: number;
  /** Round of the last agreement (0 when none). */
  lastAgreementRound: number;
  /** Quantity the retailer ordered (D or the forecast). */
  ordered: number;
  /** checkQuantityEfficiency() changed the allocation. */
  revised: boolean;
}

/** A plain record of one negotiation: what metrics and tables read. */
export interface NegotiationOutcome {
  negotiation: number;
  seed: number;
  condition: string;
  contract: ContractType;
  subcontractors: number;
  /** Realised demand. */
  demand: number;
  ordered: number;
  /** Quantity covered by agreements. */
  agreedQuantity: number;
  sold: number;
  unsold: number;
  lostSales: number;
  /** Every allocated conversation ended in an agreement. */
  agreement: boolean;
  agreements: number;
  /** Subcontractors the retailer allocated a positive quantity to. */
  contracts: number;
  rounds: number;
  /** Round of the last agreement when `agreement`, else NaN. */
  roundsToAgreement: number;
  revised: boolean;
  price: number[];
  quantity: number[];
  retailerProfit: number;
  subcontractorProfit: number[];
  /** Added value (cost) of each actor: the retailer's c_R x bought, each subcontractor's production cost. */
  retailerCost: number;
  subcontractorCost: number[];
  chainProfit: number;
  maxChainProfit: number;
  /** chainProfit / maxChainProfit (NaN when the maximum is not positive). */
  efficiency: number;
  // Illogical prices, judged on the agreed contracts (price, quantity) and the sellers' costs alone, whatever rule
  // allocated the quantities (docs/contracts.md, "Illogical prices").
  /** An agreed contract includes overtime (q_j > CN_j) while a seller i that did not walk away had unused normal capacity with c_i < c_j + e_j. */
  overtimeWhileNormalIdle: boolean;
  /** Two agreed contracts priced against their costs: seller i's average cost is below j's but i's unit price is above j's. */
  priceOrderInverted: boolean;
  /** An agreed unit price below the seller's average cost for the agreed quantity (the seller loses money). */
  priceBelowAverageCost: boolean;
  /** An agreed price above the retailer's unit margin R - c_R (it loses on every unit). */
  priceAboveRetailMargin: boolean;
  /** The illogical-price flag: any of the four above. */
  illogicalPrice: boolean;
  /** The agreed quantities cost the chain more than their cheapest allocation. */
  inefficientAllocation: boolean;
}

export function dealsFromEngine(engine: NegotiationEngine): Deals {
  const n = engine.n;
  const price: number[] = new Array(n);
  const quantity: number[] = new Array(n);
  const allocated: number[] = new Array(n);
  const refused: number[] = new Array(n);
  let last = 0;
  for (let i = 0; i < n; i++) {
    const ok = engine.status[i] === AGREED;
    price[i] = ok ? engine.agreedPrice[i] : NaN;
    quantity[i] = ok ? engine.agreedQty[i] : 0;
    allocated[i] = engine.alloc[i];
    refused[i] = engine.refused[i];
    if (ok && engine.agreedRound[i] > last) last = engine.agreedRound[i];
  }
  return {
    price,
    quantity,
    allocated,
    refused,
    rounds: engine.round,
    lastAgreementRound: last,
    ordered: engine.quantity,
    revised: engine.revised,
  };
}

/**
 * Settle the deals against realised demand and score them. Sales = min(demand, agreed quantity); shortfalls are
 * lost sales. Unsold units: under `wholesale` the retailer keeps them (no salvage); under `buyback` each
 * subcontractor takes back its pro-rata share of them at buybackFraction x its price (its salvage value is 0).
 */
export function settle(
  cfg: NegotiationConfig,
  deals: Deals,
  demand: number,
  meta: { negotiation?: number; seed?: number; condition?: string } = {},
): NegotiationOutcome {
  const subs = cfg.subcontractors;
  const n = subs.length;
  const { retailPrice: R, unitCost: cR } = cfg.retailer;
  const contract = cfg.negotiation.contract;
  let agreed = 0;
  let agreements = 0;
  let contracts = 0;
  let allAgreed = true;
  for (let i = 0; i < n; i++) {
    agreed += deals.quantity[i];
    if (deals.quantity[i] > 0) agreements++;
    if (deals.allocated[i] > 0) {
      contracts++;
      if (!(deals.quantity[i] > 0)) allAgreed = false;
    }
  }
  const sold = Math.min(demand, agreed);
  const unsold = agreed - sold;
  const lostSales = Math.max(0, demand - agreed);
  const subProfit: number[] = new Array(n);
  const subCost: number[] = new Array(n);
  let paid = 0;
  let refunds = 0;
  let prodCost = 0;
  for (let i = 0; i < n; i++) {
    const q = deals.quantity[i];
    const cost = productionCost(subs[i], q);
    subCost[i] = cost;
    prodCost += cost;
    if (q <= 0) {
      subProfit[i] = 0;
      continue;
    }
    const w = deals.price[i];
    const refund = contract === "buyback" && unsold > 0 ? cfg.negotiation.buybackFraction * w * ((unsold * q) / agreed) : 0;
    paid += w * q;
    refunds += refund;
    subProfit[i] = w * q - cost - refund;
  }
  const retailerCost = cR * agreed;
  const retailerProfit = R * sold - retailerCost - paid + refunds;
  const chainProfit = R * sold - retailerCost - prodCost;
  const capacity = totalMaxCapacity(subs);
  // The most the chain can make of the realised demand: its cheapest allocation of min(demand, capacity) units.
  const maxChainProfit = maxChainProfitOf({ retailer: cfg.retailer, subcontractors: subs }, Math.min(demand, capacity));

  const flags = illogicalFlags(subs, deals, R - cR);
  const cheapestCost = agreed > 0 ? chainProductionCost(subs, cheapestAllocation(subs, Math.min(agreed, capacity))) : 0;
  const inefficientAllocation = prodCost > cheapestCost + 1e-9 * Math.max(1, prodCost);

  return {
    negotiation: meta.negotiation ?? 0,
    seed: meta.seed ?? cfg.seed,
    condition: meta.condition ?? (cfg.negotiation.check ? "analytic-check" : "analytic-no-check"),
    contract,
    subcontractors: n,
    demand,
    ordered: deals.ordered,
    agreedQuantity: agreed,
    sold,
    unsold,
    lostSales,
    agreement: allAgreed && contracts > 0,
    agreements,
    contracts,
    rounds: deals.rounds,
    roundsToAgreement: allAgreed && contracts > 0 ? deals.lastAgreementRound : NaN,
    revised: deals.revised,
    price: deals.price,
    quantity: deals.quantity,
    retailerProfit,
    subcontractorProfit: subProfit,
    retailerCost,
    subcontractorCost: subCost,
    chainProfit,
    maxChainProfit,
    efficiency: maxChainProfit > 0 ? chainProfit / maxChainProfit : NaN,
    ...flags,
    illogicalPrice:
      flags.overtimeWhileNormalIdle || flags.priceOrderInverted || flags.priceBelowAverageCost || flags.priceAboveRetailMargin,
    inefficientAllocation,
  };
}

/** The four kinds of illogical price, on the agreed contracts (see NegotiationOutcome). */
export function illogicalFlags(
  subs: readonly Subcontractor[],
  deals: Pick<Deals, "price" | "quantity" | "refused">,
  retailMargin: number,
): { overtimeWhileNormalIdle: boolean; priceOrderInverted: boolean; priceBelowAverageCost: boolean; priceAboveRetailMargin: boolean } {
  const n = subs.length;
  const eps = 1e-9;
  // The cheapest unused normal capacity among subcontractors that did not walk away.
  let cheapestIdleNormal = Infinity;
  for (let i = 0; i < n; i++) {
    if (deals.refused[i]) continue;
    if (deals.quantity[i] < subs[i].normalCapacity - eps && subs[i].unitCost < cheapestIdleNormal) cheapestIdleNormal = subs[i].unitCost;
  }
  let overtimeWhileNormalIdle = false;
  let priceOrderInverted = false;
  let priceBelowAverageCost = false;
  let priceAboveRetailMargin = false;
  const avgCost = subs.map((s, j) => productionCost(s, deals.quantity[j]) / deals.quantity[j]);
  for (let j = 0; j < n; j++) {
    const q = deals.quantity[j];
    if (!(q > 0)) continue;
    const s = subs[j];
    if (q > s.normalCapacity + eps && cheapestIdleNormal < s.unitCost + s.extraCost) overtimeWhileNormalIdle = true;
    if (deals.price[j] < avgCost[j] - eps) priceBelowAverageCost = true;
    if (deals.price[j] > retailMargin + eps) priceAboveRetailMargin = true;
    for (let i = 0; i < n; i++) {
      if (i === j || !(deals.quantity[i] > 0)) continue;
      if (avgCost[i] < avgCost[j] - eps && deals.price[i] > deals.price[j] + eps) priceOrderInverted = true;
    }
  }
  return { overtimeWhileNormalIdle, priceOrderInverted, priceBelowAverageCost, priceAboveRetailMargin };
}
