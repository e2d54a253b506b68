import { Rng } from "../core/rng.js";
import { CreditBook, type Credit } from "./credits.js";
import { appendNote, gateEscalation, gateProposal, type GateDecision, type RoundEffect } from "./gate.js";
import type { ResolvedHubsConfig, ShortageEvent } from "./config.js";
import type { LedgerSink } from "./ledger.js";
import { concede, largestWithin, negotiateMoney, smallestReaching } from "./negotiation.js";
import { hubValue, marginalValues, planProduction, storedUnits } from "./production.js";
import { RunningStats, checkOutlier, type ReviewQueue, type TradeNorm } from "./review.js";
import { episodeEvents, supplyAt } from "./shortages.js";
import { lotValue, vcgAuction, type LotValues } from "./vcg.js";
import { vickreyAuction } from "./vickrey.js";

/**
 * The hubs simulator: periods of shortages, credit redemptions, trading rounds (a VCG auction per round and
 * resource in turn, vcg.ts; bilateral negotiations paid in money or future priority; or sequential second-price
 * auctions), human review and production. Its parts: the credit book (credits.ts), the review and shadow gate
 * (gate.ts), the mechanisms (vcg.ts, vickrey.ts, negotiation.ts). It knows nothing of RL; the environment
 * (src/envs/hub-trading.ts) and `runHubEpisode` (src/experiments/scenarios/hub-episode.ts) drive it.
 *
 * A period t:
 *   1. supply = allocation cut by the shortages active in t; holdings = supply
 *   2. priority credits are honoured: each holder claims, from the issuer, the credit units it can use now
 *   3. (when trading starts, not in shadow mode) approved review items execute if still feasible; unreviewed
 *      items follow the policy (hold, or reject after T periods)
 *   4. up to maxRounds trading rounds (each hub trades at most once per round; stop when a round executes nothing)
 *   5. every hub produces its best plan from what it holds; unredeemed credits that expire pay their fallback
 */

/** A hub's bidding behaviour per resource: 1 = truthful; stated value = true value * scale. */
export interface HubAction {
  bidScale: number[];
  askScale: number[];
}

export function truthfulAction(resources: number): HubAction {
  return { bidScale: new Array<number>(resources).fill(1), askScale: new Array<number>(resources).fill(1) };
}

export type TradeStatus = "executed" | "shadow" | "queued" | "dropped";

/**
 * What one deal attempt did to the trading round: `executed`; `shadow`, a shadow-mode deal that a live run would
 * have executed (both hubs count as having traded this round); `blocked`, held for review, escalated without
 * execution or dropped (live or in shadow): that seller-buyer pair is blocked for the period and both hubs stay
 * free to deal with others.
 */
type DealResult = RoundEffect;

export interface Trade {
  id: string;
  period: number;
  round: number;
  mechanism: "vcg" | "sequential-second-price" | "bilateral" | "planner" | "review";
  resource: string;
  quantity: number;
  seller: string;
  buyer: string;
  payment: "money" | "priority";
  /** Money per unit, or for priority deals the credit's value to the holder per unit traded. */
  pricePerUnit: number;
  /** Money paid by the buyer now. */
  money: number;
  /**
   * VCG trades: money the company pays the seller on top of `money` (its share of the mechanism's deficit; the
   * seller receives money + subsidy). Absent for other mechanisms.
   */
  subsidy?: number;
  creditId?: string;
  creditResource?: string;
  creditQuantity?: number;
  /** Period in which the holder expects to redeem the credit (its valuation period). */
  creditPeriod?: number;
  creditExpires?: number;
  /** Forecast value of the credit to the holder (seller) at the valuation period. */
  creditValueToHolder?: number;
  /** Forecast cost of honouring it to the issuer (buyer). */
  creditCostToIssuer?: number;
  /** True value lost by the seller and gained by the buyer this period. */
  sellerLoss: number;
  buyerGain: number;
  status: TradeStatus;
  note: string;
}

/** A prospective deal: who sells how much of which resource to whom, in which round and mechanism, and its true values. */
export interface Deal {
  round: number;
  mechanism: Trade["mechanism"];
  /** Hub indices. */
  seller: number;
  buyer: number;
  /** Resource index. */
  resource: number;
  /** Units. */
  quantity: number;
  /** True value the buyer gains and the seller loses with these units this period. */
  buyerGain: number;
  sellerLoss: number;
}

export interface HubPeriodResult {
  hub: string;
  period: number;
  margin: number;
  delayCost: number;
  /** Money received minus money paid this period (trades and credit fallbacks). */
  moneyNet: number;
  /** margin + moneyNet. */
  profit: number;
  /** profit - delayCost: the hub's reward. */
  reward: number;
  production: number[];
  usage: number[];
  holdings: number[];
  /** Value (margin - delay) the hub gained from credit units it redeemed this period (positive), or lost honouring them (negative). */
  creditValue: number;
}

export interface SimulationOptions {
  seed?: number;
  ledger?: LedgerSink;
  queue?: ReviewQueue;
  /** Overrides the config's shadow flag. */
  shadow?: boolean;
  /** false: no trading at all (the no-trade baseline). */
  trade?: boolean;
  /** Events to use instead of drawing them (same events for several runs). */
  events?: ShortageEvent[];
}

const TOL = 1e-7;

export class HubSimulation {
  readonly events: ShortageEvent[];
  readonly shadow: boolean;
  readonly trading: boolean;
  period = 0;
  done = false;
  /** [hub][resource] holdings this period. */
  holdings: number[][] = [];
  /** [hub][resource] supply this period (after shortages). */
  supply: number[][] = [];
  /** Priority credits issued in the episode (see credits.ts). */
  private readonly book: CreditBook;
  readonly trades: Trade[] = [];
  /** results[period][hub]. */
  readonly results: HubPeriodResult[][] = [];
  /** Ledger records of the episode (also appended to the ledger sink). */
  ledgerRecords = 0;
  private moneyNet: number[];
  private creditValue: number[];
  private norms: TradeNorm[];
  private seq = 0;
  private blocked = new Set<string>();
  /** "h:r": hub h sits out resource r's VCG auctions for the rest of the period (one of its deals there was blocked). */
  private auctionBlocked = new Set<string>();
  /** Company money paid into VCG trades this period (the mechanism's deficit). */
  private deficit = 0;
  /** Per period: the VCG deficit the company paid (money). */
  readonly deficits: number[] = [];
  private forecastCache = new Map<number, number[][]>();
  /** Per forecast period: the holdings forecast with planned credits, for the credit book's `version`. */
  private plannedCache = new Map<number, { version: number; plan: number[][]; values: Map<number, number> }>();
  /** Per hub: gains below this are rounding noise (1e-6 of the value of its largest order book). */
  private minGain: number[];

  constructor(
    readonly cfg: ResolvedHubsConfig,
    readonly opts: SimulationOptions = {},
  ) {
    const seed = opts.seed ?? cfg.seed;
    this.events = opts.events ?? episodeEvents(cfg, new Rng(`hubs-events/${seed}`));
    this.shadow = opts.shadow ?? cfg.shadow;
    this.trading = opts.trade ?? true;
    this.book = new CreditBook(cfg);
    this.moneyNet = new Array<number>(cfg.hubs.length).fill(0);
    this.creditValue = new Array<number>(cfg.hubs.length).fill(0);
    this.minGain = cfg.hubs.map(
      (hub) => 1e-6 * Math.max(1, ...hub.products.map((p) => (p.marginPerUnit + p.delayPerUnit) * Math.max(...p.demand))),
    );
    this.norms = cfg.resources.map((r) => {
      const norm = { price: new RunningStats(), quantity: new RunningStats() };
      const h = cfg.review.history[r.id];
      if (h) {
        h.prices.forEach((p) => norm.price.push(p));
        h.quantities.forEach((q) => norm.quantity.push(q));
      }
      return norm;
    });
    this.beginPeriod();
  }

  /** Transferable resources, in config order: a VCG round auctions tradable[round % length]. */
  get tradable(): readonly number[] {
    this.tradableCache ??= this.cfg.resources.map((_, r) => r).filter((r) => this.cfg.resources[r].transferable);
    return this.tradableCache;
  }
  private tradableCache?: number[];

  private get usesVcg(): boolean {
    return this.cfg.mechanism.kind === "vcg" || this.cfg.mechanism.kind === "both";
  }

  get credits(): readonly Credit[] {
    return this.book.credits;
  }

  get hubCount(): number {
    return this.cfg.hubs.length;
  }

  /** Run one period: trading rounds with the given actions (default truthful), then production. */
  runPeriod(actions?: readonly HubAction[]): HubPeriodResult[] {
    if (this.done) throw new Error("HubSimulation: the episode is over");
    const acts = actions ?? this.cfg.hubs.map(() => truthfulAction(this.cfg.resources.length));
    if (acts.length !== this.hubCount) throw new RangeError(`runPeriod: ${acts.length} actions for ${this.hubCount} hubs`);
    if (this.trading) {
      this.applyReviewDecisions();
      // A VCG round auctions one resource (in turn), so the rounds stop after a whole cycle of them without a
      // trade (shadow mode: after one cycle, since nothing executes); the other mechanisms trade every resource
      // each round and stop at the first round without a trade (shadow mode: after one round).
      const cycle = this.usesVcg ? Math.max(1, this.tradable.length) : 1;
      let idle = 0;
      for (let k = 0; k < this.cfg.mechanism.maxRounds; k++) {
        const executed = this.tradingRound(acts, k);
        idle = executed === 0 ? idle + 1 : 0;
        if (this.shadow ? k + 1 >= cycle : idle >= cycle) break;
      }
    }
    return this.endPeriod();
  }

  // ---------------------------------------------------------------- period start

  private beginPeriod(): void {
    this.supply = supplyAt(this.cfg, this.events, this.period);
    this.holdings = this.supply.map((row) => [...row]);
    this.moneyNet.fill(0);
    this.creditValue.fill(0);
    this.blocked.clear();
    this.auctionBlocked.clear();
    this.deficit = 0;
    this.forecastCache.clear();
    this.plannedCache.clear();
    if (!this.trading) return;
    this.redeemCredits();
  }

  /**
   * Review decisions take effect at the start of trading, so a decision made between periods counts at once.
   * Never in shadow mode: a shadow run executes nothing, approved items included.
   */
  private applyReviewDecisions(): void {
    const t = this.period;
    const q = this.opts.queue;
    if (q && !this.shadow) {
      for (const item of q.list("approved")) this.executeApproved(item.id, item.trade as unknown as Trade);
      const policy = this.cfg.review.unreviewed;
      if (policy !== "hold") {
        for (const item of q.list("pending")) {
          if (t - item.period >= policy.rejectAfter)
            q.decide(item.id, "rejected", "policy", t, `unreviewed for ${policy.rejectAfter} periods`);
        }
      }
    }
  }

  private redeemCredits(): void {
    this.book.redeem(this.period, this.holdings, this.minGain, (c, q, value, cost) => {
      this.creditValue[c.holder] += value;
      this.creditValue[c.issuer] -= cost;
      const { hubs, resources } = this.cfg;
      this.log({
        type: "credit_redemption",
        credit: c.id,
        period: this.period,
        holder: hubs[c.holder].id,
        issuer: hubs[c.issuer].id,
        resource: resources[c.resource].id,
        quantity: q,
        remaining: c.remaining,
        value_to_holder: value,
        cost_to_issuer: cost,
      });
    });
  }

  private executeApproved(id: string, trade: Trade): void {
    const q = this.opts.queue!;
    const t = this.period;
    const { resources, hubs, periods } = this.cfg;
    const lapse = (why: string): void => q.settle(id, "lapsed", t, why);
    const r = resources.findIndex((x) => x.id === trade.resource);
    const s = hubs.findIndex((x) => x.id === trade.seller);
    const b = hubs.findIndex((x) => x.id === trade.buyer);
    if (!(typeof trade.quantity === "number" && trade.quantity > 0 && Number.isFinite(trade.quantity)) || !Number.isFinite(trade.money)) {
      return lapse(`not executable: quantity ${trade.quantity} and money ${trade.money} must be finite numbers, the quantity positive`);
    }
    if (r < 0 || s < 0 || b < 0)
      return lapse(`not executable: unknown ${r < 0 ? `resource "${trade.resource}"` : `hub "${s < 0 ? trade.seller : trade.buyer}"`}`);
    let creditResource = -1;
    if (trade.payment === "priority") {
      creditResource = resources.findIndex((x) => x.id === trade.creditResource);
      if (creditResource < 0) return lapse(`not executable: unknown credit resource "${trade.creditResource}"`);
      // The credit could never be redeemed, and an expiry past the episode would never pay its fallback.
      if (t >= periods - 1) return lapse("approved in the last period: no later period to redeem the priority credit in");
    }
    const storageOk = !resources[r].storable || storedUnits(resources, this.holdings[b]) + trade.quantity <= hubs[b].storageCapacity + 1e-9;
    if (this.holdings[s][r] < trade.quantity - 1e-9 || !storageOk) {
      return lapse("no longer feasible when approved (seller lacks the units or buyer lacks storage)");
    }
    this.execute(
      { ...trade, id: `${trade.id}-R`, period: t, round: -1, mechanism: "review", status: "executed", note: `approved review item ${id}` },
      s,
      b,
      r,
      creditResource,
    );
    q.settle(id, "executed", t);
  }

  // ---------------------------------------------------------------- trading

  /**
   * One trading round; returns the number of trades executed. VCG (kinds "vcg" and "both") auctions one resource
   * per round, the transferable resource number `round` modulo their count; bilateral and sequential second-price
   * trading cover every resource. `only`: trade these resources only (the misreport search runs single auctions
   * this way).
   */
  tradingRound(actions: readonly HubAction[], round: number, only?: readonly number[]): number {
    const { hubs, resources, mechanism } = this.cfg;
    const list = only ?? resources.map((_, r) => r);
    const H = hubs.length;
    const R = resources.length;
    const t = this.period;
    const busy = new Uint8Array(H);
    const minGain = this.minGain;
    const gain: number[][] = [];
    const loss: number[][] = [];
    for (let h = 0; h < H; h++) {
      const hold = this.holdings[h];
      const base = hubValue(hubs[h], resources, t, hold);
      const g = new Array<number>(R);
      const l = new Array<number>(R);
      for (let r = 0; r < R; r++) {
        if (!resources[r].transferable) {
          g[r] = -Infinity;
          l[r] = Infinity;
          continue;
        }
        const v = marginalValues(hubs[h], resources, t, hold, r, resources[r].lot, base);
        g[r] = v.gain;
        l[r] = v.loss;
      }
      gain.push(g);
      loss.push(l);
    }
    const bid = (h: number, r: number): number => gain[h][r] * actions[h].bidScale[r];
    const ask = (h: number, r: number): number => loss[h][r] * actions[h].askScale[r];
    let executed = 0;
    const order = (r: number) => {
      const buyers: number[] = [];
      const sellers: number[] = [];
      for (let h = 0; h < H; h++) {
        if (busy[h]) continue;
        if (bid(h, r) > minGain[h]) buyers.push(h);
        if (Number.isFinite(ask(h, r))) sellers.push(h);
      }
      buyers.sort((a, b) => bid(b, r) - bid(a, r) || a - b);
      sellers.sort((a, b) => ask(a, r) - ask(b, r) || a - b);
      return { buyers, sellers };
    };
    const key = (s: number, b: number, r: number) => `${s}>${b}:${r}`;
    /**
     * After a deal: executed and shadow deals (a shadow deal is what would have executed) keep both hubs busy for
     * the rest of the round. A deal held for review, or escalated and dropped, blocks only that seller-buyer pair
     * for the rest of the period: both hubs stay free to deal with other partners in this round.
     */
    const settle = (status: DealResult, s: number, b: number, r0: number): boolean => {
      if (status === "executed" || status === "shadow") {
        busy[s] = busy[b] = 1;
        if (status === "executed") executed++;
        return true;
      }
      this.blocked.add(key(s, b, r0));
      return false;
    };

    if (mechanism.kind === "vcg" || mechanism.kind === "both") {
      for (const r of only ?? (this.tradable.length > 0 ? [this.tradable[round % this.tradable.length]] : []))
        this.vcgRound(round, r, actions, busy, settle);
    }
    if (mechanism.kind === "sequential-second-price") {
      for (const r of list) {
        const { buyers, sellers } = order(r);
        const q = resources[r].lot;
        for (const s of sellers) {
          // Auction the seller's lot among the buyers it is not blocked with; a blocked deal re-runs the auction
          // without that buyer (every failed attempt blocks a new pair, so this ends).
          let unsold = false;
          while (!busy[s]) {
            const top: number[] = [];
            let skipped = false; // a free buyer left out for being the seller or blocked with it
            for (const b of buyers) {
              if (busy[b]) continue;
              if (b === s || this.blocked.has(key(s, b, r))) {
                skipped = true;
                continue;
              }
              top.push(b);
              if (top.length === 2) break;
            }
            const res = vickreyAuction(
              top.map((b) => ({ bidder: b, amount: bid(b, r) })),
              ask(s, r),
            );
            if (res.winner < 0) {
              // With nobody left out, the highest free bid is below this reserve, so below every later (dearer)
              // seller's too: no later lot sells. Otherwise a dearer seller may still sell to a left-out buyer.
              unsold = !skipped;
              break;
            }
            const b = res.winner;
            const base = this.draft({
              round,
              mechanism: "sequential-second-price",
              seller: s,
              buyer: b,
              resource: r,
              quantity: q,
              buyerGain: gain[b][r],
              sellerLoss: loss[s][r],
            });
            const status =
              res.price / q > resources[r].maxPricePerUnit
                ? this.escalate(
                    base,
                    s,
                    b,
                    r,
                    `second price ${fmt(res.price / q)}/unit above the maximum ${resources[r].maxPricePerUnit}`,
                    ask(s, r) / q,
                  )
                : this.propose({ ...base, payment: "money", pricePerUnit: res.price / q, money: res.price }, s, b, r, -1);
            settle(status, s, b, r);
          }
          if (unsold) break;
        }
      }
    }
    if (mechanism.kind === "bilateral" || mechanism.kind === "both") {
      for (const r of list) {
        const { buyers, sellers } = order(r);
        // The highest remaining bidder deals with the cheapest free seller it is not blocked with; a blocked deal
        // sends it on to the next seller (not out of the market).
        let first = 0; // sellers before this index are busy
        for (const b of buyers) {
          while (first < sellers.length && busy[sellers[first]]) first++;
          for (let j = first; j < sellers.length; j++) {
            const s = sellers[j];
            if (busy[b]) break;
            if (busy[s]) continue;
            if (!(bid(b, r) > ask(s, r))) break; // sellers are sorted by ask: no dearer one sells to b either
            if (b === s || this.blocked.has(key(s, b, r))) continue;
            const deal: Deal = {
              round,
              mechanism: "bilateral",
              seller: s,
              buyer: b,
              resource: r,
              quantity: resources[r].lot,
              buyerGain: gain[b][r],
              sellerLoss: loss[s][r],
            };
            if (settle(this.negotiate(deal, { gain: bid(b, r), loss: ask(s, r) }), s, b, r)) break;
          }
        }
      }
    }
    return executed;
  }

  /** True marginal values of hub h for up to M lots of resource r received and given away (production plans). */
  lotValues(h: number, r: number, M = this.cfg.mechanism.lotsPerAuction): LotValues {
    const { hubs, resources } = this.cfg;
    const hub = hubs[h];
    const hold = [...this.holdings[h]];
    const q = resources[r].lot;
    const t = this.period;
    const base = hubValue(hub, resources, t, hold);
    const h0 = hold[r];
    const gains: number[] = [];
    let prev = base;
    for (let k = 1; k <= M; k++) {
      hold[r] = h0 + k * q;
      if (resources[r].storable && storedUnits(resources, hold) > hub.storageCapacity + 1e-9) break;
      const v = hubValue(hub, resources, t, hold);
      // values diminish (an LP optimum is concave in its holdings): past a lot worth nothing, none is worth more
      if (!(v - prev > this.minGain[h])) break;
      gains.push(v - prev);
      prev = v;
    }
    const losses: number[] = [];
    prev = base;
    for (let k = 1; k <= M; k++) {
      if (h0 < k * q - 1e-9) break;
      hold[r] = Math.max(0, h0 - k * q);
      const v = hubValue(hub, resources, t, hold);
      losses.push(prev - v);
      prev = v;
    }
    return { gains, losses };
  }

  /**
   * The VCG auction of resource r among the free hubs (see vcg.ts and docs/hubs.md): each hub reports its marginal
   * values for up to `lotsPerAuction` lots received (scaled by its bid scale; gains below rounding noise end its
   * demand) and given away (scaled by its ask scale); the allocation maximises reported value, buyers pay and
   * sellers receive Clarke payments, the company pays the difference. The allocation is split into seller-buyer
   * legs (sellers and buyers in hub order) that pass the price cap, review and shadow gate one by one.
   */
  private vcgRound(
    round: number,
    r: number,
    actions: readonly HubAction[],
    busy: Uint8Array,
    settle: (status: DealResult, s: number, b: number, r: number) => boolean,
  ): void {
    const { hubs, resources } = this.cfg;
    if (!resources[r].transferable) return;
    const q = resources[r].lot;
    const agents: number[] = [];
    const truth: LotValues[] = [];
    const reports: LotValues[] = [];
    for (let h = 0; h < hubs.length; h++) {
      if (busy[h] || this.auctionBlocked.has(`${h}:${r}`)) continue;
      const v = this.lotValues(h, r);
      const gains: number[] = [];
      for (const g of v.gains) {
        const x = g * actions[h].bidScale[r];
        if (!(x > this.minGain[h])) break;
        gains.push(x);
      }
      agents.push(h);
      truth.push(v);
      reports.push({ gains, losses: v.losses.map((l) => l * actions[h].askScale[r]) });
    }
    if (agents.length < 2) return;
    const res = vcgAuction(reports);
    const sellers = agents.map((_, i) => i).filter((i) => res.lots[i] < 0);
    const buyers = agents.map((_, i) => i).filter((i) => res.lots[i] > 0);
    const left = res.lots.map((d) => Math.abs(d));
    let si = 0;
    for (const bi of buyers) {
      while (left[bi] > 0 && si < sellers.length) {
        const sj = sellers[si];
        const k = Math.min(left[bi], left[sj]);
        left[bi] -= k;
        left[sj] -= k;
        if (left[sj] === 0) si++;
        const s = agents[sj];
        const b = agents[bi];
        const fb = k / res.lots[bi];
        const fs = k / -res.lots[sj];
        const qty = k * q;
        const money = res.payments[bi] * fb;
        const receives = -res.payments[sj] * fs;
        const base = this.draft({
          round,
          mechanism: "vcg",
          seller: s,
          buyer: b,
          resource: r,
          quantity: qty,
          buyerGain: lotValue(truth[bi], res.lots[bi]) * fb,
          sellerLoss: -lotValue(truth[sj], res.lots[sj]) * fs,
        });
        const cap = resources[r].maxPricePerUnit;
        const status =
          Math.max(money, receives) / qty > cap
            ? this.escalate(
                base,
                s,
                b,
                r,
                `VCG price ${fmt(Math.max(money, receives) / qty)}/unit above the maximum ${cap}`,
                (-lotValue(reports[sj], res.lots[sj]) * fs) / qty,
              )
            : this.propose({ ...base, payment: "money", pricePerUnit: money / qty, money, subsidy: receives - money }, s, b, r, -1);
        if (status === "blocked") {
          this.auctionBlocked.add(`${s}:${r}`);
          this.auctionBlocked.add(`${b}:${r}`);
        }
        settle(status, s, b, r);
      }
    }
  }

  private draft(deal: Deal): Trade {
    const { hubs, resources } = this.cfg;
    const { round, mechanism, seller: s, buyer: b, resource: r, quantity: q, buyerGain, sellerLoss } = deal;
    return {
      id: `P${this.period}-${++this.seq}`,
      period: this.period,
      round,
      mechanism,
      resource: resources[r].id,
      quantity: q,
      seller: hubs[s].id,
      buyer: hubs[b].id,
      payment: "money",
      pricePerUnit: NaN,
      money: 0,
      sellerLoss,
      buyerGain,
      status: "executed",
      note: "",
    };
  }

  /** Bilateral negotiation of one lot; returns what became of the deal. */
  private negotiate(deal: Deal, stated: { gain: number; loss: number }): DealResult {
    const { mechanism, resources } = this.cfg;
    const { seller: s, buyer: b, resource: r, quantity: q } = deal;
    const statedGain = stated.gain;
    const statedLoss = stated.loss;
    const base = this.draft(deal);
    const maxPrice = resources[r].maxPricePerUnit;
    let failure = "";
    if (mechanism.payment !== "money") {
      const p = this.negotiatePriority(s, b, r, q, statedGain, statedLoss, maxPrice);
      if (p.ok) {
        return this.propose({ ...base, payment: "priority", ...p.terms }, s, b, r, p.creditResource);
      }
      failure = p.reason;
      if (mechanism.payment === "priority") {
        return this.escalate(base, s, b, r, `no priority agreement: ${failure}`, statedLoss / q);
      }
    }
    const m = negotiateMoney({ sellerReserve: statedLoss / q, buyerReserve: statedGain / q, maxPrice, steps: mechanism.timeToConclude });
    if (m.agreed) {
      return this.propose(
        { ...base, payment: "money", pricePerUnit: m.value, money: m.value * q, note: failure ? `paid in money (${failure})` : "" },
        s,
        b,
        r,
        -1,
      );
    }
    return this.escalate(
      base,
      s,
      b,
      r,
      m.blockedByCap
        ? `seller's reservation ${fmt(statedLoss / q)}/unit above the maximum price ${maxPrice}`
        : `no agreement within ${mechanism.timeToConclude} steps`,
      statedLoss / q,
    );
  }

  /**
   * Forecast holdings of hubs s and b in period tp as known now (announced shortages, planned credit redemptions):
   * fresh copies of two rows of the period's forecast, which is built once per state of the credit book (a
   * negotiation asks for it per resource and period: rebuilding every hub's row each time was quadratic in hubs).
   */
  private planOf(tp: number, s: number, b: number): [number[], number[]] {
    const plan = this.plannedEntry(tp).plan;
    return [[...plan[s]], [...plan[b]]];
  }

  /** Hub h's value of its forecast holdings in period tp (`hubValue` of its `planOf` row), computed once per entry. */
  private plannedValue(tp: number, h: number): number {
    const entry = this.plannedEntry(tp);
    let v = entry.values.get(h);
    if (v === undefined) {
      v = hubValue(this.cfg.hubs[h], this.cfg.resources, tp, entry.plan[h]);
      entry.values.set(h, v);
    }
    return v;
  }

  private plannedEntry(tp: number): { version: number; plan: number[][]; values: Map<number, number> } {
    let entry = this.plannedCache.get(tp);
    if (!entry || entry.version !== this.book.version) {
      let base = this.forecastCache.get(tp);
      if (!base) {
        base = supplyAt(this.cfg, this.events, tp, this.period);
        this.forecastCache.set(tp, base);
      }
      const plan = base.map((row) => [...row]);
      this.book.applyPlanned(tp, plan);
      entry = { version: this.book.version, plan, values: new Map() };
      this.plannedCache.set(tp, entry);
    }
    return entry;
  }

  private negotiatePriority(
    s: number,
    b: number,
    r: number,
    q: number,
    statedGain: number,
    statedLoss: number,
    maxPrice: number,
  ): { ok: true; terms: Partial<Trade>; creditResource: number } | { ok: false; reason: string } {
    const { hubs, resources, mechanism, horizon, periods } = this.cfg;
    const t = this.period;
    const last = Math.min(t + Math.min(mechanism.creditWindow, horizon), periods - 1);
    if (last <= t) return { ok: false, reason: "no future period left to redeem a credit in" };
    // Pick the credit resource and redemption period where the credit is worth most to the seller.
    let best: { rp: number; tp: number; value: number; spare: number; planS: number[]; planB: number[] } | undefined;
    for (let rp = 0; rp < resources.length; rp++) {
      if (rp === r || !resources[rp].transferable) continue;
      for (let tp = t + 1; tp <= last; tp++) {
        const [planS, planB] = this.planOf(tp, s, b);
        let spare = planB[rp];
        if (resources[rp].storable) spare = Math.min(spare, hubs[s].storageCapacity - storedUnits(resources, planS));
        if (spare <= TOL) continue;
        const v0 = this.plannedValue(tp, s);
        planS[rp] += spare;
        const value = hubValue(hubs[s], resources, tp, planS) - v0;
        planS[rp] -= spare;
        if (value > this.minGain[s] && (!best || value > best.value + TOL)) best = { rp, tp, value, spare, planS, planB };
      }
    }
    if (!best) return { ok: false, reason: "the seller forecasts no use for priority on any other resource" };
    const { rp, tp, spare, planS, planB } = best;
    const hs = hubs[s];
    const hb = hubs[b];
    const vs0 = hubValue(hs, resources, tp, planS);
    const vb0 = this.plannedValue(tp, b); // planB is only read: still the forecast row
    const valueToHolder = (c: number): number => {
      planS[rp] += c;
      const v = hubValue(hs, resources, tp, planS) - vs0;
      planS[rp] -= c;
      return v;
    };
    const costToIssuer = (c: number): number => {
      const h0 = planB[rp];
      planB[rp] = Math.max(0, h0 - c);
      const v = vb0 - hubValue(hb, resources, tp, planB);
      planB[rp] = h0;
      return v;
    };
    if (best.value < statedLoss)
      return {
        ok: false,
        reason: `the most priority the buyer can give is worth ${fmt(best.value)} to the seller, below its loss ${fmt(statedLoss)}`,
      };
    const cSat = smallestReaching(valueToHolder, best.value * (1 - 1e-9), 0, spare, 1e-9);
    const cMin = smallestReaching(valueToHolder, statedLoss, 0, cSat, 1e-9);
    let cMax = largestWithin(costToIssuer, statedGain, 0, spare, 1e-6);
    if (Number.isFinite(maxPrice)) {
      const capC = largestWithin(valueToHolder, maxPrice * q, 0, spare, 1e-6);
      if (!(capC >= cMin)) return { ok: false, reason: `a credit worth the seller's loss exceeds the maximum price ${maxPrice}/unit` };
      cMax = Math.min(cMax, capC);
    }
    if (!(cMax >= cMin)) return { ok: false, reason: "honouring a credit worth the seller's loss would cost the buyer more than it gains" };
    const deal = concede(cSat, cMin, 0, cMax, mechanism.timeToConclude);
    if (!deal.agreed) return { ok: false, reason: `no agreement on the credit within ${mechanism.timeToConclude} steps` };
    const c = Math.min(deal.value, cSat); // never more priority than the seller can use
    const v = valueToHolder(c);
    return {
      ok: true,
      creditResource: rp,
      terms: {
        pricePerUnit: v / q,
        money: 0,
        creditResource: resources[rp].id,
        creditQuantity: c,
        creditPeriod: tp,
        creditExpires: Math.min(t + mechanism.creditWindow, periods - 1),
        creditValueToHolder: v,
        creditCostToIssuer: costToIssuer(c),
      },
    };
  }

  /**
   * A deal both sides agreed to: review check, then execute. Returns what it did to the round (see DealResult).
   * In shadow mode nothing is queued or executed: the deal is recorded (and logged) as a shadow trade whose note
   * says what a live run would have done with it.
   */
  private propose(trade: Trade, s: number, b: number, r: number, creditResource: number): DealResult {
    const { review } = this.cfg;
    const check = checkOutlier(this.norms[r], trade.pricePerUnit, trade.quantity, review.k, review.minHistory);
    return this.apply(gateProposal(trade, check, { shadow: this.shadow, queue: this.opts.queue !== undefined }), s, b, r, creditResource);
  }

  /** Carry out a gate decision (see gate.ts). */
  private apply(d: GateDecision, s: number, b: number, r: number, creditResource: number): DealResult {
    if (d.block) this.blocked.add(`${s}>${b}:${r}`);
    if (d.action === "record-shadow") this.recordShadow(d.trade);
    else if (d.action === "execute") this.execute(d.trade, s, b, r, creditResource);
    else {
      if (d.action === "queue" && d.queued)
        this.opts.queue!.add({
          id: d.trade.id,
          period: this.period,
          reason: d.queued.reason,
          trade: d.queued.trade as unknown as Record<string, unknown>,
        });
      this.record(d.trade);
    }
    return d.effect;
  }

  /** Record (and log) a shadow-mode proposal: never queued, never executed. */
  private recordShadow(trade: Trade): void {
    this.record({ ...trade, status: "shadow", note: appendNote(trade.note, "shadow mode: proposed, not executed") });
  }

  /** Keep a trade and log it to the ledger (every status: executed, shadow, queued, dropped). */
  private record(trade: Trade): void {
    this.trades.push(trade);
    if (this.opts.ledger) this.log({ type: "trade", ...tradeRecord(trade) });
    else this.ledgerRecords++;
  }

  private execute(trade: Trade, s: number, b: number, r: number, creditResource: number): void {
    const q = trade.quantity;
    this.holdings[s][r] -= q;
    this.holdings[b][r] += q;
    this.moneyNet[b] -= trade.money;
    this.moneyNet[s] += trade.money + (trade.subsidy ?? 0);
    this.deficit += trade.subsidy ?? 0;
    let done = { ...trade, status: "executed" as const };
    if (trade.payment === "priority" && creditResource >= 0) {
      const credit = this.book.issue(trade, b, s, creditResource, this.period);
      done = { ...done, creditId: credit.id };
    }
    this.norms[r].price.push(trade.pricePerUnit);
    this.norms[r].quantity.push(q);
    this.record(done);
  }

  /** A value-creating deal without agreement; returns what the escalation rule did to the round. */
  private escalate(trade: Trade, s: number, b: number, r: number, why: string, sellerReservePerUnit: number): DealResult {
    const opts = { rule: this.cfg.mechanism.escalation, shadow: this.shadow, queue: this.opts.queue !== undefined };
    return this.apply(gateEscalation(trade, why, sellerReservePerUnit, opts), s, b, r, -1);
  }

  // ---------------------------------------------------------------- period end

  private endPeriod(): HubPeriodResult[] {
    const { hubs, resources } = this.cfg;
    const t = this.period;
    this.book.expire(t, (c, unredeemed, pay) => {
      this.moneyNet[c.issuer] -= pay;
      this.moneyNet[c.holder] += pay;
      this.log({
        type: "credit_expiry",
        credit: c.id,
        period: t,
        holder: hubs[c.holder].id,
        issuer: hubs[c.issuer].id,
        resource: resources[c.resource].id,
        unredeemed,
        fallback_paid: pay,
      });
    });
    const results = hubs.map((hub, h): HubPeriodResult => {
      const plan = planProduction(hub, resources, t, this.holdings[h]);
      const moneyNet = this.moneyNet[h];
      return {
        hub: hub.id,
        period: t,
        margin: plan.margin,
        delayCost: plan.delayCost,
        moneyNet,
        profit: plan.margin + moneyNet,
        reward: plan.margin + moneyNet - plan.delayCost,
        production: plan.x,
        usage: plan.usage,
        holdings: [...this.holdings[h]],
        creditValue: this.creditValue[h],
      };
    });
    this.results.push(results);
    this.deficits.push(this.deficit);
    this.period++;
    if (this.period >= this.cfg.periods) this.done = true;
    else this.beginPeriod();
    return results;
  }

  private log(record: Record<string, unknown>): void {
    this.ledgerRecords++;
    this.opts.ledger?.append(record);
  }
}

const fmt = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 100) / 100) : String(v));

/** A trade as a ledger record: NaN and undefined fields left out (the ledger is canonical JSON). */
export function tradeRecord(t: Trade): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (v === undefined || (typeof v === "number" && !Number.isFinite(v))) continue;
    out[k] = v;
  }
  return out;
}
