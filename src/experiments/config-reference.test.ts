import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseNegotiationConfig } from "../contracts/config.js";
import { PAPER_CONFIG } from "../contracts/paper.js";
import { EquilibriumSolver } from "../market/equilibrium.js";
import { compileMarket, marketSpecSchema } from "../market/spec.js";
import { CONFIG_FORMATS, undocumentedFields, withReference } from "./config-reference.js";

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), "utf8");

describe("docs/config.md", () => {
  it("its generated reference is current (run npm run docs:config after changing a schema)", () => {
    const doc = read("../../docs/config.md");
    expect(doc).toBe(withReference(doc));
    for (const f of CONFIG_FORMATS) expect(doc).toContain(`### ${f.title}`);
  });

  it("every field of every format carries a describe() text (the one options pattern), and the check sees a missing one", () => {
    for (const f of CONFIG_FORMATS) expect(undocumentedFields(f.schema), f.title).toEqual([]);
    const bare = z.strictObject({ a: z.number().describe("documented"), b: z.strictObject({ c: z.boolean() }).optional() });
    expect(undocumentedFields(bare)).toEqual(["b.c"]);
  });

  it("its examples are valid: four producers per layer clear; a fourth subcontractor parses", () => {
    const file = JSON.parse(read("../../experiments/kaihara-paper.json")) as { market: { groups: { agents: unknown[] }[] } };
    file.market.groups[0].agents.push({ name: "A[0][3]", a: [6, 6, 6], budget: 8 });
    file.market.groups[1].agents.push({ name: "A[1][3]", a: [6, 6, 6], budget: 40 });
    const market = compileMarket(marketSpecSchema.parse(file.market));
    expect(market.nAgents).toBe(8);
    const eq = new EquilibriumSolver(market).solve();
    expect(eq.prices.every((p) => p > 0 && Number.isFinite(p))).toBe(true);
    const cfg = parseNegotiationConfig({
      ...PAPER_CONFIG,
      subcontractors: [
        ...PAPER_CONFIG.subcontractors,
        { id: "S4", normalCapacity: 20, maxCapacity: 35, unitCost: 10.5, extraCost: 3, tactic: "linear", markup: 0.5 },
      ],
    });
    expect(cfg.subcontractors.map((s) => s.id)).toEqual(["S1", "S2", "S3", "S4"]);
  });
});
