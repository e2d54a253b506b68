import { describe, expect, it } from "vitest";
import { resolveHubsConfig } from "./config.js";
import { ConfigError } from "../io/errors.js";
import { resolveShortageForecastOptions, ShortagePredictor, supplyRatios } from "./shortage-forecast.js";
import { tinyConfig } from "./test-fixtures.js";

/** Six periods, horizon 2; hub "low" loses half its chips in periods 2-3, announced only when it hits. */
function cfg() {
  const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
  raw.periods = 6;
  raw.horizon = 2;
  raw.shortages.events = [{ start: 2, duration: 2, hubs: ["low"], resource: "chips", fraction: 0.5, announced: 2 }];
  return resolveHubsConfig(raw);
}

/** maxCut of (hub, resource) at each period 0..5 as the episode unfolds. */
function cuts(p: ShortagePredictor, h: number, r: number): number[] {
  const c = p.cfg;
  p.reset(c.events);
  const out: number[] = [];
  for (let t = 0; t < c.periods; t++) {
    if (t > 0) p.observeSupply(t);
    out.push(p.maxCut(h, r, t, t));
  }
  return out;
}

describe("ShortagePredictor (predicted cuts in HubTrading-v0 observations)", () => {
  it("supply ratios are supply / allocation", () => {
    const c = cfg();
    expect(supplyRatios(c, c.events, 2)).toEqual([
      [0.5, 1, 1],
      [1, 1, 1],
    ]);
  });

  it("announced events only: the cut shows once announced, for the periods still ahead", () => {
    const p = new ShortagePredictor(cfg(), { forecaster: "none", announced: true });
    // At t = 2 the event (periods 2-3) is announced; t+1 = 3 is cut by half. At t = 3 the periods ahead (4, 5) are not.
    expect(cuts(p, 0, 0)).toEqual([0, 0, 0.5, 0, 0, 0]);
    expect(cuts(p, 1, 0)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("naive forecaster only: the current cut persists", () => {
    const p = new ShortagePredictor(cfg(), { forecaster: "naive", announced: false });
    expect(cuts(p, 0, 0)).toEqual([0, 0, 0.5, 0.5, 0, 0]);
    expect(cuts(p, 0, 1)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("moving average over 4 periods of the supply ratio, started from full supply", () => {
    const p = new ShortagePredictor(cfg(), { forecaster: { type: "moving-average", window: 4 }, announced: false });
    // ratios seen: 1 1 1 1 | 1 (t=0) 1 (t=1) 0.5 (t=2) 0.5 (t=3) 1 (t=4) 1 (t=5); cut = 1 - mean of the last 4
    const got = cuts(p, 0, 0);
    const want = [0, 0, 0.125, 0.25, 0.25, 0.25];
    got.forEach((g, t) => expect(g).toBeCloseTo(want[t], 12));
  });

  it("both sources: the larger cut wins", () => {
    const p = new ShortagePredictor(cfg(), { forecaster: { type: "moving-average", window: 4 }, announced: true });
    const got = cuts(p, 0, 0);
    const want = [0, 0, 0.5, 0.25, 0.25, 0.25];
    got.forEach((g, t) => expect(g).toBeCloseTo(want[t], 12));
  });

  it("the default is announced events and a 4-period moving average", () => {
    const p = new ShortagePredictor(cfg());
    expect(p.options.announced).toBe(true);
    expect(p.options.forecaster).toEqual({ type: "moving-average", window: 4 });
  });

  it("periods must be fed in order; bad options are refused with the field named", () => {
    const p = new ShortagePredictor(cfg(), { forecaster: "naive" });
    p.reset(p.cfg.events);
    expect(() => p.observeSupply(3)).toThrow(/expected period 1, got 3/);
    const issues = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).file).toBe("shortage forecast options");
        return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      throw new Error("expected a ConfigError");
    };
    expect(issues(() => resolveShortageForecastOptions({ forecaster: "mlp" }))[0]).toMatch(
      /^forecaster: forecaster "mlp" is not supported/,
    );
    expect(issues(() => resolveShortageForecastOptions({ forecaster: { type: "mlp", lags: 3 } }))[0]).toMatch(/"mlp" is not supported/);
    expect(issues(() => resolveShortageForecastOptions({ forecaster: "crystal-ball" }))[0]).toMatch(
      /^forecaster: must be "none" or a src\/demand forecaster spec/,
    );
    expect(issues(() => resolveShortageForecastOptions({ forecaster: { type: "moving-average", window: 0 } }))).toEqual([
      "forecaster.window: must be >= 1",
    ]);
    expect(issues(() => resolveShortageForecastOptions({ fitPeriods: 0 }))).toEqual(["fitPeriods: must be >= 1"]);
    expect(issues(() => resolveShortageForecastOptions({ announced: "yes" }))[0]).toMatch(/^announced: /);
    expect(issues(() => new ShortagePredictor(cfg(), { forecaster: { type: "holt-winters", period: 200 } }))).toEqual([
      "fitPeriods: holt-winters needs at least 400 periods of history; fitPeriods is 240",
    ]);
  });
});
