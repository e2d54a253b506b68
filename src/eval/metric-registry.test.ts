import { describe, expect, it } from "vitest";
import { RegistrationError } from "../io/errors.js";
import { HUBS_METRICS } from "./hubs-metrics.js";
import { computeRegisteredMetrics, getMetric, metricDefs, registerMetric, selectableMetricNames } from "./metric-registry.js";
import { MARKET_METRICS } from "./outcome-metrics.js";

describe("metric registry", () => {
  it("every built-in default metric is registered for its scenario with a unit, definition and aggregation", () => {
    for (const [scenario, list] of [
      ["market", MARKET_METRICS],
      ["hubs", HUBS_METRICS],
    ] as const) {
      for (const m of list) {
        const def = getMetric(m);
        expect(def, m).toBeDefined();
        expect(def!.scenarios).toContain(scenario);
      }
    }
    for (const d of metricDefs())
      for (const k of ["unit", "definition", "aggregation"] as const) expect(d[k].length, `${d.name}.${k}`).toBeGreaterThan(2);
    expect(selectableMetricNames("market")).not.toContain("profit/<agent>");
    expect(selectableMetricNames("market")).not.toContain("efficiency/chain");
  });

  it("refuses a taken name, a name without a namespace and missing fields", () => {
    const def = { name: "efficiency/first_best", unit: "ratio", definition: "x", aggregation: "mean", scenarios: ["market"] };
    expect(() => registerMetric(def)).toThrow(RegistrationError);
    expect(() => registerMetric({ ...def, name: "plain" })).toThrow(/must be namespaced/);
    expect(() => registerMetric({ ...def, name: "test/no_unit", unit: "" })).toThrow(/unit must be a non-empty string/);
    expect(() => registerMetric({ ...def, name: "test/no_scenario", scenarios: [] })).toThrow(/at least one scenario/);
  });

  it("computes registered metrics of the input's scenario from plain records", () => {
    registerMetric({
      name: "test/episodes",
      unit: "count",
      definition: "episodes.csv rows",
      aggregation: "count",
      scenarios: ["market"],
      compute: (i) => i.episodes.length,
    });
    const input = { scenario: "market", records: [], episodes: [{ agent: "a" }, { agent: "b" }] };
    expect(computeRegisteredMetrics(["test/episodes", "efficiency/first_best"], input)).toEqual({ "test/episodes": 2 });
    expect(computeRegisteredMetrics(["test/episodes"], { ...input, scenario: "hubs" })).toEqual({});
  });
});
