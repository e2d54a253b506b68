import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../io/errors.js";
import { MemoryLedger } from "./ledger.js";
import { ReviewQueue, RunningStats, checkOutlier } from "./review.js";

describe("review", () => {
  it("RunningStats matches the sample mean and standard deviation (hand computed)", () => {
    const s = new RunningStats();
    [2, 4, 4, 4, 5, 5, 7, 9].forEach((x) => s.push(x));
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.z(5 + 2 * s.std)).toBeCloseTo(2, 12);
  });

  it("flags trades beyond k standard deviations once there is enough history", () => {
    const norm = { price: new RunningStats(), quantity: new RunningStats() };
    const check = (p: number, q: number) => checkOutlier(norm, p, q, 3, 5);
    [100, 110, 90, 105, 95].forEach((p) => {
      expect(check(p, 10).flagged).toBe(false); // too little history yet
      norm.price.push(p);
      norm.quantity.push(p / 10);
    });
    const sd = norm.price.std; // 7.9057
    expect(check(100 + 2.9 * sd, 10).flagged).toBe(false);
    const out = check(100 + 3.1 * sd, 10);
    expect(out.flagged).toBe(true);
    expect(out.reason).toMatch(/unit price .* sd from the mean 100/);
    expect(check(100, 50).reason).toMatch(/quantity 50/);
  });

  it("the queue file is rewritten on every change and decisions are validated", () => {
    const path = join(mkdtempSync(join(tmpdir(), "rq-")), "q.json");
    const q = new ReviewQueue(path);
    q.add({ id: "P1-1", period: 1, reason: "r", trade: { resource: "chips" } });
    expect(JSON.parse(readFileSync(path, "utf8")).items[0].status).toBe("pending");
    q.decide("P1-1", "approved", "alice", "now");
    const again = new ReviewQueue(path);
    expect(again.get("P1-1")).toMatchObject({ status: "approved", decidedBy: "alice" });
    expect(() => again.decide("P1-1", "rejected", "bob", "now")).toThrow(UsageError);
    expect(() => again.decide("nope", "rejected", "bob", "now")).toThrow(/no review item "nope"/);
  });

  it("a queue file's items are validated field by field, naming file, item and field", () => {
    const path = join(mkdtempSync(join(tmpdir(), "rq-")), "q.json");
    const good = { id: "P1-1", period: 1, status: "pending", reason: "r", trade: { resource: "chips" } };
    const cases: [unknown, RegExp][] = [
      [[good, { ...good, id: 7 }], /q\.json items\[1\]\.id: must be a non-empty string, got 7/],
      [[good, good], /items\[1\]\.id: duplicate id "P1-1"/],
      [[{ ...good, status: "done" }], /items\[0\]\.status: must be one of pending, approved, rejected, executed, lapsed, got "done"/],
      [[{ ...good, period: -1 }], /items\[0\]\.period: must be an integer >= 0, got -1/],
      [[{ ...good, period: "3" }], /items\[0\]\.period: must be an integer >= 0, got "3"/],
      [[{ ...good, trade: undefined }], /items\[0\]\.trade: must be an object/],
      [[{ ...good, trade: [1] }], /items\[0\]\.trade: must be an object/],
      [[null], /items\[0\]: must be an object/],
    ];
    for (const [items, re] of cases) {
      writeFileSync(path, JSON.stringify({ items }));
      expect(() => new ReviewQueue(path), re.source).toThrow(UsageError);
      expect(() => new ReviewQueue(path), re.source).toThrow(re);
    }
    writeFileSync(path, JSON.stringify({ items: [good] }));
    expect(new ReviewQueue(path).list()).toHaveLength(1);
  });

  it("with a ledger, decisions and settlements are recorded", () => {
    const ledger = new MemoryLedger();
    const q = new ReviewQueue(undefined, { ledger });
    q.add({ id: "P1-1", period: 1, reason: "r", trade: {} });
    q.add({ id: "P1-2", period: 1, reason: "r", trade: {} });
    expect(ledger.records).toHaveLength(0); // the held trade itself is logged by the simulator
    q.decide("P1-1", "approved", "alice", "2025-01-01T00:00:00.000Z", "ok");
    q.decide("P1-2", "rejected", "policy", 3);
    q.settle("P1-1", "executed", 2);
    expect(ledger.records).toEqual([
      { type: "review_decision", id: "P1-1", decision: "approved", by: "alice", at: "2025-01-01T00:00:00.000Z", note: "ok", period: 1 },
      { type: "review_decision", id: "P1-2", decision: "rejected", by: "policy", at: 3, note: undefined, period: 1 },
      { type: "review_settled", id: "P1-1", status: "executed", period: 2, note: undefined },
    ]);
  });
});
