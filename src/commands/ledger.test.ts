import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";

const work = mkdtempSync(join(tmpdir(), "sg-ledger-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let errors: string[];
let logs: string[];
beforeEach(() => {
  errors = [];
  logs = [];
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
});
afterEach(() => vi.restoreAllMocks());

describe("supplygym hubs --ledger-key and ledger verify --key", () => {
  it("writes a keyed ledger that verifies only with its key", async () => {
    const key = join(work, "ledger.key");
    writeFileSync(key, Buffer.alloc(32, 3));
    const out = join(work, "run");
    expect(await main(["hubs", "experiments/hubs-semiconductor.json", "--out", out, "--no-optimum", "--ledger-key", key])).toBe(0);
    const ledger = join(out, "ledger.jsonl");
    expect(await main(["ledger", "verify", ledger, "--key", key])).toBe(0);
    expect(logs.join("\n")).toMatch(/ok, \d+ records.*HMAC-SHA256 under/);
    errors.length = 0;
    expect(await main(["ledger", "verify", ledger])).toBe(2);
    expect(errors.join("\n")).toMatch(/keyed \(hmac-sha256\); verify it with its key \(ledger verify --key FILE\)/);
    const other = join(work, "other.key");
    writeFileSync(other, Buffer.alloc(32, 4));
    expect(await main(["ledger", "verify", ledger, "--key", other])).toBe(1);
    expect(errors.join("\n")).toMatch(/line 1: hash does not match the record under the key/);
  });

  it("a keyed run's ledger cut at the end, head file and manifest edited to match, fails under the key", async () => {
    const key = join(work, "cut.key");
    writeFileSync(key, Buffer.alloc(32, 5));
    const out = join(work, "cut");
    expect(await main(["hubs", "experiments/hubs-semiconductor.json", "--out", out, "--no-optimum", "--ledger-key", key])).toBe(0);
    const ledger = join(out, "ledger.jsonl");
    const kept = readFileSync(ledger, "utf8").split("\n").slice(0, 3);
    const last = JSON.parse(kept[2]).hash;
    writeFileSync(ledger, kept.join("\n") + "\n");
    const head = JSON.parse(readFileSync(`${ledger}.head`, "utf8"));
    writeFileSync(`${ledger}.head`, JSON.stringify({ ...head, count: 3, hash: last }));
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(typeof manifest.ledger.tag).toBe("string");
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ ...manifest, ledger: { ...manifest.ledger, records: 3, head: last } }));
    expect(await main(["ledger", "verify", ledger, "--key", key])).toBe(1);
    expect(errors.join("\n")).toMatch(/INVALID: .*ledger\.jsonl\.head: its tag does not match its count \(3\)/);
  });

  it("refuses a key kept inside the run directory, or too short, with exit 2", async () => {
    const out = join(work, "run2");
    const short = join(work, "short.key");
    writeFileSync(short, "abc");
    expect(await main(["hubs", "experiments/hubs-semiconductor.json", "--out", out, "--no-optimum", "--ledger-key", short])).toBe(2);
    expect(errors.join("\n")).toMatch(/at least 32 bytes/);
    expect(await main(["hubs", "experiments/hubs-semiconductor.json", "--out", out, "--no-optimum"])).toBe(0);
    const inside = join(out, "my.key");
    writeFileSync(inside, Buffer.alloc(32, 1));
    expect(await main(["ledger", "verify", join(out, "ledger.jsonl"), "--key", inside])).toBe(2);
    expect(errors.join("\n")).toMatch(/must be kept outside the run directory/);
  });

  it("ledger verify of a folder is exit 2 naming the ledger file to give", async () => {
    expect(await main(["ledger", "verify", join(work, "run2")])).toBe(2);
    expect(errors.join("\n")).toMatch(/is a directory; give the ledger file \(.*ledger\.jsonl\)/);
  });
});
