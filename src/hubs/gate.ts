import type { OutlierCheck } from "./review.js";
import type { Trade } from "./simulation.js";

/**
 * The review and shadow gate every deal passes before it executes (docs/hubs.md, "Human review" and shadow mode):
 * pure decisions, applied by the simulator. A decision says what to do with the trade record, whether the
 * seller-buyer pair is blocked for the rest of the period, and what the deal did to the trading round.
 */
export type RoundEffect = "executed" | "shadow" | "blocked";

export interface GateDecision {
  /** record-shadow: record as a shadow trade; queue: add to the review queue and record; execute; record: record only (dropped). */
  action: "record-shadow" | "queue" | "execute" | "record";
  trade: Trade;
  /** For `queue`: the item's reason and the trade stored in the queue. */
  queued?: { reason: string; trade: Trade };
  /** Block the seller-buyer pair on the resource for the rest of the period. */
  block: boolean;
  effect: RoundEffect;
}

export function appendNote(a: string, b: string): string {
  return a && b ? `${a}; ${b}` : a || b;
}

/**
 * A deal both sides agreed to. In shadow mode nothing is queued or executed: the deal is a shadow trade whose note
 * says what a live run would have done. Live, an outlier waits for review when there is a queue; otherwise it
 * executes (an outlier without a queue says so in its note).
 */
export function gateProposal(trade: Trade, check: OutlierCheck, opts: { shadow: boolean; queue: boolean }): GateDecision {
  if (opts.shadow) {
    const held = check.flagged && opts.queue;
    const why = check.flagged ? (held ? `would be held for review: ${check.reason}` : `outlier with no review queue: ${check.reason}`) : "";
    return {
      action: "record-shadow",
      trade: { ...trade, note: appendNote(trade.note, why) },
      block: true,
      effect: held ? "blocked" : "shadow",
    };
  }
  if (check.flagged && opts.queue) {
    return {
      action: "queue",
      trade: { ...trade, status: "queued", note: appendNote(trade.note, `held for review: ${check.reason}`) },
      queued: { reason: check.reason, trade: { ...trade, status: "queued" } },
      block: true,
      effect: "blocked",
    };
  }
  const note = check.flagged ? appendNote(trade.note, `outlier with no review queue: ${check.reason}`) : trade.note;
  return { action: "execute", trade: { ...trade, note }, block: false, effect: "executed" };
}

/**
 * A value-creating deal without agreement, by the escalation rule: `planner` transfers at the seller's reservation
 * price; `review` queues that transfer for a human (dropped without a queue); `drop` records it as dropped. In
 * shadow mode nothing executes or is queued.
 */
export function gateEscalation(
  trade: Trade,
  why: string,
  sellerReservePerUnit: number,
  opts: { rule: "review" | "planner" | "drop"; shadow: boolean; queue: boolean },
): GateDecision {
  const block = opts.rule !== "planner" || opts.shadow;
  const atReserve: Trade = { ...trade, payment: "money", pricePerUnit: sellerReservePerUnit, money: sellerReservePerUnit * trade.quantity };
  if (opts.rule === "planner") {
    const t: Trade = {
      ...atReserve,
      mechanism: "planner",
      note: `escalated (${why}); planner transfers at the seller's reservation price`,
    };
    return opts.shadow
      ? { action: "record-shadow", trade: t, block, effect: "shadow" }
      : { action: "execute", trade: t, block, effect: "executed" };
  }
  if (opts.rule === "review" && opts.queue) {
    if (opts.shadow) {
      return {
        action: "record-shadow",
        trade: { ...atReserve, note: `escalated (${why}); would be queued for human review at the seller's reservation price` },
        block,
        effect: "blocked",
      };
    }
    const t: Trade = {
      ...atReserve,
      status: "queued",
      note: `escalated (${why}); queued for human review at the seller's reservation price`,
    };
    return { action: "queue", trade: t, queued: { reason: `escalation: ${why}`, trade: t }, block, effect: "blocked" };
  }
  return {
    action: "record",
    trade: { ...trade, status: "dropped", note: `escalated (${why}); dropped${opts.rule === "review" ? " (no review queue)" : ""}` },
    block,
    effect: "blocked",
  };
}
