import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { resolveHubsConfig } from "./config.js";
import { episodeEvents, predictedCut, supplyAt } from "./shortages.js";
import { tinyConfig } from "./test-fixtures.js";

describe("shortages", () => {
  it("cuts supply by the fraction for the duration; overlapping events compound; announcements gate forecasts", () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.horizon = 1;
    raw.shortages.events = [
      { start: 1, duration: 2, hubs: ["low"], resource: "chips", fraction: 0.5 },
      { start: 2, duration: 1, hubs: "*", resource: "chips", fraction: 0.2, announced: 2 },
    ];
    const cfg = resolveHubsConfig(raw);
    const ev = cfg.events;
    expect(supplyAt(cfg, ev, 0)[0][0]).toBe(100);
    expect(supplyAt(cfg, ev, 1)[0][0]).toBe(50);
    expect(supplyAt(cfg, ev, 2)[0][0]).toBeCloseTo(40, 12); // 100 * 0.5 * 0.8
    expect(supplyAt(cfg, ev, 2)[1][0]).toBeCloseTo(40, 12); // 50 * 0.8
    expect(supplyAt(cfg, ev, 3)[0][0]).toBe(100);
    // Known at period 1: the second event is not announced yet.
    expect(supplyAt(cfg, ev, 2, 1)[0][0]).toBe(50);
    expect(predictedCut(cfg, ev, 0, 0, 2, 1)).toBeCloseTo(0.5, 12);
    expect(predictedCut(cfg, ev, 0, 0, 2, 2)).toBeCloseTo(0.6, 12);
  });

  it("the generator is deterministic given the seed and draws within its ranges", () => {
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.periods = 50;
    raw.shortages.generator = { rate: 0.5, fractionMin: 0.1, fractionMax: 0.3, durationMin: 2, durationMax: 4 };
    const cfg = resolveHubsConfig(raw);
    const a = episodeEvents(cfg, new Rng(3));
    const b = episodeEvents(cfg, new Rng(3));
    const c = episodeEvents(cfg, new Rng(4));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBeGreaterThan(10);
    for (const e of a) {
      expect(e.fraction).toBeGreaterThanOrEqual(0.1);
      expect(e.fraction).toBeLessThanOrEqual(0.3);
      expect(e.duration).toBeGreaterThanOrEqual(2);
      expect(e.duration).toBeLessThanOrEqual(4);
      expect(e.announced).toBe(Math.max(0, e.start - cfg.horizon));
    }
  });
});
