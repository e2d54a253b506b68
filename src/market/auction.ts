import type { Equilibrium } from "./equilibrium.js";
import { producerPlan, type Shading } from "./producer.js";
import { outsideDemand, outsideSupply } from "./outside.js";
import type { CompiledMarket } from "./spec.js";
import { NoEquilibriumError } from "./errors.js";

/**
 * A bid to one auction: the quantity the bidder demands and the quantity it supplies at a price of that
 * auction's good (every other price held where it is). Analytic agents bid their true functions; a learned
 * bidder submits a shaded pair through the same interface.
 */
export interface Bid {
  bidder: string;
  demand(price: number): number;
  supply(price: number): number;
}

/**
 * One auction per market M[l][j]. It knows only the bids it receives (and the outside world's function when it
 * is a first- or last-layer market), and derives its own clearing price from them.
 */
export class Auction {
  constructor(
    readonly layer: number,
    readonly good: number,
    private readonly outside: { supply?: (p: number) => number; demand?: (p: number) => number } = {},
  ) {}

  demand(price: number, bids: readonly Bid[]): number {
    let d = this.outside.demand ? this.outside.demand(price) : 0;
    for (const b of bids) d += b.demand(price);
    return d;
  }

  supply(price: number, bids: readonly Bid[]): number {
    let s = this.outside.supply ? this.outside.supply(price) : 0;
    for (const b of bids) s += b.supply(price);
    return s;
  }

  excessDemand(price: number, bids: readonly Bid[]): number {
    return this.demand(price, bids) - this.supply(price, bids);
  }

  /**
   * The price at which the bids clear: the root of ln demand - ln supply, found by bracketing in log-price and
   * bisection (demand falls and supply rises with the price, so the root is unique when it exists).
   */
  clear(bids: readonly Bid[], guess = 1, tolerance = 1e-13): number {
    const f = (u: number) => Math.log(this.demand(Math.exp(u), bids)) - Math.log(this.supply(Math.exp(u), bids));
    let lo = Math.log(guess);
    let hi = lo;
    let flo = f(lo);
    let fhi = flo;
    for (let k = 0; k < 200 && flo < 0; k++) {
      hi = lo;
      fhi = flo;
      lo -= 1;
      flo = f(lo);
    }
    for (let k = 0; k < 200 && fhi > 0; k++) {
      lo = hi;
      flo = fhi;
      hi += 1;
      fhi = f(hi);
    }
    if (!(flo >= 0 && fhi <= 0))
      throw new NoEquilibriumError(
        `auction M[${this.layer}][${this.good}]`,
        400,
        Math.min(Math.abs(flo), Math.abs(fhi)),
        "no clearing price bracketed",
      );
    for (let k = 0; k < 200 && hi - lo > tolerance; k++) {
      const mid = 0.5 * (lo + hi);
      const fm = f(mid);
      if (fm > 0) lo = mid;
      else hi = mid;
    }
    return Math.exp(0.5 * (lo + hi));
  }
}

/** The auctions of a market, one per good and layer, with the outside functions at the ends. */
export function auctionsOf(market: CompiledMarket, demandAlpha: ArrayLike<number> = market.demandAlpha): Auction[] {
  const out: Auction[] = [];
  for (let l = 0; l <= market.L; l++) {
    for (let j = 0; j < market.G; j++) {
      const outside: { supply?: (p: number) => number; demand?: (p: number) => number } = {};
      if (l === 0) outside.supply = (p) => outsideSupply(market.supplyAlpha[j], market.supplyBeta[j], p);
      if (l === market.L) outside.demand = (p) => outsideDemand(demandAlpha[j], market.demandBeta[j], p);
      out.push(new Auction(l, j, outside));
    }
  }
  return out;
}

/**
 * The bids of every producer to auction M[layer][good], each a function of that auction's price with all other
 * prices fixed at `prices` (what an agent sends in one round of the paper's bidding process).
 */
export function bidsTo(
  market: CompiledMarket,
  prices: ArrayLike<number>,
  layer: number,
  good: number,
  shading: (i: number) => Shading = () => ({}),
): Bid[] {
  const { G } = market;
  const bids: Bid[] = [];
  for (let i = 0; i < market.nAgents; i++) {
    const k = market.group[i];
    if (k !== layer && k + 1 !== layer) continue;
    const params = {
      a: Array.from(market.a.subarray(i * G, (i + 1) * G)),
      b: Array.from(market.b.subarray(k * G, (k + 1) * G)),
      budget: market.budget[i],
    };
    const pIn = Array.from({ length: G }, (_, j) => prices[k * G + j]);
    const pOut = Array.from({ length: G }, (_, j) => prices[(k + 1) * G + j]);
    const sh = shading(i);
    if (k === layer) {
      bids.push({
        bidder: market.names[i],
        demand: (p) => producerPlan(params, withEntry(pIn, good, p), pOut, sh).x[good],
        supply: () => 0,
      });
    } else {
      bids.push({
        bidder: market.names[i],
        demand: () => 0,
        supply: (p) => producerPlan(params, pIn, withEntry(pOut, good, p), sh).supplied[good],
      });
    }
  }
  return bids;
}

function withEntry(arr: readonly number[], j: number, v: number): number[] {
  const out = arr.slice();
  out[j] = v;
  return out;
}

/** Every auction's own clearing price given the bids at an equilibrium (equal to it, to rounding). */
export function auctionPrices(market: CompiledMarket, eq: Equilibrium): number[] {
  return auctionsOf(market, eq.demandAlpha).map((auc) =>
    auc.clear(bidsTo(market, eq.prices, auc.layer, auc.good), eq.prices[auc.layer * market.G + auc.good]),
  );
}
