import { describe, expect, it } from "vitest";
import { resolveHubsConfig } from "./config.js";
import { runHubEpisode } from "./episode.js";
import { tinyConfig } from "./test-fixtures.js";

describe("runHubEpisode: efficiency and Pareto by src/eval's definitions", () => {
  it("gain captured = (value - no trade) / (optimum - no trade); a hub selling below its loss makes it no Pareto improvement", async () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.periods = 2;
    raw.mechanism = { kind: "vickrey", maxRounds: 2 }; // high gets 2 of the 5 lots it lacks each period
    const cfg = resolveHubsConfig(raw);
    const out = await runHubEpisode(cfg);
    // Hand computed: per period high (value 20 a chip) gains 2 lots x 10 x 20 = 400, low loses 2 x 10 x 2 = 40.
    // No trade: low 100 x 1 = 100; high 50 x 10 - 50 x 10 = 0. Optimum: all 150 chips to their best use: low 50 x
    // 1 - 50 x 1 = 0, high 100 x 10 = 1000 -> 1000 a period.
    expect(out.noTradeValue).toBeCloseTo(2 * 100, 9);
    expect(out.totalValue).toBeCloseTo(2 * (100 + 400 - 40), 9);
    expect(out.optimumValue).toBeCloseTo(2 * 1000, 6);
    expect(out.efficiency).toBeCloseTo((920 - 200) / (2000 - 200), 9);
    expect(out.paretoImprovement).toBe(true);
    // low asks nothing for its chips (ask scale 0): it sells at a price of 0 and ends below its no-trade reward
    const giveaway = { act: () => [1, 1, 1, 0, 1, 1] };
    const bad = await runHubEpisode(cfg, { policies: { low: giveaway }, optimum: false });
    expect(bad.hubs.find((h) => h.hub === "low")!.gainVsNoTrade).toBeCloseTo(-2 * 40, 9);
    expect(bad.paretoImprovement).toBe(false);
    expect(bad.efficiency).toBeNaN(); // no optimum computed
  });
});
