import { describe, expect, it } from "vitest";
import type { Env } from "../core/types.js";
import type { MarketBiddingObservation } from "./market-bidding-core.js";
import { checkEnv, checkParallelEnv } from "../core/check-env.js";
import { make, registeredIds } from "../core/registry.js";
import { Rng } from "../core/rng.js";
import { ConfigError } from "../io/errors.js";
import { solveEquilibrium } from "../market/equilibrium.js";
import { paperMarket } from "../market/paper.js";
import { welfare } from "../market/welfare.js";
import { compileMarket } from "../market/spec.js";
import { FlattenObservation } from "../wrappers/flatten-observation.js";
import "./index.js";
import { MarketBiddingEnv } from "./market-bidding.js";
import { MarketBiddingParallelEnv } from "./market-bidding-parallel.js";

const G = 3;
const truthful = [1, 1, 1, 0, 0, 0];
const csvText = [
  "period,g0,g1,g2",
  ...Array.from({ length: 60 }, (_, t) => `${t},${100 + 20 * Math.sin(t / 2)},${90 + t / 2},${110 - 10 * Math.cos(t)}`),
].join("\n");

describe("registration and the contract", () => {
  it("both environments are registered", () => {
    expect(registeredIds()).toEqual(expect.arrayContaining(["MarketBidding-v0", "MarketBiddingParallel-v0"]));
  });
  it("MarketBidding-v0 passes checkEnv with defaults", () => {
    expect(checkEnv(make("MarketBidding-v0") as MarketBiddingEnv).episodeLength).toBe(52);
  });
  it("passes checkEnv with inventory, another agent and another forecaster", () => {
    const env = make("MarketBidding-v0", {
      agent: "A[0][1]",
      forecaster: "seasonal-naive",
      episodeLength: 10,
      inventory: { capacity: 20, holdingCost: 0.01 },
    });
    expect(checkEnv(env as MarketBiddingEnv).episodeLength).toBe(10);
  });
  it("passes checkEnv on replayed CSV demand (deterministic by design) and flattened", () => {
    const env = make("MarketBidding-v0", {
      demand: { type: "csv", text: csvText, period: 12 },
      episodeLength: 20,
      forecaster: "naive",
    }) as MarketBiddingEnv;
    checkEnv(env, { deterministic: true });
    checkEnv(new FlattenObservation(make("MarketBidding-v0", { episodeLength: 5 }) as MarketBiddingEnv));
  });
  it("MarketBiddingParallel-v0 passes checkParallelEnv (all learned; a subset with inventory)", () => {
    expect(checkParallelEnv(make("MarketBiddingParallel-v0") as MarketBiddingParallelEnv).episodeLength).toBe(52);
    const sub = make("MarketBiddingParallel-v0", {
      learned: ["A[1][1]", "A[0][0]"],
      episodeLength: 8,
      inventory: { capacity: [5, 5, 5], holdingCost: 0.02 },
    }) as MarketBiddingParallelEnv;
    expect(sub.possibleAgents).toEqual(["A[1][1]", "A[0][0]"]);
    checkParallelEnv(sub);
  });
});

describe("market outcomes", () => {
  it("the truthful action reproduces the analytic equilibrium exactly, every period", () => {
    const env = new MarketBiddingEnv({ episodeLength: 12 });
    env.reset({ seed: 4 });
    const market = compileMarket(paperMarket);
    for (let t = 0; t < 12; t++) {
      const s = env.step(truthful);
      const info = s.info as {
        prices: number[];
        profits: number[];
        demandAlpha: number[];
        totalSurplus: number;
        counterfactual: { prices: number[]; profits: number[]; totalSurplus: number };
        efficiency: number;
      };
      expect(info.prices).toEqual(info.counterfactual.prices);
      expect(info.profits).toEqual(info.counterfactual.profits);
      expect(info.efficiency).toBe(1);
      // And a fresh cold solve of the same period agrees to solver precision.
      const eq = solveEquilibrium(market, { demandAlpha: info.demandAlpha });
      for (let q = 0; q < 9; q++) expect(Math.abs(info.prices[q] / eq.prices[q] - 1)).toBeLessThan(1e-10);
      expect(s.reward).toBeCloseTo(eq.profit[4], 8); // A[1][1] is agent 4
      expect(info.totalSurplus).toBeCloseTo(welfare(market, eq).totalSurplus, 8);
    }
  });

  it("withholding by A[1][1] raises its output price; shading its demand lowers its input price", () => {
    const env = new MarketBiddingEnv();
    env.reset({ seed: 2 });
    // Good 1: A[1][1] sells in M[2][1] (index 7) and buys in M[1][1] (index 4).
    const w = env.step([1, 1, 1, 0, 0.5, 0]).info as { prices: number[]; counterfactual: { prices: number[] }; efficiency: number };
    expect(w.prices[7]).toBeGreaterThan(w.counterfactual.prices[7] * 1.01);
    expect(w.efficiency).toBeLessThan(1);
    const s = env.step([1, 0.5, 1, 0, 0, 0]).info as { prices: number[]; counterfactual: { prices: number[] } };
    expect(s.prices[4]).toBeLessThan(s.counterfactual.prices[4] * 0.99);
  });

  it("observations report last period's prices of the agent's own markets and the forecasts for the coming periods", () => {
    const env = new MarketBiddingEnv({ horizon: 2 });
    env.reset({ seed: 9 });
    const s = env.step(truthful);
    const prices = (s.info as { prices: number[] }).prices;
    // A[1][1] buys in layer 1 (indices 3..5) and sells in layer 2 (6..8).
    expect(s.observation.prices).toEqual(prices.slice(3, 9));
    expect(s.observation.forecastPoint).toHaveLength(G * 2);
    expect(s.observation.profit[0]).toBe(s.reward);
    expect(s.observation.budget).toEqual([100]);
    for (let k = 0; k < G * 2; k++) {
      expect(s.observation.forecastLower[k]).toBeLessThanOrEqual(s.observation.forecastPoint[k]);
      expect(s.observation.forecastUpper[k]).toBeGreaterThanOrEqual(s.observation.forecastPoint[k]);
    }
  });

  it("same seed, same rewards; another seed, other demand", () => {
    const run = (seed: number) => {
      const env = new MarketBiddingEnv({ episodeLength: 10 });
      env.reset({ seed });
      const rng = new Rng(3);
      return Array.from({ length: 10 }, () => env.step(env.actionSpace.sample(rng)).reward);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it("inventory: withheld output is stored up to capacity and charged; released stock is sold", () => {
    const env = new MarketBiddingEnv({ inventory: { capacity: [3, 3, 3], holdingCost: 0.1 }, episodeLength: 5, counterfactual: false });
    env.reset({ seed: 1 });
    const a = env.step([1, 1, 1, 0.5, 0, 0, 0, 0, 0]);
    const inv = a.observation.inventory!;
    expect(inv[0]).toBe(3); // half of good 0's output is far more than 3 units: capped at capacity
    expect(inv[1]).toBe(0);
    expect((a.info as { holdingCost: number }).holdingCost).toBeCloseTo(0.3, 12);
    const keep = env.step([1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(keep.observation.inventory).toEqual([3, 0, 0]);
    // Selling the whole stock adds 3 units to the final market of good 0.
    const before = (keep.info as { quantities: number[] }).quantities[6];
    const sell = env.step([1, 1, 1, 0, 0, 0, 1, 0, 0]);
    expect(sell.observation.inventory).toEqual([0, 0, 0]);
    expect((sell.info as { holdingCost: number }).holdingCost).toBe(0);
    const after = (sell.info as { quantities: number[] }).quantities[6];
    expect(after).toBeGreaterThan(before);
    expect((sell.info as { counterfactual?: unknown }).counterfactual).toBeUndefined();
  });
});

describe("bad input", () => {
  const env = () => new MarketBiddingEnv({ episodeLength: 2 });
  it("step before reset", () => {
    expect(() => env().step(truthful)).toThrow(/step\(\) before reset\(\)/);
  });
  it("step after the episode ended", () => {
    const e = env();
    e.reset({ seed: 1 });
    e.step(truthful);
    expect(e.step(truthful).truncated).toBe(true);
    expect(() => e.step(truthful)).toThrow(/episode ended after 2 periods/);
  });
  it("actions outside the space name the entry; nothing is clipped", () => {
    const e = env();
    e.reset({ seed: 1 });
    expect(() => e.step([1, 1, 1, 0, 1.5, 0])).toThrow(/entry 4 = 1.5 is outside \[0, 1\] \(withhold\[1\]\)/);
    expect(() => e.step([2.5, 1, 1, 0, 0, 0])).toThrow(/demandScale\[0\]/);
    expect(() => e.step([1, 1, 1, 0, NaN, 0])).toThrow(/not a number/);
    expect(() => e.step([1, 1, 1])).toThrow(/expected 6 numbers, got 3/);
  });
  it("unknown or invalid options are ConfigErrors naming the option", () => {
    expect(() => make("MarketBidding-v0", { episodeLenght: 5 })).toThrow(ConfigError);
    expect(() => make("MarketBidding-v0", { episodeLenght: 5 })).toThrow(/episodeLenght: unknown key/);
    expect(() => make("MarketBidding-v0", { agent: "A[9][9]" })).toThrow(/agent: no agent named "A\[9\]\[9\]"/);
    expect(() => make("MarketBidding-v0", { horizon: 0 })).toThrow(/horizon/);
    expect(() => make("MarketBidding-v0", { learned: ["A[0][0]"] })).toThrow(/learned: is an option of MarketBiddingParallel-v0/);
    expect(() => make("MarketBidding-v0", { inventory: { capacity: [1, 2], holdingCost: 0 } })).toThrow(
      /inventory.capacity: has 2 entries/,
    );
    expect(() => make("MarketBidding-v0", { demand: { type: "csv", text: "g0,g1,g2\n1,2,3\n" } })).toThrow(
      /forecaster: holt-winters: needs a season period/,
    );
    expect(() => make("MarketBidding-v0", { forecaster: "naive", demand: { type: "csv", text: "g0,g1,g2\n1,2,3\n" } })).toThrow(
      /the CSV has 1 rows/,
    );
    expect(() => make("MarketBidding-v0", { demand: { type: "csv", text: "g0,g1\n1,2\n" } })).toThrow(/the market has 3 final good/);
    expect(() => make("MarketBidding-v0", { market: { ...paperMarket, goods: 0 } })).toThrow(/market\.goods: must be at least 1/);
  });
  it("parallel: missing, unknown and bad actions", () => {
    const p = new MarketBiddingParallelEnv({ learned: ["A[1][1]", "A[1][0]"], episodeLength: 3 });
    expect(() => p.step({})).toThrow(/before reset/);
    p.reset({ seed: 1 });
    expect(() => p.step({ "A[1][1]": truthful })).toThrow(/no action for live agent "A\[1\]\[0\]"/);
    expect(() => p.step({ "A[1][1]": truthful, "A[1][0]": truthful, "A[0][0]": truthful })).toThrow(/unknown agent "A\[0\]\[0\]"/);
    expect(() => p.step({ "A[1][1]": truthful, "A[1][0]": [3, 1, 1, 0, 0, 0] })).toThrow(
      /agent A\[1\]\[0\]: action not in the action space/,
    );
    expect(() => p.actionSpace("nobody")).toThrow(/unknown agent/);
  });
  it("parallel: every learned agent truthful equals the analytic market; rewards are own profits", () => {
    const p = new MarketBiddingParallelEnv({ episodeLength: 3 });
    p.reset({ seed: 3 });
    const acts = Object.fromEntries(p.agents.map((a) => [a, truthful]));
    const s = p.step(acts);
    const info = s.infos["A[0][0]"] as { prices: number[]; profits: number[]; counterfactual: { prices: number[] } };
    expect(info.prices).toEqual(info.counterfactual.prices);
    p.possibleAgents.forEach((a, i) => expect(s.rewards[a]).toBe(info.profits[i]));
  });
});

describe("observeForecasts: false", () => {
  it("hides the forecasts (zeros, same spaces) and leaves the market unchanged", () => {
    const seen = make<Env>("MarketBidding-v0", {});
    const blind = make<Env>("MarketBidding-v0", { observeForecasts: false });
    expect(blind.observationSpace.toJSON()).toEqual(seen.observationSpace.toJSON());
    const a = seen.reset({ seed: 4 }).observation as MarketBiddingObservation;
    const b = blind.reset({ seed: 4 }).observation as MarketBiddingObservation;
    expect(a.forecastPoint.some((v) => v > 0)).toBe(true);
    expect(b.forecastPoint.every((v) => v === 0) && b.forecastUpper.every((v) => v === 0)).toBe(true);
    expect(b.prices).toEqual(a.prices);
    const truthful = [1, 1, 1, 0, 0, 0];
    expect(blind.step(truthful).reward).toBe(seen.step(truthful).reward);
  });
});

describe("edge actions", () => {
  it("every seller withholding everything, or every buyer demanding nothing, still clears", () => {
    const env = new MarketBiddingParallelEnv({ episodeLength: 3 });
    env.reset({ seed: 1 });
    for (let t = 0; t < 3; t++) {
      const actions: Record<string, number[]> = {};
      for (const a of env.agents) actions[a] = a.startsWith("A[1]") ? [1, 1, 1, 1, 0, 0] : [0, 1, 1, 0, 1, 1];
      const step = env.step(actions);
      for (const a of env.possibleAgents) expect(Number.isFinite(step.rewards[a])).toBe(true);
      const info = step.infos["A[0][0]"] as { prices: number[] };
      expect(info.prices.every((p) => Number.isFinite(p) && p > 0)).toBe(true);
    }
  });
});
