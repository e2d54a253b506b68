import { describe, expect, it } from "vitest";
import { ConfigError } from "../io/errors.js";
import { parseSensitivitySpec, runSensitivity } from "./contracts-sensitivity.js";

describe("contracts sensitivity", () => {
  const spec = parseSensitivitySpec({
    name: "t",
    instances: 20,
    subcontractors: [3],
    demandPositions: [0.5],
    tactics: ["boulware", "conceder"],
    retailerCosts: [0.5, 6],
    deadlines: [3, 10],
  });

  it("one row per cell and check, plus the paper's setting once per check value; deterministic", () => {
    const rows = runSensitivity(spec);
    expect(rows.filter((r) => r.instance === "paper").map((r) => [r.check, r.negotiations])).toEqual([
      [false, 1],
      [true, 1],
    ]);
    expect(rows.filter((r) => r.instance === "generated")).toHaveLength(2 * 2 * 2 * 2);
    expect(rows.every((r) => r.instance === "paper" || r.negotiations === 20)).toBe(true);
    expect(runSensitivity(spec)).toEqual(rows);
    // c_R changes only the retailer's added value (its margin is kept): the negotiation, hence the illogical
    // rate, is the same, but fairness against added value moves
    const at = (cR: number) =>
      rows.find((r) => r.instance === "generated" && r.tactic === "boulware" && r.deadline === 10 && r.check && r.retailer_cost === cR)!;
    expect(at(0.5).illogical_rate).toBe(at(6).illogical_rate);
    expect(at(0.5).mean_fairness_tv).not.toBeCloseTo(at(6).mean_fairness_tv, 2);
    // undefined indices are counted, not dropped silently
    for (const r of rows) expect(r.undefined_jain_profit).toBeGreaterThanOrEqual(0);
  });

  it("bad input names the JSON path", () => {
    expect(() =>
      parseSensitivitySpec(
        { name: "t", instances: 0, subcontractors: [3], demandPositions: [2], tactics: ["x"], retailerCosts: [1], deadlines: [3] },
        "s.json",
      ),
    ).toThrow(ConfigError);
    expect(() =>
      parseSensitivitySpec(
        { name: "t", instances: 1, subcontractors: [3], demandPositions: [2], tactics: ["linear"], retailerCosts: [1], deadlines: [3] },
        "s.json",
      ),
    ).toThrow(/demandPositions/);
  });
});
