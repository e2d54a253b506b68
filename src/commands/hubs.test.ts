import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { parseCsv } from "../io/csv.js";
import { ReviewQueue } from "../hubs/review.js";

const semi = join(import.meta.dirname, "..", "..", "experiments", "hubs-semiconductor.json");
let work: string;
let errors: string[];
let logs: string[];
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "sg-hubs-"));
  errors = [];
  logs = [];
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
});
afterEach(() => vi.restoreAllMocks());

describe("supplygym hubs / ledger / review", () => {
  it("hubs writes the run directory; its ledger verifies; tampering is caught with exit 1 naming the line", async () => {
    const out = join(work, "run");
    expect(await main(["hubs", semi, "--out", out])).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["contributions.csv", "ledger.jsonl", "ledger.jsonl.head", "manifest.json", "outcomes.csv", "review_queue.json", "trades.csv"]);
    const contributions = parseCsv(readFileSync(join(out, "contributions.csv"), "utf8"));
    expect(contributions.map((r) => r.hub)).toEqual(["A", "B", "C"]);
    expect(contributions.every((r) => r.role === "contributor" || r.role === "drain")).toBe(true);
    const outcomes = parseCsv(readFileSync(join(out, "outcomes.csv"), "utf8"));
    expect(outcomes.at(-1)!.period).toBe("total");
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.summary.pareto_improvement).toBe(true);
    expect(manifest.ledger.records).toBeGreaterThan(0);

    const ledger = join(out, "ledger.jsonl");
    expect(await main(["ledger", "verify", ledger])).toBe(0);
    expect(logs.at(-1)).toMatch(/ok, \d+ records/);
    const lines = readFileSync(ledger, "utf8").split("\n");
    lines[1] = lines[1].replace('"quantity":40', '"quantity":400');
    writeFileSync(ledger, lines.join("\n"));
    expect(await main(["ledger", "verify", ledger])).toBe(1);
    expect(errors.at(-1)).toMatch(/INVALID: line 2: hash does not match/);
    expect(await main(["ledger", "verify", join(work, "missing.jsonl")])).toBe(2);
    expect(await main(["ledger", "check", ledger])).toBe(2);
  });

  it("shadow mode executes nothing and still writes every file", async () => {
    const out = join(work, "shadow");
    expect(await main(["hubs", semi, "--out", out, "--shadow", "--no-optimum"])).toBe(0);
    const trades = parseCsv(readFileSync(join(out, "trades.csv"), "utf8"));
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.every((t) => t.status === "shadow")).toBe(true);
  });

  it("bad configs exit 2 with the JSON path", async () => {
    const bad = JSON.parse(readFileSync(semi, "utf8"));
    bad.hubs[0].supply.unobtainium = 3;
    const file = join(work, "bad.json");
    writeFileSync(file, JSON.stringify(bad));
    expect(await main(["hubs", file, "--out", join(work, "x")])).toBe(2);
    expect(errors.join("\n")).toMatch(/hubs\[0\]\.supply\.unobtainium: unknown resource/);
  });

  it("review list / approve / reject update the queue file", async () => {
    const path = join(work, "q.json");
    const q = new ReviewQueue(path);
    q.add({ id: "P3-7", period: 3, reason: "unit price 9000 is 4.2 sd from the mean 900", trade: { seller: "A", buyer: "B", quantity: 40, resource: "chips", pricePerUnit: 9000, payment: "money" } });
    q.add({ id: "P3-8", period: 3, reason: "r", trade: { seller: "C", buyer: "B", quantity: 40, resource: "chips", pricePerUnit: 1, payment: "money" } });
    expect(await main(["review", "list", "--queue", path])).toBe(0);
    expect(logs.join("\n")).toMatch(/P3-7\tpending\tperiod 3\tA -> B\t40 chips at 9000.00\/unit/);
    expect(await main(["review", "approve", "P3-7", "--queue", path, "--by", "ops"])).toBe(0);
    expect(await main(["review", "reject", "P3-8", "--queue", path])).toBe(0);
    const again = new ReviewQueue(path);
    expect(again.get("P3-7")).toMatchObject({ status: "approved", decidedBy: "ops" });
    expect(again.get("P3-8")!.status).toBe("rejected");
    expect(await main(["review", "approve", "P3-7", "--queue", path])).toBe(2);
    expect(errors.at(-1)).toMatch(/is approved, only pending/);
    expect(await main(["review", "approve", "--queue", path])).toBe(2);
    expect(await main(["review", "list", "--queue", join(work, "none.json")])).toBe(2);
  });
});
