import type { Cell } from "../io/csv.js";

/** FIPA-ACL performatives used by the Iterated Contract Net protocol. */
export const PERFORMATIVES = ["cfp", "propose", "refuse", "accept-proposal", "reject-proposal", "inform"] as const;
export type Performative = (typeof PERFORMATIVES)[number];

export const CFP = 0;
export const PROPOSE = 1;
export const REFUSE = 2;
export const ACCEPT = 3;
export const REJECT = 4;
export const INFORM = 5;

/** The retailer's party index in a log; subcontractor i is party i. */
export const RETAILER = -1;

/** One message. Parties are indices (RETAILER = -1, subcontractor i = i); names come from the instance. */
export interface Message {
  performative: Performative;
  sender: number;
  receiver: number;
  /** One conversation per subcontractor per negotiation: its index. */
  conversation: number;
  round: number;
  /** Unit price (NaN when the message carries none: refuse). */
  price: number;
  /** Quantity (NaN when the message carries none). */
  quantity: number;
}

/**
 * An append-only message log stored column-wise in growable typed arrays, so that a negotiation logs without
 * allocating an object per message. `clear()` keeps the buffers for the next negotiation.
 */
export class MessageLog {
  length = 0;
  private perf = new Uint8Array(64);
  private sender = new Int32Array(64);
  private receiver = new Int32Array(64);
  private conv = new Int32Array(64);
  private rnd = new Int32Array(64);
  private price = new Float64Array(64);
  private qty = new Float64Array(64);

  clear(): void {
    this.length = 0;
  }

  push(performative: number, sender: number, receiver: number, conversation: number, round: number, price: number, quantity: number): void {
    if (this.length === this.perf.length) this.grow();
    const k = this.length++;
    this.perf[k] = performative;
    this.sender[k] = sender;
    this.receiver[k] = receiver;
    this.conv[k] = conversation;
    this.rnd[k] = round;
    this.price[k] = price;
    this.qty[k] = quantity;
  }

  performativeCode(k: number): number {
    return this.perf[k];
  }

  get(k: number): Message {
    if (k < 0 || k >= this.length) throw new RangeError(`MessageLog.get: index ${k} outside [0, ${this.length})`);
    return {
      performative: PERFORMATIVES[this.perf[k]],
      sender: this.sender[k],
      receiver: this.receiver[k],
      conversation: this.conv[k],
      round: this.rnd[k],
      price: this.price[k],
      quantity: this.qty[k],
    };
  }

  toArray(): Message[] {
    const out: Message[] = new Array(this.length);
    for (let k = 0; k < this.length; k++) out[k] = this.get(k);
    return out;
  }

  /** A copy (the engine reuses its log across negotiations). */
  clone(): MessageLog {
    const c = new MessageLog();
    for (let k = 0; k < this.length; k++)
      c.push(this.perf[k], this.sender[k], this.receiver[k], this.conv[k], this.rnd[k], this.price[k], this.qty[k]);
    return c;
  }

  static from(messages: readonly Message[]): MessageLog {
    const log = new MessageLog();
    for (const m of messages) {
      const code = PERFORMATIVES.indexOf(m.performative);
      if (code < 0) throw new RangeError(`MessageLog.from: unknown performative "${m.performative}"`);
      log.push(code, m.sender, m.receiver, m.conversation, m.round, m.price, m.quantity);
    }
    return log;
  }

  private grow(): void {
    const n = this.perf.length * 2;
    const g = <T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.perf = g(this.perf, (m) => new Uint8Array(m));
    this.sender = g(this.sender, (m) => new Int32Array(m));
    this.receiver = g(this.receiver, (m) => new Int32Array(m));
    this.conv = g(this.conv, (m) => new Int32Array(m));
    this.rnd = g(this.rnd, (m) => new Int32Array(m));
    this.price = g(this.price, (m) => new Float64Array(m));
    this.qty = g(this.qty, (m) => new Float64Array(m));
  }
}

/** Columns of messages.csv (tidy: one message a row). */
export const MESSAGE_COLUMNS = [
  "negotiation",
  "seq",
  "round",
  "conversation",
  "performative",
  "sender",
  "receiver",
  "price",
  "quantity",
] as const;

/** Rows for messages.csv; `names[i]` names subcontractor i, the retailer is "retailer". */
export function messageRows(log: MessageLog, names: readonly string[], negotiation: number | string = 0): Record<string, Cell>[] {
  const name = (p: number) => (p === RETAILER ? "retailer" : (names[p] ?? `sub${p}`));
  const rows: Record<string, Cell>[] = [];
  for (let k = 0; k < log.length; k++) {
    const m = log.get(k);
    rows.push({
      negotiation,
      seq: k,
      round: m.round,
      conversation: name(m.conversation),
      performative: m.performative,
      sender: name(m.sender),
      receiver: name(m.receiver),
      price: m.price,
      quantity: m.quantity,
    });
  }
  return rows;
}
