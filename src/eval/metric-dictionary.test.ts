import { describe, expect, it } from "vitest";
import { dictionaryRows, metricInfo, metricTitle } from "./metric-dictionary.js";

describe("metric dictionary", () => {
  it("per-agent metrics take their family's entry: profit/<agent> and exploitability/<agent>", () => {
    const rows = dictionaryRows(["exploitability/A[1][1]", "exploitability/nash_conv", "profit/A[1][1]", "profit/total"]);
    for (const r of rows) {
      expect(r.unit, r.metric).not.toBe("");
      expect(r.definition, r.metric).not.toBe("");
      expect(r.aggregation, r.metric).not.toBe("");
    }
    const exploit = rows.find((r) => r.metric === "exploitability/A[1][1]")!;
    expect(exploit.unit).toBe("money per period");
    expect(exploit.higher_is_better).toBe(false);
    expect(exploit.definition).toMatch(/best-response gain/);
    expect(metricTitle("exploitability/H0", "hubs")).toBe("exploitability of H0 (money per period)");
    expect(metricTitle("profit/retailer", "contracts")).toBe("profit of retailer (money per negotiation)");
    expect(metricInfo("exploitability/nash_conv")!.label).toBe("NashConv");
    expect(metricInfo("profit/total")!.label).toBe("total profit");
  });

  it("an unregistered name has no entry (empty row), also under a per-agent family's prefix only when that family exists", () => {
    expect(metricInfo("nope/x")).toBeUndefined();
    expect(metricInfo("fairness/A[0][0]")).toBeUndefined();
    expect(dictionaryRows(["nope/x"])[0]).toMatchObject({ metric: "nope/x", unit: "", higher_is_better: null });
  });
});
