import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../io/errors.js";
import { loadHubsConfig, resolveHubsConfig } from "./config.js";
import { tinyConfig } from "./test-fixtures.js";

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected a ConfigError");
}

describe("hubs config", () => {
  it("fills defaults and resolves indices", () => {
    const cfg = tinyConfig();
    expect(cfg.mechanism.kind).toBe("both");
    expect(cfg.review.k).toBe(3);
    expect(cfg.resources[0].storable).toBe(true);
    expect(cfg.resources[1].storable).toBe(false);
    expect(cfg.hubs[0].products[0].demand).toEqual([100, 100, 100]);
    expect(cfg.hubs[0].products[0].delayPerUnit).toBe(1);
    expect(cfg.hubs[0].energyLimit).toBe(Infinity);
  });

  it("names the JSON path of every broken rule", () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.hubs[1].products[0].needs.steel = 1;
    raw.hubs[0].storageCapacity = 10;
    raw.shortages.events = [{ start: 0, duration: 1, hubs: ["nope"], resource: "chips", fraction: 0.5 }];
    const issues = issuesOf(() => resolveHubsConfig(raw, "x.json"));
    expect(issues).toContain('hubs[1].products[0].needs.steel: unknown resource "steel" (known: chips, labour, energy)');
    expect(issues.some((i) => i.startsWith("hubs[0].storageCapacity: 10 is below"))).toBe(true);
    expect(issues).toContain('shortages.events[0].hubs[0]: unknown hub "nope"');
  });

  it("reports zod errors with paths", () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.hubs[0].products[0].unitsPerHour = -1;
    raw.shortages.events = [{ start: 0, duration: 1, hubs: "*", resource: "chips", fraction: 1.5 }];
    const issues = issuesOf(() => resolveHubsConfig(raw));
    expect(issues.some((i) => i.startsWith("hubs[0].products[0].unitsPerHour:"))).toBe(true);
    expect(issues.some((i) => i.startsWith("shortages.events[0].fraction:"))).toBe(true);
  });

  it("loads historical events from a CSV next to the config, naming bad rows", () => {
    const dir = mkdtempSync(join(tmpdir(), "hubs-cfg-"));
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.shortages = { events: [], historyCsv: "history.csv" };
    writeFileSync(join(dir, "history.csv"), "start,duration,hubs,resource,fraction\n1,2,low;high,chips,0.25\n0,1,*,labour,0.5\n");
    writeFileSync(join(dir, "c.json"), JSON.stringify(raw));
    const cfg = loadHubsConfig(join(dir, "c.json"));
    expect(cfg.events).toEqual([
      { start: 1, duration: 2, hubs: [0, 1], resource: 0, fraction: 0.25, announced: 0 },
      { start: 0, duration: 1, hubs: [0, 1], resource: 1, fraction: 0.5, announced: 0 },
    ]);
    writeFileSync(join(dir, "history.csv"), "start,duration,hubs,resource,fraction\n1,0,low,chips,0.25\n");
    const issues = issuesOf(() => loadHubsConfig(join(dir, "c.json")));
    expect(issues[0]).toMatch(/^shortages\.historyCsv\(history\.csv\)\[row 1\]\.duration:/);
  });

  it("loads through src/io/config (readJsonFile, parseConfig): unknown keys named by path, unreadable files and bad JSON are usage errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "hubs-cfg-"));
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.mechanism.speed = 3;
    expect(issuesOf(() => resolveHubsConfig(raw, "c.json"))).toEqual(["mechanism.speed: unknown key"]);
    writeFileSync(join(dir, "bad.json"), "{ nope");
    expect(() => loadHubsConfig(join(dir, "bad.json"))).toThrow(UsageError);
    expect(() => loadHubsConfig(join(dir, "bad.json"))).toThrow(/bad\.json: not valid JSON/);
    expect(() => loadHubsConfig(join(dir, "missing.json"))).toThrow(/missing\.json: no such file/);
  });
});
