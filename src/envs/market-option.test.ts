import { describe, expect, it } from "vitest";
import "./index.js";
import { make } from "../core/registry.js";
import type { ParallelEnv } from "../core/types.js";
import { loadExperiment } from "../experiments/schema.js";
import { paperMarket } from "../market/paper.js";
import { resolveMarketOption } from "./market-option.js";

describe("market option { generate }", () => {
  it("draws the same market for the same seed, another for another seed; a MarketSpec or nothing passes through", () => {
    const g = { generate: { groups: 2, agentsPerGroup: 5, goods: 3, seed: 4 } };
    expect(resolveMarketOption(g)).toEqual(resolveMarketOption(g));
    expect(resolveMarketOption(g)).not.toEqual(resolveMarketOption({ generate: { ...g.generate, seed: 5 } }));
    expect(resolveMarketOption(undefined)).toBe(paperMarket);
    expect(resolveMarketOption(paperMarket)).toBe(paperMarket);
  });

  it("a generated 300-producer market builds the parallel env with 300 agents", () => {
    const env = make("MarketBiddingParallel-v0", {
      market: { generate: { groups: 2, agentsPerGroup: 150, goods: 30, seed: 1 } },
      episodeLength: 2,
    }) as ParallelEnv;
    expect(env.possibleAgents.length).toBe(300);
    expect(env.actionSpace(env.possibleAgents[0]).shape).toEqual([60]);
  });

  it("bad fields are config errors naming the path", () => {
    expect(() => make("MarketBiddingParallel-v0", { market: { generate: { groups: 0, agentsPerGroup: 2, goods: 2 } } })).toThrow(
      /market\.generate\.groups/,
    );
    expect(() => make("MarketBiddingParallel-v0", { market: { generate: { groups: 1, agentsPerGroup: 2, goods: 2, size: 3 } } })).toThrow(
      /market\.generate\.size/,
    );
  });

  it.each(["scale-300", "scale-300-hubs", "mappo-market", "mappo-hubs"])("experiments/%s.json is a valid experiment", (name) => {
    const cfg = loadExperiment(`experiments/${name}.json`);
    expect(cfg.conditions.length).toBeGreaterThanOrEqual(2);
  });
});
