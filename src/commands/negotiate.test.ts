import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
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
      for (const f of ["messages.csv", "outcomes.csv", "actors.csv", "summary.csv", "manifest.json"]) expect(existsSync(join(out, f))).toBe(true);
      const [o] = parseCsv(readFileSync(join(out, "outcomes.csv"), "utf8"));
      expect(o.condition).toBe(flag === "--check" ? "analytic-check" : "analytic-no-check");
      expect(o.illogical_price).toBe(flag === "--check" ? "false" : "true");
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
      expect(manifest.protocol_violations).toBe(0);
      expect(manifest.config.negotiation.check).toBe(flag === "--check");
      expect(parseCsv(readFileSync(join(out, "messages.csv"), "utf8")).length).toBe(manifest.messages);
    }
  });

  it("runs stochastic demand with buy-back over several episodes", async () => {
    quiet();
    const out = join(mkdtempSync(join(tmpdir(), "negotiate-")), "run");
    expect(await main(["negotiate", "experiments/contracts-stochastic.json", "--out", out, "--episodes", "4"])).toBe(0);
    const rows = parseCsv(readFileSync(join(out, "outcomes.csv"), "utf8"));
    expect(rows.length).toBe(4);
    expect(new Set(rows.map((r) => r.demand)).size).toBe(4);
    expect(rows.every((r) => r.contract === "buyback")).toBe(true);
  });

  it("exits 2 naming the field of a bad config, and on bad flags", async () => {
    const err = quiet();
    const dir = mkdtempSync(join(tmpdir(), "negotiate-"));
    const cfg = JSON.parse(readFileSync("experiments/contracts-paper.json", "utf8"));
    cfg.subcontractors[0].maxCapacity = 10;
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(cfg));
    expect(await main(["negotiate", file, "--out", join(dir, "x")])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/subcontractors\[0\]\.maxCapacity/);
    expect(await main(["negotiate", "experiments/contracts-paper.json", "--check", "--no-check"])).toBe(2);
    expect(await main(["negotiate", "experiments/contracts-paper.json", "--episodes", "0"])).toBe(2);
    expect(await main(["negotiate", join(dir, "missing.json")])).toBe(2);
    expect(existsSync(join(dir, "x"))).toBe(false);
  });
});
