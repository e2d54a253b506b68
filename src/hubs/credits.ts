import type { ResolvedHubsConfig } from "./config.js";
import { smallestReaching } from "./negotiation.js";
import { hubValue, storedUnits } from "./production.js";

/**
 * The credit book of a hubs episode: priority credits issued by bilateral deals paid in future priority, their
 * redemption at the start of a period, their place in forecasts, and their expiry (see docs/hubs.md, "How a
 * priority credit is valued").
 */
export interface Credit {
  id: string;
  issuer: number;
  holder: number;
  resource: number;
  quantity: number;
  remaining: number;
  issuedAt: number;
  plannedPeriod: number;
  /** Last period in which it can be redeemed. */
  expires: number;
  fallbackPrice: number;
}

/** What a credit needs from the trade that issues it. */
export interface CreditTerms {
  id: string;
  creditQuantity?: number;
  creditPeriod?: number;
  creditExpires?: number;
}

const TOL = 1e-7;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export class CreditBook {
  readonly credits: Credit[] = [];
  /** Counts changes to the book (issued, redeemed or expired credits), so forecasts built from it can be cached. */
  version = 0;

  constructor(readonly cfg: ResolvedHubsConfig) {}

  /** A credit for an executed priority trade in period t: redeemable from t + 1 to the episode's last period. */
  issue(trade: CreditTerms, issuer: number, holder: number, resource: number, t: number): Credit {
    const last = this.cfg.periods - 1;
    const credit: Credit = {
      id: `C-${trade.id}`,
      issuer,
      holder,
      resource,
      quantity: trade.creditQuantity ?? 0,
      remaining: trade.creditQuantity ?? 0,
      issuedAt: t,
      // From the next period to the episode's last (an expiry past the episode would never pay its fallback).
      plannedPeriod: clamp(trade.creditPeriod ?? t + 1, t + 1, last),
      expires: clamp(trade.creditExpires ?? t + 1, t + 1, last),
      fallbackPrice: this.cfg.mechanism.creditFallbackPrice,
    };
    this.credits.push(credit);
    this.version++;
    return credit;
  }

  /**
   * Honour credits in period t (older first): each holder claims from the issuer the smallest quantity that gives it
   * the full gain it can get now (within the issuer's holding and the holder's storage). Moves the units in
   * `holdings` and reports each redemption: quantity, value to the holder, cost to the issuer.
   */
  redeem(
    t: number,
    holdings: number[][],
    minGain: readonly number[],
    onRedeem: (c: Credit, quantity: number, value: number, cost: number) => void,
  ): void {
    const { hubs, resources } = this.cfg;
    for (const c of this.credits) {
      if (c.remaining <= TOL || t <= c.issuedAt || t > c.expires) continue;
      const hold = holdings[c.holder];
      const iss = holdings[c.issuer];
      let avail = Math.min(c.remaining, iss[c.resource]);
      if (resources[c.resource].storable) avail = Math.min(avail, hubs[c.holder].storageCapacity - storedUnits(resources, hold));
      if (avail <= TOL) continue;
      const v0 = hubValue(hubs[c.holder], resources, t, hold);
      const gainOf = (q: number): number => {
        const h0 = hold[c.resource];
        hold[c.resource] = h0 + q;
        const v = hubValue(hubs[c.holder], resources, t, hold) - v0;
        hold[c.resource] = h0;
        return v;
      };
      const full = gainOf(avail);
      if (full <= minGain[c.holder]) continue;
      const q = smallestReaching(gainOf, full * (1 - 1e-9), 0, avail, 1e-9);
      const issuerBefore = hubValue(hubs[c.issuer], resources, t, iss);
      hold[c.resource] += q;
      iss[c.resource] -= q;
      const issuerLoss = issuerBefore - hubValue(hubs[c.issuer], resources, t, iss);
      c.remaining -= q;
      this.version++;
      onRedeem(c, q, full, issuerLoss);
    }
  }

  /** Forecast holdings in period tp: credits planned for tp move their remaining units from issuer to holder. */
  applyPlanned(tp: number, plan: number[][]): void {
    for (const c of this.credits) {
      if (c.remaining <= TOL || c.plannedPeriod !== tp) continue;
      plan[c.holder][c.resource] += c.remaining;
      plan[c.issuer][c.resource] = Math.max(0, plan[c.issuer][c.resource] - c.remaining);
    }
  }

  /** Credits expiring in period t with units left: each pays its fallback (units x fallback price) and closes. */
  expire(t: number, onExpire: (c: Credit, unredeemed: number, payment: number) => void): void {
    for (const c of this.credits) {
      if (c.expires !== t || c.remaining <= TOL) continue;
      const unredeemed = c.remaining;
      c.remaining = 0;
      this.version++;
      onExpire(c, unredeemed, unredeemed * c.fallbackPrice);
    }
  }
}
