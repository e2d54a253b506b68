import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimentJsonSchemaText, SCHEMA_FILE } from "./json-schema.js";
import { loadExperiment } from "./schema.js";

describe("experiments/experiment.schema.json", () => {
  it("is up to date with the experiment schema (regenerate with `npm run schema`)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(experimentJsonSchemaText());
  });

  it("every shipped experiment file names it in $schema and validates", () => {
    const dir = dirname(SCHEMA_FILE);
    const files = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "experiment.schema.json");
    const experiments = files.filter((f) => {
      const raw = JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>;
      return "scenario" in raw && "conditions" in raw;
    });
    expect(experiments.length).toBeGreaterThanOrEqual(5);
    for (const f of experiments) {
      const raw = JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>;
      expect(raw.$schema, f).toBe("./experiment.schema.json");
      expect(() => loadExperiment(join(dir, f)), f).not.toThrow();
    }
  });

  it("carries the fields' descriptions and the built-in names as examples", () => {
    const schema = JSON.parse(experimentJsonSchemaText()) as { properties: Record<string, { description?: string; examples?: string[] }> };
    expect(schema.properties.scenario.examples).toEqual(["market", "contracts", "hubs"]);
    expect(schema.properties.plugins.description).toMatch(/relative to this file/);
    const conditions = schema.properties.conditions as unknown as { items: { properties: Record<string, { description?: string }> } };
    expect(conditions.items.properties.strategies.description).toMatch(/registered strategy/);
  });
});
