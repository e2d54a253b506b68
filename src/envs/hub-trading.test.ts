import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkParallelEnv } from "../core/check-env.js";
import { make, registeredIds } from "../core/registry.js";
import { Rng } from "../core/rng.js";
import type { ParallelEnv, Policy } from "../core/types.js";
import { loadHubsConfig } from "../hubs/config.js";
import { runHubEpisode } from "../experiments/scenarios/hub-episode.js";
import { tinyConfig } from "../hubs/test-fixtures.js";
import { ShortagePredictor } from "../hubs/shortage-forecast.js";
import { ConfigError } from "../io/errors.js";
import { HubTradingEnv } from "./hub-trading.js";
import "./index.js";

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe("HubTrading-v0 options");
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected a ConfigError");
}

const semi = join(import.meta.dirname, "..", "..", "experiments", "hubs-semiconductor.json");
type HubEnv = ParallelEnv<number[], number[]>;

/** A deterministic policy that depends on the observation (so a wrong observation shows in the trajectory). */
const obsPolicy: Policy<number[], number[]> = {
  act: (o) => Array.from({ length: 8 }, (_, k) => Math.min(2, Math.max(0, 0.6 + 0.9 * o[(3 * k + 1) % o.length]))),
};

describe("HubTrading-v0 (ParallelEnv contract)", () => {
  it("passes checkParallelEnv: random scenario, semiconductor config, a learned subset, each forecast option", () => {
    expect(registeredIds()).toContain("HubTrading-v0");
    const cases: [Record<string, unknown>, number, boolean][] = [
      [{ hubs: 5, periods: 6 }, 6, false],
      [{ hubs: 3, periods: 4, learned: ["H2"] }, 4, false],
      [{ hubs: 4, periods: 8, shortageForecast: { forecaster: "naive", announced: false } }, 8, false],
      [{ hubs: 4, periods: 8, shortageForecast: { forecaster: "none" } }, 8, false],
      // the semiconductor config has no shortage generator: the same shortages for every seed
      [{ config: semi, learned: ["A", "B"] }, 12, true],
    ];
    for (const [options, periods, deterministic] of cases) {
      const report = checkParallelEnv(make<HubEnv>("HubTrading-v0", options), { deterministic });
      expect(report.episodeLength, JSON.stringify(options)).toBe(periods);
    }
  });

  it("agents are the learned hubs (default every hub), in config order", () => {
    expect(make<HubEnv>("HubTrading-v0", { hubs: 3, periods: 4 }).possibleAgents).toEqual(["H0", "H1", "H2"]);
    expect(make<HubEnv>("HubTrading-v0", { config: semi, learned: ["C", "A"] }).possibleAgents).toEqual(["A", "C"]);
  });

  it("option mechanism replaces the config's mechanism fields (the rest kept) and is validated like the config", () => {
    const plain = new HubTradingEnv({ hubs: 3, periods: 4 });
    const vcg = new HubTradingEnv({ hubs: 3, periods: 4, mechanism: { kind: "vcg", maxRounds: 4 } });
    expect(plain.cfg.mechanism.kind).toBe("both");
    expect(vcg.cfg.mechanism).toEqual({ ...plain.cfg.mechanism, kind: "vcg", maxRounds: 4 });
    expect(vcg.cfg.hubs).toEqual(plain.cfg.hubs);
    expect(() => make("HubTrading-v0", { mechanism: { kind: "auction" } })).toThrow(
      /HubTrading-v0 options[\s\S]*mechanism\.kind: must be one of/,
    );
    expect(() => make("HubTrading-v0", { mechanism: { rounds: 3 } })).toThrow(/HubTrading-v0 options[\s\S]*mechanism\.rounds: unknown key/);
    expect(() => make("HubTrading-v0", { mechanism: "vcg" })).toThrow(/must be an object of mechanism fields/);
  });

  it("clear errors: bad options, action outside the space, missing action, step after the end", () => {
    // every bad option is a ConfigError of "HubTrading-v0 options" naming the option's JSON path and the rule
    const bad = (options: Record<string, unknown>) => issuesOf(() => make("HubTrading-v0", options));
    expect(bad({ hubz: 3 })).toEqual(["hubz: unknown key"]);
    expect(bad({ learned: ["H9"] })).toEqual(['learned[0]: unknown hub "H9" (hubs: H0, H1, H2, H3)']);
    expect(bad({ learned: [] })).toEqual(["learned: must list at least one hub id"]);
    expect(bad({ learned: ["H1", "H1"] })).toEqual(['learned[1]: hub "H1" listed twice']);
    expect(bad({ shortageForecast: { forecaster: "mlp" } })[0]).toMatch(/^shortageForecast\.forecaster: forecaster "mlp" is not supported/);
    expect(bad({ shortageForecast: { forecaster: "crystal-ball" } })[0]).toMatch(
      /^shortageForecast\.forecaster: must be "none" or a src\/demand/,
    );
    expect(bad({ shortageForecast: { window: 3 } })).toEqual(["shortageForecast.window: unknown key"]);
    expect(bad({ shortageForecast: { forecaster: { type: "holt-winters", period: 200 } } })).toEqual([
      "shortageForecast.fitPeriods: holt-winters needs at least 400 periods of history; fitPeriods is 240",
    ]);
    expect(bad({ hubs: 1 })).toEqual(["hubs: must be >= 2"]);
    expect(bad({ hubs: 2.5 })).toEqual(["hubs: must be an integer"]);
    expect(bad({ periods: 0 })).toEqual(["periods: must be >= 1"]);
    expect(bad({ periods: "12" })).toEqual(["periods: must be a number"]);
    expect(bad({ scenarioSeed: "abc" })).toEqual(["scenarioSeed: must be a number"]);
    expect(bad({ scenarioSeed: 1.5 })).toEqual(["scenarioSeed: must be an integer"]);
    expect(bad({ rewardScale: "1" })).toEqual(["rewardScale: must be a number"]);
    expect(bad({ rewardScale: 0 })).toEqual(["rewardScale: must be > 0"]);
    expect(bad({ config: 7 })).toEqual(["config: must be a file path or a hubs config object"]);
    expect(bad({ config: { name: "x" } })).toContain("config.periods: must be a number");
    const env = make<HubEnv>("HubTrading-v0", { hubs: 2, periods: 1 });
    expect(() => env.step({})).toThrow(/before reset/);
    env.reset({ seed: 0 });
    const ok = new Array(8).fill(1);
    expect(() => env.step({ H0: ok, H1: [...ok.slice(1), 3] })).toThrow(/action of agent "H1" is not in its action space: entry 7 = 3/);
    expect(() => env.step({ H0: ok })).toThrow(/missing action for agent "H1"/);
    env.step({ H0: ok, H1: ok });
    expect(() => env.step({ H0: ok, H1: ok })).toThrow(/after the episode ended/);
  });

  it("truthful actions on the semiconductor config reproduce runHubEpisode's rewards", async () => {
    const env = make<HubEnv>("HubTrading-v0", { config: semi, rewardScale: 1 });
    env.reset({ seed: 5 });
    const total: Record<string, number> = { A: 0, B: 0, C: 0 };
    while (env.agents.length > 0) {
      const r = env.step(Object.fromEntries(env.agents.map((a) => [a, new Array(8).fill(1)])));
      for (const a of env.possibleAgents) total[a] += r.rewards[a];
    }
    // The env draws its episode seed from the reset seed; the config has no generator, so shortages are fixed.
    const out = await runHubEpisode(loadHubsConfig(semi), { optimum: false });
    for (const h of out.hubs) expect(total[h.hub]).toBeCloseTo(h.reward, 3);
  });

  it("one learned hub among analytic ones: the env and runHubEpisode give the same trajectory (same code path)", async () => {
    const options = { hubs: 4, periods: 10, scenarioSeed: 3, rewardScale: 1 };
    const env = new HubTradingEnv({ ...options, learned: ["H1"] });
    const resetSeed = 11;
    let { observations } = env.reset({ seed: resetSeed });
    const envRewards: number[] = [];
    while (env.agents.length > 0) {
      const r = env.step({ H1: obsPolicy.act(observations.H1) });
      envRewards.push(r.rewards.H1);
      observations = r.observations;
    }
    const envTrades = env.simulation!.trades.filter((t) => t.status === "executed").length;
    const out = await runHubEpisode(env.cfg, {
      seed: new Rng(resetSeed).seed(),
      policies: { H1: obsPolicy },
      optimum: false,
      predictor: new ShortagePredictor(env.cfg),
    });
    expect(out.trades.filter((t) => t.status === "executed").length).toBe(envTrades);
    expect(envTrades).toBeGreaterThan(0);
    const h1 = out.hubs.find((h) => h.hub === "H1")!;
    expect(envRewards.reduce((s, x) => s + x, 0)).toBeCloseTo(h1.reward, 6);
    // and the learned hub's actions reach the mechanism: an H1 that bids nothing and asks nothing gets another outcome
    const zero: Policy<number[], number[]> = { act: () => new Array(8).fill(0) };
    const other = await runHubEpisode(env.cfg, {
      seed: new Rng(resetSeed).seed(),
      policies: { H1: zero },
      optimum: false,
      predictor: new ShortagePredictor(env.cfg),
    });
    expect(other.hubs.find((h) => h.hub === "H1")!.reward).not.toBeCloseTo(h1.reward, 0);
  });

  it("outlier trades are held for review in the env and in runHubEpisode alike (same trajectory)", async () => {
    // Every chips unit price but 3 is an outlier against the history; low would sell to high at 2.
    const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
    raw.periods = 3;
    raw.review = {
      k: 2,
      minHistory: 3,
      unreviewed: { rejectAfter: 1 },
      history: { chips: { prices: [3, 3, 3], quantities: [10, 10, 10] } },
    };
    const env = new HubTradingEnv({ config: raw, learned: ["high"], rewardScale: 1 });
    const ones: Policy<number[], number[]> = { act: () => new Array(6).fill(1) };
    env.reset({ seed: 4 });
    let envReward = 0;
    while (env.agents.length > 0) envReward += env.step({ high: ones.act([]) }).rewards.high;
    const envStatuses = env.simulation!.trades.map((t) => `${t.id}:${t.status}`);
    expect(envStatuses.filter((s) => s.endsWith(":queued")).length).toBeGreaterThan(0);
    const out = await runHubEpisode(env.cfg, {
      seed: new Rng(4).seed(),
      policies: { high: ones },
      optimum: false,
      predictor: new ShortagePredictor(env.cfg),
    });
    expect(out.trades.map((t) => `${t.id}:${t.status}`)).toEqual(envStatuses);
    expect(out.hubs.find((h) => h.hub === "high")!.reward).toBeCloseTo(envReward, 6);
  });
});
