import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHubsConfig } from "../../hubs/config.js";
import { runHubEpisode } from "./hub-episode.js";
import { MemoryLedger } from "../../hubs/ledger.js";
import { ReviewQueue } from "../../hubs/review.js";

const file = join(import.meta.dirname, "..", "..", "..", "experiments", "hubs-semiconductor.json");

describe("experiments/hubs-semiconductor.json (seed 000's worked example)", async () => {
  const cfg = loadHubsConfig(file);
  const ledger = new MemoryLedger();
  const out = await runHubEpisode(cfg, { ledger, queue: new ReviewQueue() });
  const A = out.hubs.find((h) => h.hub === "A")!;
  const B = out.hubs.find((h) => h.hub === "B")!;
  const C = out.hubs.find((h) => h.hub === "C")!;
  const executed = out.trades.filter((t) => t.status === "executed");

  it("B gets the chips during the shortage (periods 1-3): every chip trade goes from A to B and fills B's need", () => {
    const chipTrades = executed.filter((t) => t.resource === "chips");
    expect(chipTrades.length).toBeGreaterThan(0);
    expect(chipTrades.every((t) => t.seller === "A" && t.buyer === "B" && t.period >= 1 && t.period <= 3)).toBe(true);
    // B's allocation 320 is cut to 160; 4 chips per device, 80 devices ordered -> B needs all 320 back.
    for (const t of [1, 2, 3]) expect(chipTrades.filter((x) => x.period === t).reduce((s, x) => s + x.quantity, 0)).toBe(160);
  });

  it("A is paid in future labour priority, and the credits are honoured in A's labour crunch (periods 6-8)", () => {
    const priority = executed.filter((t) => t.payment === "priority");
    expect(priority.length).toBeGreaterThan(0);
    expect(priority.every((t) => t.seller === "A" && t.creditResource === "labour" && t.money === 0)).toBe(true);
    // Every credit is fully redeemed, in the crunch periods, and gave A value.
    expect(out.credits.every((c) => c.remaining < 1e-6)).toBe(true);
    const redemptions = ledger.records.filter((r) => r.type === "credit_redemption");
    expect(redemptions.length).toBeGreaterThan(0);
    expect(redemptions.every((r) => r.holder === "A" && (r.period as number) >= 6 && (r.period as number) <= 8)).toBe(true);
    expect(A.creditValue).toBeGreaterThan(0);
    // B has 80 spare labour hours at the crunch, so honouring costs B nothing.
    expect(B.creditValue).toBeCloseTo(0, 6);
  });

  it("the total delay cost falls against no trade, and the outcome stays below the social optimum", () => {
    expect(out.totalDelayCost).toBeLessThan(out.noTradeDelayCost);
    for (const p of out.periods) expect(p.value).toBeLessThanOrEqual(p.optimumValue + 1e-6 * Math.abs(p.optimumValue) + 1e-6);
    expect(out.efficiency).toBeGreaterThan(0.9);
    expect(out.efficiency).toBeLessThanOrEqual(1 + 1e-9);
  });

  it("no hub is worse off (a Pareto improvement) and A and B are strictly better off", () => {
    expect(out.paretoImprovement).toBe(true);
    expect(A.gainVsNoTrade).toBeGreaterThan(0);
    expect(B.gainVsNoTrade).toBeGreaterThan(0);
    expect(C.gainVsNoTrade).toBeCloseTo(0, 6);
  });

  it("without the labour crunch A would not accept priority: it is paid in money instead", async () => {
    const raw = JSON.parse(JSON.stringify(cfg.raw));
    raw.shortages.events = raw.shortages.events.filter((e: { resource: string }) => e.resource !== "labour");
    const { resolveHubsConfig } = await import("../../hubs/config.js");
    const o = await runHubEpisode(resolveHubsConfig(raw), { optimum: false });
    const ex = o.trades.filter((t) => t.status === "executed" && t.resource === "chips");
    expect(ex.length).toBeGreaterThan(0);
    expect(ex.every((t) => t.payment === "money" && t.money > 0)).toBe(true);
    expect(o.paretoImprovement).toBe(true);
  });
});
