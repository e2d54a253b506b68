import { describe, expect, it } from "vitest";
import { hubsMetrics } from "../../eval/hubs-metrics.js";
import { resolveHubsConfig } from "../../hubs/config.js";
import { hubEpisodeRecord, runHubEpisode } from "./hub-episode.js";
import { tinyConfig } from "../../hubs/test-fixtures.js";

describe("runHubEpisode: efficiency and Pareto by src/eval's definitions", () => {
  it("gain captured = (value - no trade) / (optimum - no trade); a hub selling below its loss makes it no Pareto improvement", async () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.periods = 2;
    raw.mechanism = { kind: "sequential-second-price", maxRounds: 2 }; // high gets 2 of the 5 lots it lacks each period
    const cfg = resolveHubsConfig(raw);
    const out = await runHubEpisode(cfg);
    // Hand computed: per period high (value 20 a chip) gains 2 lots x 10 x 20 = 400, low loses 2 x 10 x 2 = 40.
    // No trade: low 100 x 1 = 100; high 50 x 10 - 50 x 10 = 0. Optimum: all 150 chips to their best use: low 50 x
    // 1 - 50 x 1 = 0, high 100 x 10 = 1000 -> 1000 a period.
    expect(out.noTradeValue).toBeCloseTo(2 * 100, 9);
    expect(out.totalValue).toBeCloseTo(2 * (100 + 400 - 40), 9);
    expect(out.optimumValue).toBeCloseTo(2 * 1000, 6);
    expect(out.efficiency).toBeCloseTo((920 - 200) / (2000 - 200), 9);
    expect(out.efficiency).toBe(hubsMetrics([hubEpisodeRecord(out)])["efficiency/gain_captured"]);
    expect(out.paretoImprovement).toBe(true);
    // low asks nothing for its chips (ask scale 0): it sells at a price of 0 and ends below its no-trade reward
    const giveaway = { act: () => [1, 1, 1, 0, 1, 1] };
    const bad = await runHubEpisode(cfg, { policies: { low: giveaway }, optimum: false });
    expect(bad.hubs.find((h) => h.hub === "low")!.gainVsNoTrade).toBeCloseTo(-2 * 40, 9);
    expect(bad.paretoImprovement).toBe(false);
    expect(bad.efficiency).toBeNaN(); // no optimum computed
  });

  it("shadow mode executes nothing, so it reports no Pareto improvement (and no deficit); VCG's deficit is reported", async () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.periods = 2;
    raw.mechanism = { kind: "vcg", maxRounds: 6 };
    const cfg = resolveHubsConfig(raw);
    const shadow = await runHubEpisode(cfg, { shadow: true, optimum: false });
    expect(shadow.trades.some((t) => t.status === "shadow")).toBe(true);
    expect(shadow.trades.some((t) => t.status === "executed")).toBe(false);
    expect(shadow.paretoImprovement).toBe(false);
    expect(shadow.mechanismDeficit).toBe(0);
    const live = await runHubEpisode(cfg, { optimum: false });
    expect(live.paretoImprovement).toBe(true);
    // two hubs: high pays low's loss, low receives high's gain; the company pays the difference
    const ex = live.trades.filter((t) => t.status === "executed");
    expect(ex.length).toBeGreaterThan(0);
    const deficit = ex.reduce((s, t) => s + (t.subsidy ?? 0), 0);
    expect(deficit).toBeGreaterThan(0);
    expect(live.mechanismDeficit).toBeCloseTo(deficit, 9);
    for (const t of ex) expect(t.money + (t.subsidy ?? 0)).toBeCloseTo(t.buyerGain, 6);
    for (const t of ex) expect(t.money).toBeCloseTo(t.sellerLoss, 6);
  });
});
