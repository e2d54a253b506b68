import { describe, expect, it } from "vitest";
import { resolveHubsConfig } from "./config.js";
import { marginalValues, planProduction } from "./production.js";
import { tinyConfig } from "./test-fixtures.js";

describe("planProduction", () => {
  it("a single product is limited by its scarcest resource (hand computed)", () => {
    const cfg = tinyConfig();
    const high = cfg.hubs[1];
    // demand 10 units/h * 10 h = 100; chips 50 -> 50 units; labour 100/0.5 = 200; energy 100/0.1 = 1000.
    const p = planProduction(high, cfg.resources, 0, high.supply);
    expect(p.x).toEqual([50]);
    expect(p.margin).toBe(500);
    expect(p.delayCost).toBeCloseTo(50 * (100 / 10), 9); // 50 units short at 10 per unit
    expect(p.value).toBeCloseTo(500 - 500, 9);
    expect(p.usage).toEqual([50, 25, 5]);
  });

  it("hard constraints bind: energy limit and contractual labour hours", () => {
    const base = tinyConfig();
    const raw = JSON.parse(JSON.stringify(base.raw));
    raw.hubs[0].energyLimit = 3; // 3 / 0.1 = 30 units
    raw.hubs[0].contractualLabourHours = 20; // 20 / 0.5 = 40 units
    const cfg = resolveHubsConfig(raw);
    expect(planProduction(cfg.hubs[0], cfg.resources, 0, cfg.hubs[0].supply).x[0]).toBeCloseTo(30, 12);
    raw.hubs[0].energyLimit = 100;
    const cfg2 = resolveHubsConfig(raw);
    expect(planProduction(cfg2.hubs[0], cfg2.resources, 0, cfg2.hubs[0].supply).x[0]).toBeCloseTo(40, 12);
  });

  it("two products share resources by value per unit of the bottleneck (hand computed)", () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.hubs[0].products = [
      { id: "a", marginPerUnit: 3, delayCostPerHour: 0, unitsPerHour: 1, demandPerPeriod: 30, needs: { chips: 2 } },
      { id: "b", marginPerUnit: 2, delayCostPerHour: 0, unitsPerHour: 1, demandPerPeriod: 80, needs: { chips: 1 } },
    ];
    const cfg = resolveHubsConfig(raw);
    // 100 chips: b earns 2 per chip, a 1.5 per chip -> all 80 of b, then 20 chips -> 10 of a. Value 160 + 30.
    const p = planProduction(cfg.hubs[0], cfg.resources, 0, [100, 100, 100]);
    expect(p.x[0]).toBeCloseTo(10, 9);
    expect(p.x[1]).toBeCloseTo(80, 9);
    expect(p.margin).toBeCloseTo(190, 9);
  });

  it("marginalValues: gain and loss of a lot, storage blocks receiving, shortage of holdings blocks giving", () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.hubs[1].storageCapacity = 55;
    const cfg = resolveHubsConfig(raw);
    const hold = [...cfg.hubs[1].supply];
    // Each chip is worth margin 10 + delay 10 to "high".
    const mv = marginalValues(cfg.hubs[1], cfg.resources, 0, hold, 0, 5);
    expect(mv.gain).toBeCloseTo(100, 9);
    expect(mv.loss).toBeCloseTo(100, 9);
    expect(marginalValues(cfg.hubs[1], cfg.resources, 0, hold, 0, 10).gain).toBe(-Infinity);
    expect(marginalValues(cfg.hubs[1], cfg.resources, 0, hold, 0, 60).loss).toBe(Infinity);
    expect(hold).toEqual(cfg.hubs[1].supply); // restored
  });
});
