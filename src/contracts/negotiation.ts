import { allocateByQuotes, checkQuantityEfficiency, type EfficiencyCheck } from "./allocation.js";
import { TACTIC_BETA, type NegotiationConfig } from "./config.js";
import { ACCEPT, CFP, INFORM, MessageLog, PROPOSE, REFUSE, REJECT, RETAILER } from "./messages.js";
import { productionCost } from "./model.js";
import { buyerOffer, concession, sellerPrice, titForTatPrice } from "./tactics.js";

/** Conversation states. */
export const OPEN = 0;
export const AGREED = 1;
/** Allocated a quantity but no agreement by the deadline, or refused: its quantity is lost sales. */
export const FAILED = 2;
/** Given no quantity after the capacity quotes (lost the tender). */
export const NOT_SELECTED = 3;

export interface EngineOptions {
  /** Keep the message log (default true). */
  log?: boolean;
}

/**
 * One negotiation of the Iterated Contract Net between the retailer and every subcontractor, round by round.
 *
 * Round 1 is the capacity quote: every subcontractor is asked for its maximal capacity CM and answers with its
 * price for it (priced at its overtime margin). The retailer then allocates the ordered quantity from these quotes,
 * by cheapest quote up to CM (the paper's first version) or, with `check`, through checkQuantityEfficiency()
 * (normal capacity first, then overtime from the cheapest quotes), rejects the quotes whose quantity changed and
 * sends new cfps for the allocated quantities from round 2. In each round an open conversation gets a cfp carrying
 * the retailer's offer; the subcontractor proposes a price for the asked quantity (or refuses: walks away); the
 * retailer accepts a proposal at or below its offer (the subcontractor then informs) and rejects the others. A
 * conversation without agreement by the deadline fails: its quantity is not bought (lost sales).
 *
 * Decisions default to the analytic agents (time-dependent or tit-for-tat subcontractors, a time-dependent
 * retailer); `playRound(offers, prices)` lets learned agents supply the retailer's offers and/or subcontractors'
 * prices instead (NaN entries fall back to the analytic agent). The engine reuses its buffers across `reset`s.
 */
export class NegotiationEngine {
  n = 0;
  cfg!: NegotiationConfig;
  deadline = 0;
  check = false;
  /** Quantity the retailer orders (D, or the forecast when demand is stochastic). */
  quantity = 0;
  round = 0;
  done = false;
  /** openRound() ran and closeRound() has not yet. */
  private opened = false;
  readonly log: MessageLog;
  readonly logging: boolean;
  /** The efficiency check's verdict on the quote-based allocation (null before round 1 or without check). */
  checkResult: EfficiencyCheck | null = null;
  /** The check changed the allocation. */
  revised = false;

  // Per subcontractor, constant for an instance.
  cn = new Float64Array(0);
  cm = new Float64Array(0);
  c = new Float64Array(0);
  e = new Float64Array(0);
  /** NaN for tit-for-tat. */
  beta = new Float64Array(0);
  markup = new Float64Array(0);
  patience = new Int32Array(0);
  // Per subcontractor, per negotiation.
  status = new Uint8Array(0);
  asked = new Float64Array(0);
  alloc = new Float64Array(0);
  offer = new Float64Array(0);
  prevOffer = new Float64Array(0);
  price = new Float64Array(0);
  quote = new Float64Array(0);
  refused = new Uint8Array(0);
  available = new Uint8Array(0);
  agreedPrice = new Float64Array(0);
  agreedQty = new Float64Array(0);
  agreedRound = new Int32Array(0);
  /** Proposed this round. */
  private proposed = new Uint8Array(0);
  private scratchAlloc = new Float64Array(0);
  private order = new Int32Array(0);
  private retailerMargin = 0;
  /** The need and the proposing subcontractors of the check's last allocation. */
  private allocNeed = NaN;
  private allocFor = new Uint8Array(0);
  private retailerOpening = 0;
  private retailerBeta = 1;

  constructor(cfg: NegotiationConfig, opts: EngineOptions = {}) {
    this.logging = opts.log ?? true;
    this.log = new MessageLog();
    this.load(cfg);
  }

  /** Switch to another instance (buffers are reallocated only when the number of subcontractors changes). */
  load(cfg: NegotiationConfig): void {
    this.cfg = cfg;
    const n = cfg.subcontractors.length;
    if (n !== this.n) {
      this.n = n;
      const f = () => new Float64Array(n);
      this.cn = f();
      this.cm = f();
      this.c = f();
      this.e = f();
      this.beta = f();
      this.markup = f();
      this.patience = new Int32Array(n);
      this.status = new Uint8Array(n);
      this.asked = f();
      this.alloc = f();
      this.offer = f();
      this.prevOffer = f();
      this.price = f();
      this.quote = f();
      this.refused = new Uint8Array(n);
      this.available = new Uint8Array(n);
      this.agreedPrice = f();
      this.agreedQty = f();
      this.agreedRound = new Int32Array(n);
      this.proposed = new Uint8Array(n);
      this.allocFor = new Uint8Array(n);
      this.scratchAlloc = f();
      this.order = new Int32Array(n);
    }
    this.deadline = cfg.negotiation.deadline;
    this.check = cfg.negotiation.check;
    cfg.subcontractors.forEach((s, i) => {
      this.cn[i] = s.normalCapacity;
      this.cm[i] = s.maxCapacity;
      this.c[i] = s.unitCost;
      this.e[i] = s.extraCost;
      this.beta[i] = s.tactic === "tit-for-tat" ? NaN : (s.beta ?? TACTIC_BETA[s.tactic]);
      this.markup[i] = s.markup;
      this.patience[i] = s.patience ?? this.deadline;
    });
    const r = cfg.retailer;
    this.retailerMargin = r.retailPrice - r.unitCost;
    this.retailerOpening = r.openingFraction * this.retailerMargin;
    this.retailerBeta = r.beta;
  }

  /** Start a negotiation for `quantity` units (default the config's demand D). */
  reset(quantity = this.cfg.retailer.demand, check = this.cfg.negotiation.check): void {
    this.quantity = quantity;
    this.check = check;
    this.round = 0;
    this.done = false;
    this.opened = false;
    this.checkResult = null;
    this.revised = false;
    this.log.clear();
    const n = this.n;
    for (let i = 0; i < n; i++) {
      this.status[i] = OPEN;
      this.asked[i] = this.cm[i];
      this.alloc[i] = 0;
      this.offer[i] = NaN;
      this.prevOffer[i] = NaN;
      this.price[i] = NaN;
      this.quote[i] = NaN;
      this.refused[i] = 0;
      this.available[i] = 0;
      this.agreedPrice[i] = NaN;
      this.agreedQty[i] = 0;
      this.agreedRound[i] = 0;
    }
  }

  /**
   * The analytic seller's reservation unit price for quantity q: its average cost c + e max(0, q - CN) / q (normal
   * and overtime tranches), so its quote depends on the quantity asked: normal units at c, overtime units at c + e.
   */
  reservation(i: number, q = this.asked[i]): number {
    return q > 0 ? productionCost(this.cfg.subcontractors[i], q) / q : this.c[i];
  }

  /** The analytic retailer's offer in round r: time-dependent from openingFraction (R - c_R) up to R - c_R at the deadline. */
  analyticOffer(r: number): number {
    return buyerOffer(this.retailerOpening, this.retailerMargin, concession(r - 1, this.deadline - 1, this.retailerBeta));
  }

  /** The analytic subcontractor's price in round r for its asked quantity, given this round's offer. */
  analyticPrice(i: number, r: number): number {
    const res = this.reservation(i);
    const opening = res * (1 + this.markup[i]);
    const beta = this.beta[i];
    if (beta === beta) return sellerPrice(res, opening, concession(r - 1, this.patience[i] - 1, beta));
    const last = this.price[i];
    if (last !== last) return opening;
    return titForTatPrice(last, this.prevOffer[i], this.offer[i], res, opening);
  }

  /** Conversations still open. */
  openCount(): number {
    let k = 0;
    for (let i = 0; i < this.n; i++) if (this.status[i] === OPEN) k++;
    return k;
  }

  /**
   * Play one round. `offers[i]` (retailer's offer to i) and `prices[i]` (i's proposal price; a negative value
   * means refuse) override the analytic agents where given and not NaN. Returns true when the negotiation is over.
   */
  playRound(offers?: ArrayLike<number> | null, prices?: ArrayLike<number> | null): boolean {
    this.openRound(offers);
    return this.closeRound(prices);
  }

  /**
   * The first half of a round, in protocol order: the retailer's cfps (its offers, `offers[i]` overriding the
   * analytic retailer where given and not NaN). After it, `offer[i]` is this round's offer to i and `prevOffer[i]`
   * the last round's, so a subcontractor deciding now sees the offer it answers (what the analytic tactics use).
   * `closeRound(prices)` plays the rest. `playRound` = both.
   */
  openRound(offers?: ArrayLike<number> | null): void {
    if (this.done) throw new Error("NegotiationEngine.playRound: the negotiation is over; call reset()");
    if (this.opened) throw new Error("NegotiationEngine.openRound: the round is open; call closeRound()");
    const r = ++this.round;
    const n = this.n;
    const log = this.logging ? this.log : null;
    const analyticOffer = this.analyticOffer(r);
    for (let i = 0; i < n; i++) {
      this.proposed[i] = 0;
      if (this.status[i] !== OPEN) continue;
      const o = offers ? offers[i] : NaN;
      this.prevOffer[i] = this.offer[i];
      this.offer[i] = o === o && o !== undefined ? o : analyticOffer;
      log?.push(CFP, RETAILER, i, i, r, this.offer[i], this.asked[i]);
    }
    this.opened = true;
  }

  /**
   * The second half of a round: every open subcontractor proposes (`prices[i]` overriding the analytic tactic where
   * given and not NaN; a negative price refuses), the retailer allocates and accepts or rejects. Returns true when
   * the negotiation is over.
   */
  closeRound(prices?: ArrayLike<number> | null): boolean {
    if (!this.opened) throw new Error("NegotiationEngine.closeRound: no open round; call openRound()");
    this.opened = false;
    const r = this.round;
    const n = this.n;
    const log = this.logging ? this.log : null;
    for (let i = 0; i < n; i++) {
      if (this.status[i] !== OPEN) continue;
      const p = prices ? prices[i] : NaN;
      let price: number;
      let refuse: boolean;
      if (p === p && p !== undefined) {
        price = p;
        refuse = p < 0;
      } else {
        price = this.analyticPrice(i, r);
        refuse = r > this.patience[i] && this.offer[i] < this.reservation(i);
      }
      if (refuse) {
        log?.push(REFUSE, i, RETAILER, i, r, NaN, NaN);
        this.status[i] = this.alloc[i] > 0 ? FAILED : NOT_SELECTED;
        this.refused[i] = 1;
        continue;
      }
      this.price[i] = price;
      this.proposed[i] = 1;
      log?.push(PROPOSE, i, RETAILER, i, r, price, this.asked[i]);
    }
    this.allocate(r);
    for (let i = 0; i < n; i++) {
      if (!this.proposed[i]) continue;
      const price = this.price[i];
      const q = this.asked[i];
      const a = this.alloc[i];
      if (a <= 1e-9) {
        log?.push(REJECT, RETAILER, i, i, r, price, q);
        this.status[i] = NOT_SELECTED;
      } else if (Math.abs(a - q) > 1e-9 * Math.max(1, q)) {
        log?.push(REJECT, RETAILER, i, i, r, price, q);
        this.asked[i] = a;
        if (r >= this.deadline) this.status[i] = FAILED;
      } else if (price <= this.offer[i]) {
        log?.push(ACCEPT, RETAILER, i, i, r, price, q);
        log?.push(INFORM, i, RETAILER, i, r, price, q);
        this.status[i] = AGREED;
        this.agreedPrice[i] = price;
        this.agreedQty[i] = q;
        this.agreedRound[i] = r;
      } else {
        log?.push(REJECT, RETAILER, i, i, r, price, q);
        if (r >= this.deadline) this.status[i] = FAILED;
      }
    }
    this.done = r >= this.deadline || this.openCount() === 0;
    return this.done;
  }

  /** Run to the end with the analytic agents. */
  run(): void {
    while (!this.playRound()) {
      /* next round */
    }
  }

  /**
   * Every round the retailer decides, from this round's proposals (unit price for the quantity asked), what to accept
   * and what to ask next round for the quantity no agreement covers yet (the need):
   * - without the check (the paper's first retailer): it takes the proposals at or below its offer, cheapest first,
   *   each for its whole quantity while the need lasts (a proposal larger than the need left is re-asked for the
   *   need); every other subcontractor is asked next round for as much as it can make, up to the need still left;
   * - with the check: it allocates the need over every proposal by checkQuantityEfficiency() (normal capacity
   *   first, in quote order, then overtime from the cheapest quotes) and accepts a proposal only when its price is
   *   at or below the offer and its quantity is what that allocation gives it; the others are re-asked for their
   *   allocated quantity. It re-allocates (from the quotes of that round) in round 1 and whenever the need or the
   *   set of subcontractors still negotiating changed since its last allocation; otherwise it keeps the quantities
   *   it asked (re-allocating on every quote change makes two sellers' quantities swap back and forth).
   * A subcontractor asked for nothing loses the tender.
   */
  private allocate(r: number): void {
    const n = this.n;
    let need = this.quantity;
    for (let i = 0; i < n; i++) {
      if (this.status[i] === AGREED) need -= this.agreedQty[i];
      this.available[i] = this.proposed[i];
      this.quote[i] = this.proposed[i] ? this.price[i] : Infinity;
      if (this.proposed[i]) this.alloc[i] = 0; // re-allocated below; failed and refused conversations keep theirs
    }
    const tol = 1e-9 * Math.max(1, this.quantity);
    need = Math.max(0, need);
    if (this.check) {
      let same = r > 1 && Math.abs(need - this.allocNeed) <= tol;
      for (let i = 0; i < n && same; i++) if ((this.proposed[i] === 1) !== (this.allocFor[i] === 1)) same = false;
      if (same) {
        for (let i = 0; i < n; i++) if (this.proposed[i]) this.alloc[i] = this.asked[i];
        return;
      }
      this.allocNeed = need;
      this.allocFor.set(this.proposed);
      const greedy = this.scratchAlloc;
      allocateByQuotes(need, this.cm, this.quote, this.available, greedy, this.order);
      const res = checkQuantityEfficiency(greedy, need, this.cn, this.cm, this.quote, this.available, greedy, this.order);
      if (r === 1) this.checkResult = res;
      if (!res.efficient) this.revised = true;
      for (let i = 0; i < n; i++) if (this.proposed[i]) this.alloc[i] = greedy[i];
      return;
    }
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => this.quote[a] - this.quote[b] || a - b);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      if (!this.proposed[i] || !(this.price[i] <= this.offer[i]) || need <= tol) continue;
      const take = Math.min(this.asked[i], need);
      this.alloc[i] = take;
      need -= take;
    }
    for (let i = 0; i < n; i++) {
      if (!this.proposed[i] || this.price[i] <= this.offer[i]) continue;
      this.alloc[i] = need > tol ? Math.min(this.cm[i], need) : 0;
    }
  }
}
