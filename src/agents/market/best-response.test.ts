import { describe, expect, it } from "vitest";
import "../../envs/index.js";
import { make } from "../../core/registry.js";
import type { PeriodOutcome } from "../../envs/market-bidding-core.js";
import type { MarketBiddingParallelEnv } from "../../envs/market-bidding-parallel.js";
import { truthfulProfile, profitOfBid, setBid } from "../../market/best-bid.js";
import { EquilibriumSolver } from "../../market/equilibrium.js";
import { bestResponse } from "./best-response.js";

/** The paper's market with constant outside demand (no season, no noise, no shocks). */
const CONSTANT_DEMAND = {
  type: "synthetic",
  spec: { seasonal: { period: 13, amplitude: 0 }, ar: { phi: 0.5, sigma: 0 }, shocks: { probability: 0, size: -0.3, duration: 2 } },
};

function envWith(responders: Record<string, Record<string, unknown>>, episodeLength = 3): MarketBiddingParallelEnv {
  const env = make("MarketBiddingParallel-v0", {
    demand: CONSTANT_DEMAND,
    episodeLength,
    forecaster: "naive",
  }) as unknown as MarketBiddingParallelEnv;
  for (const [agent, options] of Object.entries(responders))
    bestResponse({ agent, envId: "MarketBiddingParallel-v0", actionSpace: env.actionSpace(agent), options, seed: 1, env });
  return env;
}

const truthful = [1, 1, 1, 0, 0, 0];

function play(env: MarketBiddingParallelEnv): PeriodOutcome[] {
  env.reset({ seed: 5 });
  const out: PeriodOutcome[] = [];
  while (env.agents.length > 0) {
    const step = env.step(Object.fromEntries(env.agents.map((a) => [a, truthful])));
    out.push(step.infos[env.possibleAgents[0]] as unknown as PeriodOutcome);
  }
  return out;
}

describe("best-response strategy (paper market, constant demand)", () => {
  const base = play(envWith({}));
  const env = envWith({ "A[1][1]": { demand: "oracle", budget: 400, starts: 3 } });
  const i = env.core.market.names.indexOf("A[1][1]");
  const periods = play(env);
  const G = 3;

  it("beats truthful bidding by about 2.9% of its profit, every period", () => {
    for (let t = 0; t < periods.length; t++) {
      expect(periods[t].responses?.agents).toEqual(["A[1][1]"]);
      const gain = periods[t].profits[i] / base[t].profits[i] - 1;
      expect(gain).toBeGreaterThan(0.025);
      expect(gain).toBeLessThan(0.035);
    }
  });

  it("no point of a 3^6 grid around its bid (steps of 0.02) earns more", () => {
    const core = env.core;
    const last = periods[periods.length - 1];
    // its bid: read back the responder's answer by re-solving the period's profile
    const solver = new EquilibriumSolver(core.market);
    solver.solve({ demandAlpha: last.demandAlpha });
    const profile = truthfulProfile(core.market.nAgents, G);
    const bid = (core as unknown as { lastResponse: Map<number, number[]> }).lastResponse.get(i)!;
    const own = profitOfBid(solver, last.demandAlpha, profile, i, bid, 1e-6);
    expect(own).toBeCloseTo(last.profits[i], 8);
    let better = 0;
    for (let code = 0; code < 729; code++) {
      const b = bid.slice();
      let c = code;
      for (let k = 0; k < 2 * G; k++) {
        b[k] = Math.min(k < G ? 2 : 1, Math.max(0, b[k] + 0.02 * ((c % 3) - 1)));
        c = Math.floor(c / 3);
      }
      if (profitOfBid(solver, last.demandAlpha, profile, i, b, 1e-6) > own + 1e-9) better++;
    }
    expect(better).toBe(0);
    setBid(profile, i, G, truthful);
    expect(profitOfBid(solver, last.demandAlpha, profile, i, truthful)).toBeLessThan(own);
  });

  it("with forecasts of a constant demand it plays the same as with the oracle", () => {
    const f = play(envWith({ "A[1][1]": { budget: 400, starts: 3 } }));
    f.forEach((p, t) => expect(p.profits[i]).toBeCloseTo(periods[t].profits[i], 6));
  });

  it("every producer best-responding reaches a fixed point: the bidding game's equilibrium", () => {
    const all = Object.fromEntries(env.possibleAgents.map((a) => [a, { demand: "oracle", budget: 150 }]));
    const game = play(envWith(all, 2));
    // converged = a round moved no bid by more than the tolerance; from truthful bids the first period needs real
    // iteration (later periods start from the last fixed point)
    for (const p of game) expect(p.responses!.converged).toBe(true);
    expect(game[0].responses!.rounds).toBeGreaterThan(1);
    expect(game[0].responses!.rounds).toBeLessThan(20);
    expect(game[0].responses!.agents).toHaveLength(6);
  });

  it("refuses an env that is not a market env", () => {
    expect(() => bestResponse({ agent: "A[1][1]", envId: "x", actionSpace: null, options: {}, seed: 0, env: {} })).toThrow(
      /market-bidding env/,
    );
  });
});
