import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { parseCsv } from "../io/csv.js";

describe("supplygym contracts-sensitivity", () => {
  it("writes the cells, the table, the figure and a manifest; bad input exits 2 naming the field", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const dir = mkdtempSync(join(tmpdir(), "sensitivity-"));
    const spec = {
      name: "tiny",
      instances: 3,
      subcontractors: [3],
      demandPositions: [0.5],
      tactics: ["conceder"],
      retailerCosts: [3],
      deadlines: [5],
    };
    const file = join(dir, "s.json");
    writeFileSync(file, JSON.stringify(spec));
    const out = join(dir, "run");
    expect(await main(["contracts-sensitivity", file, "--out", out])).toBe(0);
    for (const f of ["sensitivity.csv", "table.md", "illogical-rate.svg", "manifest.json"]) expect(existsSync(join(out, f))).toBe(true);
    const rows = parseCsv(readFileSync(join(out, "sensitivity.csv"), "utf8"));
    expect(rows.map((r) => `${r.instance}/${r.check}`)).toEqual(["paper/false", "paper/true", "generated/false", "generated/true"]);
    expect(readFileSync(join(out, "table.md"), "utf8")).toMatch(/\| conceder \|/);
    writeFileSync(file, JSON.stringify({ ...spec, deadlines: [0] }));
    expect(await main(["contracts-sensitivity", file, "--out", join(dir, "bad")])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/deadlines\[0\]/);
    expect(existsSync(join(dir, "bad"))).toBe(false);
  });
});
