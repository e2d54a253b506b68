import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../io/errors.js";
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
});
