import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { PAPER_CONFIG } from "../contracts/paper.js";
import { parseCsv } from "../io/csv.js";

const quiet = () => {
  vi.spyOn(console, "log").mockImplementation(() => {});
  return vi.spyOn(console, "error").mockImplementation(() => {});
};

describe("supplygym negotiate", () => {
  it("runs the paper setting and writes messages, outcomes and a manifest", async () => {
    quiet();
    const root = mkdtempSync(join(tmpdir(), "negotiate-"));
    for (const flag of ["--check", "--no-check"]) {
      const out = join(root, flag);
      expect(await main(["negotiate", "experiments/contracts-paper.json", "--out", out, flag])).toBe(0);
      for (const f of ["messages.csv", "outcomes.csv", "actors.csv", "summary.csv", "manifest.json"])
        expect(existsSync(join(out, f))).toBe(true);
      const [o] = parseCsv(readFileSync(join(out, "outcomes.csv"), "utf8"));
      expect(o.condition).toBe(flag === "--check" ? "analytic-check" : "analytic-no-check");
      expect(o.illogical_price).toBe("true"); // with the check: prices out of order with costs
      expect(o.overtime_while_normal_idle).toBe(flag === "--check" ? "false" : "true");
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
      expect(manifest.protocol_violations).toBeUndefined(); // validated (an error otherwise), not counted
      expect(manifest.config.negotiation.check).toBe(flag === "--check");
      expect(parseCsv(readFileSync(join(out, "messages.csv"), "utf8")).length).toBe(manifest.messages);
    }
  });

  it("runs stochastic demand with buy-back over several episodes", async () => {
    quiet();
    const out = join(mkdtempSync(join(tmpdir(), "negotiate-")), "run");
    expect(
      await main([
        "negotiate",
        "experiments/contracts-stochastic.json",
        "--out",
        out,
        "--episodes",
        "4",
        "--condition",
        "analytic-check-buyback",
      ]),
    ).toBe(0);
    const rows = parseCsv(readFileSync(join(out, "outcomes.csv"), "utf8"));
    expect(rows.length).toBe(4);
    expect(new Set(rows.map((r) => r.demand)).size).toBe(4);
    expect(rows.every((r) => r.contract === "buyback")).toBe(true);
    // The chain efficiency of summary.csv is the ratio of sums over the negotiations (as in `supplygym run`).
    const [summary] = parseCsv(readFileSync(join(out, "summary.csv"), "utf8"));
    const total = (k: string) => rows.reduce((a, r) => a + Number(r[k]), 0);
    expect(Number(summary.chain_efficiency)).toBeCloseTo(total("chain_profit") / total("max_chain_profit"), 9);
  });

  it("exits 2 naming the field of a bad config, and on bad flags", async () => {
    const err = quiet();
    const dir = mkdtempSync(join(tmpdir(), "negotiate-"));
    const cfg = JSON.parse(readFileSync("experiments/contracts-paper.json", "utf8"));
    cfg.env.options.config.subcontractors[0].maxCapacity = 10;
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(cfg));
    expect(await main(["negotiate", file, "--out", join(dir, "x")])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/env\.options\.config\.subcontractors\[0\]\.maxCapacity/);
    expect(await main(["negotiate", "experiments/contracts-paper.json", "--check", "--no-check"])).toBe(2);
    expect(await main(["negotiate", "experiments/contracts-paper.json", "--episodes", "0"])).toBe(2);
    expect(await main(["negotiate", join(dir, "missing.json")])).toBe(2);
    expect(existsSync(join(dir, "x"))).toBe(false);
    // --condition: unknown, learned, or with a bare negotiation config
    expect(await main(["negotiate", "experiments/contracts-paper.json", "--condition", "nope"])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/analytic-no-check, analytic-check/);
    expect(await main(["negotiate", "experiments/contracts-paper.json", "--condition", "learned-retailer"])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/has learned agents/);
    const bare = join(dir, "bare.json");
    writeFileSync(bare, JSON.stringify(PAPER_CONFIG));
    expect(await main(["negotiate", bare, "--condition", "analytic-check"])).toBe(2);
  });

  it("takes an analytic condition's envOptions (--condition) and still reads a bare negotiation config", async () => {
    quiet();
    const root = mkdtempSync(join(tmpdir(), "negotiate-"));
    expect(
      await main([
        "negotiate",
        "experiments/contracts-paper.json",
        "--out",
        join(root, "a"),
        "--condition",
        "analytic-no-check",
        "--episodes",
        "1",
      ]),
    ).toBe(0);
    const [a] = parseCsv(readFileSync(join(root, "a", "outcomes.csv"), "utf8"));
    expect([a.condition, a.illogical_price]).toEqual(["analytic-no-check", "true"]);
    const manifest = JSON.parse(readFileSync(join(root, "a", "manifest.json"), "utf8"));
    expect(manifest.config.experiment).toBe("contracts-paper");
    expect(manifest.config.seed).toBe(1000); // the experiment's evaluation.seed
    const bare = join(root, "bare.json");
    writeFileSync(bare, JSON.stringify({ ...PAPER_CONFIG, negotiation: { ...PAPER_CONFIG.negotiation, check: false } }));
    expect(await main(["negotiate", bare, "--out", join(root, "b"), "--seed", "1000"])).toBe(0);
    const [b] = parseCsv(readFileSync(join(root, "b", "outcomes.csv"), "utf8"));
    expect(b).toEqual(a); // the same negotiation either way
  });
});
