import { describe, expect, it } from "vitest";
import { resolveHubsConfig } from "./config.js";
import { hubValue } from "./production.js";
import { socialOptimum } from "./optimum.js";
import { tinyConfig } from "./test-fixtures.js";

describe("socialOptimum (HiGHS)", () => {
  it("moves the scarce resource to its most valuable use (hand computed)", async () => {
    const cfg = tinyConfig();
    // 150 chips in total. "high" values a chip at 10 + 10 = 20, "low" at 1 + 1 = 2; demand 100 each.
    // Optimum: high makes 100 (100 chips), low makes 50. Value = (1000 - 0) + (50 - 50) = 1000.
    const opt = await socialOptimum(
      cfg.hubs,
      cfg.resources,
      0,
      cfg.hubs.map((h) => h.supply),
    );
    expect(opt.status).toBe("Optimal");
    expect(opt.production[1][0]).toBeCloseTo(100, 6);
    expect(opt.production[0][0]).toBeCloseTo(50, 6);
    expect(opt.value).toBeCloseTo(1000, 6);
    expect(opt.delayCost).toBeCloseTo(50, 6);
    // Chips are the binding resource; the marginal chip goes to "low" at 2 per chip.
    expect(opt.shadowPrices[0][0]).toBeCloseTo(2, 6);
    // No-trade value for comparison: low 100 - 0, high 500 - 500 -> 100 < 1000.
    const noTrade = cfg.hubs.reduce((s, h) => s + hubValue(h, cfg.resources, 0, h.supply), 0);
    expect(noTrade).toBeCloseTo(100, 9);
  });

  it("honours storage capacity, energy limits and non-transferable resources", async () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.hubs[1].storageCapacity = 70; // high can hold at most 70 chips
    const cfg = resolveHubsConfig(raw);
    const opt = await socialOptimum(
      cfg.hubs,
      cfg.resources,
      0,
      cfg.hubs.map((h) => h.supply),
    );
    expect(opt.holdings[1][0]).toBeLessThanOrEqual(70 + 1e-6);
    expect(opt.production[1][0]).toBeCloseTo(70, 6);
    expect(opt.production[0][0]).toBeCloseTo(80, 6);

    raw.hubs[1].storageCapacity = undefined;
    raw.hubs[1].energyLimit = 6; // 6 / 0.1 = 60 units
    raw.resources[0].transferable = true;
    const cfg2 = resolveHubsConfig(raw);
    const opt2 = await socialOptimum(
      cfg2.hubs,
      cfg2.resources,
      0,
      cfg2.hubs.map((h) => h.supply),
    );
    expect(opt2.production[1][0]).toBeCloseTo(60, 6);

    raw.hubs[1].energyLimit = undefined;
    raw.resources[0].transferable = false;
    const cfg3 = resolveHubsConfig(raw);
    const opt3 = await socialOptimum(
      cfg3.hubs,
      cfg3.resources,
      0,
      cfg3.hubs.map((h) => h.supply),
    );
    expect(opt3.value).toBeCloseTo(100, 6); // nothing can move: the no-trade value
  });
});
