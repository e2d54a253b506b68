import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { parseCsv } from "../io/csv.js";
import { FileLedger, verifyLedger } from "../hubs/ledger.js";
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
    expect(readdirSync(out).sort()).toEqual([
      "contributions.csv",
      "ledger.jsonl",
      "ledger.jsonl.head",
      "manifest.json",
      "outcomes.csv",
      "review_queue.json",
      "trades.csv",
    ]);
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

  it("ledger verify needs an anchor: cutting the last record and deleting the head file is caught by the manifest; no anchor fails unless --allow-unanchored", async () => {
    const out = join(work, "run");
    expect(await main(["hubs", semi, "--out", out, "--no-optimum"])).toBe(0);
    const ledger = join(out, "ledger.jsonl");
    const text = readFileSync(ledger, "utf8");
    const lines = text.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(1);
    // cut the last record and delete the head: the manifest still anchors the run's records
    writeFileSync(ledger, lines.slice(0, -1).join("\n") + "\n");
    rmSync(`${ledger}.head`);
    expect(await main(["ledger", "verify", ledger])).toBe(1);
    expect(errors.at(-1)).toMatch(new RegExp(`INVALID: line ${lines.length}: .*manifest\\.json records ${lines.length}`));
    // intact again, head file still gone: anchored by the manifest
    writeFileSync(ledger, text);
    expect(await main(["ledger", "verify", ledger])).toBe(0);
    expect(logs.at(-1)).toMatch(/checked against .*manifest\.json/);
    // no anchor at all: exit 1, unless --allow-unanchored
    rmSync(join(out, "manifest.json"));
    expect(await main(["ledger", "verify", ledger])).toBe(1);
    expect(errors.at(-1)).toMatch(/UNANCHORED .*--allow-unanchored/);
    expect(await main(["ledger", "verify", ledger, "--allow-unanchored"])).toBe(0);
    expect(errors.at(-1)).toMatch(/^warning: .*UNANCHORED/);
  });

  it("a run without any trade leaves an empty ledger that verifies (0 records, genesis head)", async () => {
    const cfg = JSON.parse(readFileSync(semi, "utf8"));
    cfg.mechanism = { ...cfg.mechanism, maxRounds: 1 };
    cfg.shortages = { events: [] };
    for (const h of cfg.hubs) for (const p of h.products) p.demandPerPeriod = 0; // nothing to make, nothing to trade
    const file = join(work, "quiet.json");
    writeFileSync(file, JSON.stringify(cfg));
    const out = join(work, "quiet");
    expect(await main(["hubs", file, "--out", out, "--no-optimum"])).toBe(0);
    expect(readFileSync(join(out, "ledger.jsonl"), "utf8")).toBe("");
    expect(await main(["ledger", "verify", join(out, "ledger.jsonl")])).toBe(0);
    expect(logs.at(-1)).toMatch(/ok, 0 records, head 0{64}/);
  });

  it("four concurrent review processes on one queue: every decision is kept in the queue and the ledger, which verifies", async () => {
    const out = join(work, "race");
    mkdirSync(out);
    const ledgerPath = join(out, "ledger.jsonl");
    const l = new FileLedger(ledgerPath);
    const ids = ["P0-1", "P0-2", "P0-3", "P0-4"];
    for (const id of ids) l.append({ type: "trade", id, status: "queued" });
    l.close();
    const queue = new ReviewQueue(join(out, "review_queue.json"));
    for (const id of ids)
      queue.add({
        id,
        period: 0,
        reason: "r",
        trade: { seller: "A", buyer: "B", quantity: 40, resource: "chips", pricePerUnit: 9, payment: "money" },
      });
    const tsx = resolve("node_modules/.bin/tsx");
    const codes = await Promise.all(
      ids.map(
        (id) =>
          new Promise<number | null>((done) => {
            const child = spawn(tsx, [resolve("src/cli.ts"), "review", "approve", id, "--queue", join(out, "review_queue.json")], {
              stdio: "ignore",
            });
            child.on("exit", done);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const after = new ReviewQueue(join(out, "review_queue.json"));
    for (const id of ids) expect(after.get(id)!.status).toBe("approved");
    const v = verifyLedger(ledgerPath);
    expect(v.ok).toBe(true);
    expect(v.count).toBe(8);
    const decided = readFileSync(ledgerPath, "utf8")
      .split("\n")
      .filter((line) => line.includes("review_decision"))
      .map((line) => JSON.parse(line).record.id)
      .sort();
    expect(decided).toEqual(ids);
    expect(readdirSync(out).filter((f) => f.endsWith(".lock"))).toEqual([]);
  }, 60_000);

  it("review decisions are recorded in the run's ledger, which still verifies", async () => {
    const out = join(work, "rv");
    // a run directory by hand: ledger (anchored), queue with one pending item
    mkdirSync(out);
    const ledgerPath = join(out, "ledger.jsonl");
    const l = new FileLedger(ledgerPath);
    l.append({ type: "trade", id: "P0-1", status: "queued" });
    l.close();
    const queue = new ReviewQueue(join(out, "review_queue.json"));
    queue.add({
      id: "P0-1",
      period: 0,
      reason: "r",
      trade: { seller: "A", buyer: "B", quantity: 40, resource: "chips", pricePerUnit: 9, payment: "money" },
    });
    expect(await main(["review", "approve", "P0-1", "--queue", join(out, "review_queue.json"), "--by", "ops", "--note", "fine"])).toBe(0);
    expect(logs.at(-1)).toMatch(/P0-1: approved by ops \(recorded in .*ledger\.jsonl, record 2\)/);
    const v = verifyLedger(ledgerPath);
    expect(v).toMatchObject({ ok: true, count: 2, anchored: true });
    const last = JSON.parse(readFileSync(ledgerPath, "utf8").trim().split("\n")[1]).record;
    expect(last).toMatchObject({ type: "review_decision", id: "P0-1", decision: "approved", by: "ops", note: "fine", period: 0 });
    // a broken ledger: nothing is decided
    queue.add({ id: "P0-2", period: 0, reason: "r", trade: {} });
    writeFileSync(ledgerPath, readFileSync(ledgerPath, "utf8").replace('"P0-1","status"', '"P0-9","status"'));
    expect(await main(["review", "reject", "P0-2", "--queue", join(out, "review_queue.json")])).toBe(2);
    expect(errors.at(-1)).toMatch(/^supplygym: review reject: cannot record the decision: .*broken ledger: line 1/);
    expect(new ReviewQueue(join(out, "review_queue.json")).get("P0-2")!.status).toBe("pending");
    expect(await main(["review", "reject", "P0-2", "--queue", join(out, "review_queue.json"), "--no-ledger"])).toBe(0);
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
    q.add({
      id: "P3-7",
      period: 3,
      reason: "unit price 9000 is 4.2 sd from the mean 900",
      trade: { seller: "A", buyer: "B", quantity: 40, resource: "chips", pricePerUnit: 9000, payment: "money" },
    });
    q.add({
      id: "P3-8",
      period: 3,
      reason: "r",
      trade: { seller: "C", buyer: "B", quantity: 40, resource: "chips", pricePerUnit: 1, payment: "money" },
    });
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
    expect(await main(["review", "bogus", "--queue", join(work, "none.json")])).toBe(2);
    expect(errors.at(-1)).toMatch(/^supplygym: review: expected list, approve <id> or reject <id>, got "bogus"/); // before the queue is looked for
    expect(await main(["review", "list", "--queue", join(work, "none.json")])).toBe(2);
    expect(errors.at(-1)).toMatch(/^supplygym: review: .*none\.json: no review queue here/);
    expect(await main(["review", "approve", "nope", "--queue", path])).toBe(2);
    expect(errors.at(-1)).toMatch(/^supplygym: review: no review item "nope"/);
    writeFileSync(path, JSON.stringify({ items: [{ id: "X", period: 0, status: "maybe", trade: {} }] }));
    expect(await main(["review", "list", "--queue", path])).toBe(2);
    expect(errors.at(-1)).toMatch(/^supplygym: review: .*q\.json items\[0\]\.status: must be one of/);
    expect(await main(["hubs", semi, "--seed", "x"])).toBe(2);
    expect(errors.at(-1)).toMatch(/^supplygym: hubs: --seed must be an integer/);
    expect(await main(["hubs", join(work, "nope.json")])).toBe(2);
    expect(errors.at(-1)).toMatch(/^supplygym: hubs: .*nope\.json: no such file/);
  });
});
