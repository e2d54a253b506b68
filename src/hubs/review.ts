import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../io/atomic.js";
import { UsageError } from "../io/errors.js";
import type { LedgerSink } from "./ledger.js";

/**
 * Human review of unusual trades. A trade whose unit price or quantity on a resource lies more than `k`
 * standard deviations from the historical norm (mean and sample standard deviation of executed trades on that
 * resource, once there are at least `minHistory` of them) waits in a review queue instead of executing. The
 * queue is a JSON file rewritten atomically on every change. With a ledger, every decision (approve or reject,
 * by a reviewer or by the unreviewed-item policy) and every settlement (executed or lapsed) is appended to it as
 * a `review_decision` / `review_settled` record; the held trade itself is logged by the simulator as a `trade`
 * record with status `queued`.
 */

/** Running mean and variance (Welford). */
export class RunningStats {
  n = 0;
  mean = 0;
  private m2 = 0;

  push(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  /** Sample standard deviation (0 with fewer than 2 values). */
  get std(): number {
    return this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : 0;
  }

  /** Distance from the mean in standard deviations; Infinity when all history is equal and x differs from it. */
  z(x: number): number {
    const s = this.std;
    const d = Math.abs(x - this.mean);
    if (s === 0) return d <= 1e-9 * Math.max(1, Math.abs(this.mean)) ? 0 : Infinity;
    return d / s;
  }
}

export interface TradeNorm {
  price: RunningStats;
  quantity: RunningStats;
}

export interface OutlierCheck {
  flagged: boolean;
  zPrice: number;
  zQuantity: number;
  reason: string;
}

export function checkOutlier(
  norm: TradeNorm | undefined,
  pricePerUnit: number,
  quantity: number,
  k: number,
  minHistory: number,
): OutlierCheck {
  if (!norm || norm.price.n < minHistory) return { flagged: false, zPrice: NaN, zQuantity: NaN, reason: "" };
  const zPrice = norm.price.z(pricePerUnit);
  const zQuantity = norm.quantity.z(quantity);
  const reasons: string[] = [];
  if (zPrice > k) reasons.push(`unit price ${round(pricePerUnit)} is ${fmtZ(zPrice)} sd from the mean ${round(norm.price.mean)}`);
  if (zQuantity > k) reasons.push(`quantity ${round(quantity)} is ${fmtZ(zQuantity)} sd from the mean ${round(norm.quantity.mean)}`);
  return { flagged: reasons.length > 0, zPrice, zQuantity, reason: reasons.join("; ") };
}

const round = (v: number): number => Math.round(v * 100) / 100;
const fmtZ = (z: number): string => (Number.isFinite(z) ? z.toFixed(2) : "inf");

export type ReviewStatus = "pending" | "approved" | "rejected" | "executed" | "lapsed";
export const REVIEW_STATUSES: readonly ReviewStatus[] = ["pending", "approved", "rejected", "executed", "lapsed"];

export interface ReviewItem {
  id: string;
  /** Period the trade was proposed in. */
  period: number;
  status: ReviewStatus;
  reason: string;
  /** The proposed trade (plain JSON). */
  trade: Record<string, unknown>;
  /** Who or what decided, and when (period or ISO time). */
  decidedBy?: string;
  decidedAt?: string | number;
  note?: string;
}

export class ReviewQueue {
  private items: ReviewItem[] = [];
  /** The same items by id (a period of 300 hubs can hold tens of thousands: lookups must not scan). */
  private byId = new Map<string, ReviewItem>();

  /**
   * `path`: the queue file (created on first change; an existing file is loaded). `ledger`: where decisions and
   * settlements are recorded (the run's audit ledger).
   */
  constructor(
    readonly path?: string,
    readonly opts: { ledger?: LedgerSink } = {},
  ) {
    if (path && existsSync(path)) this.items = ReviewQueue.read(path);
    for (const item of this.items) this.byId.set(item.id, item);
  }

  static read(path: string): ReviewItem[] {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw new UsageError(`${path}: not a review queue (${(err as Error).message})`);
    }
    const items = (json as { items?: unknown })?.items;
    if (!Array.isArray(items)) throw new UsageError(`${path}: not a review queue (expected {"items": [...]})`);
    const seen = new Set<string>();
    items.forEach((it: unknown, i) => {
      const bad = (field: string, rule: string): never => {
        throw new UsageError(`${path} items[${i}]${field ? `.${field}` : ""}: ${rule}`);
      };
      if (typeof it !== "object" || it === null || Array.isArray(it)) bad("", "must be an object {id, period, status, reason, trade}");
      const item = it as Record<string, unknown>;
      if (typeof item.id !== "string" || item.id === "") bad("id", `must be a non-empty string, got ${JSON.stringify(item.id)}`);
      if (seen.has(item.id as string)) bad("id", `duplicate id "${item.id}"`);
      seen.add(item.id as string);
      if (!REVIEW_STATUSES.includes(item.status as ReviewStatus))
        bad("status", `must be one of ${REVIEW_STATUSES.join(", ")}, got ${JSON.stringify(item.status)}`);
      if (!Number.isInteger(item.period) || (item.period as number) < 0)
        bad("period", `must be an integer >= 0, got ${JSON.stringify(item.period)}`);
      if (typeof item.trade !== "object" || item.trade === null || Array.isArray(item.trade))
        bad("trade", `must be an object (the proposed trade), got ${JSON.stringify(item.trade)}`);
      if (item.reason !== undefined && typeof item.reason !== "string") bad("reason", "must be a string");
    });
    return items as ReviewItem[];
  }

  list(status?: ReviewStatus): ReviewItem[] {
    return this.items.filter((i) => status === undefined || i.status === status);
  }

  get(id: string): ReviewItem | undefined {
    return this.byId.get(id);
  }

  add(item: Omit<ReviewItem, "status">): ReviewItem {
    if (this.get(item.id)) throw new Error(`review queue: duplicate id ${item.id}`);
    const full: ReviewItem = { ...item, status: "pending" };
    this.items.push(full);
    this.byId.set(full.id, full);
    this.save();
    return full;
  }

  /** Approve or reject a pending item; anything else is a usage error naming the item's status. */
  decide(id: string, decision: "approved" | "rejected", by: string, at: string | number, note?: string): ReviewItem {
    const item = this.get(id);
    if (!item)
      throw new UsageError(
        `no review item "${id}"${this.path ? ` in ${this.path}` : ""} (ids: ${this.items.map((i) => i.id).join(", ") || "none"})`,
      );
    if (item.status !== "pending")
      throw new UsageError(`review item "${id}" is ${item.status}, only pending items can be approved or rejected`);
    item.status = decision;
    item.decidedBy = by;
    item.decidedAt = at;
    if (note !== undefined) item.note = note;
    this.save();
    this.opts.ledger?.append({ type: "review_decision", id, decision, by, at, note, period: item.period });
    return item;
  }

  /** Mark an approved item executed, or lapsed when it could no longer be carried out. */
  settle(id: string, status: "executed" | "lapsed", at: number, note?: string): void {
    const item = this.get(id);
    if (!item) throw new Error(`review queue: no item ${id}`);
    item.status = status;
    item.decidedAt ??= at;
    if (note !== undefined) item.note = note;
    this.save();
    this.opts.ledger?.append({ type: "review_settled", id, status, period: at, note });
  }

  toJSON(): { items: ReviewItem[] } {
    return { items: this.items };
  }

  save(): void {
    if (this.path) writeFileAtomic(this.path, JSON.stringify(this.toJSON(), null, 2) + "\n");
  }
}
