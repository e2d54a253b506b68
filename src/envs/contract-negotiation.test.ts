import { describe, expect, it } from "vitest";
import "./index.js";
import { make } from "../core/registry.js";
import { Rng } from "../core/rng.js";
import type { Env, ParallelEnv } from "../core/types.js";
import { ConfigError } from "../io/errors.js";
import type { NegotiationOutcome } from "../contracts/outcome.js";
import { PAPER_CONFIG } from "../contracts/paper.js";
import { PRICE_CAP, retailerObservationSpace } from "./contract-negotiation.js";

type Trace = { obs: number[][]; rewards: number[]; outcome: NegotiationOutcome };

/** Roll out random actions, checking the Env contract on the way. */
function rollout(env: Env<number[], number[]>, seed: number, actionSeed: number): Trace {
  const rng = new Rng(actionSeed);
  const { observation } = env.reset({ seed });
  expect(env.observationSpace.contains(observation)).toBe(true);
  const obs = [observation];
  const rewards: number[] = [];
  for (let t = 0; t < 100; t++) {
    const r = env.step(env.actionSpace.sample(rng));
    expect(env.observationSpace.contains(r.observation)).toBe(true);
    expect(Number.isFinite(r.reward)).toBe(true);
    expect(r.truncated).toBe(false);
    obs.push(r.observation);
    rewards.push(r.reward);
    if (r.terminated) return { obs, rewards, outcome: r.info.outcome as NegotiationOutcome };
  }
  throw new Error("episode did not terminate");
}

describe("ContractNegotiation-v0 (learned retailer vs analytic subcontractors)", () => {
  it("satisfies the Env contract under random actions, sparse and shaped", () => {
    for (const reward of ["sparse", "shaped"] as const) {
      const env = make<Env<number[], number[]>>("ContractNegotiation-v0", { reward });
      expect(env.observationSpace.shape).toEqual([3 + 7 * 3]);
      expect(env.actionSpace.shape).toEqual([3]);
      for (let s = 0; s < 20; s++) {
        const tr = rollout(env, s, 1000 + s);
        expect(tr.rewards.length).toBeLessThanOrEqual(PAPER_CONFIG.negotiation.deadline);
        const total = tr.rewards.reduce((a, b) => a + b, 0);
        expect(total).toBeCloseTo(tr.outcome.retailerProfit / (25 * 120), 10);
        if (reward === "sparse") expect(tr.rewards.slice(0, -1).every((r) => r === 0)).toBe(true);
      }
    }
  });

  it("is deterministic by seed, and stochastic demand changes with the seed only", () => {
    const opts = { demand: { type: "normal", std: 15 }, negotiation: { contract: "buyback" } };
    const a = rollout(make("ContractNegotiation-v0", opts) as Env<number[], number[]>, 3, 9);
    const b = rollout(make("ContractNegotiation-v0", opts) as Env<number[], number[]>, 3, 9);
    expect(b).toEqual(a);
    const demands = new Set<number>();
    const env = make<Env<number[], number[]>>("ContractNegotiation-v0", opts);
    for (let s = 0; s < 5; s++) {
      const tr = rollout(env, s, 1);
      demands.add(tr.outcome.demand);
      expect(tr.obs[0][1]).toBeCloseTo(120 / 150, 12); // the forecast, not the realised demand
      expect(tr.outcome.contract).toBe("buyback");
    }
    expect(demands.size).toBe(5);
  });

  it("an always-high retailer closes every deal and a patient one waits for the deadline", () => {
    const env = make<Env<number[], number[]>>("ContractNegotiation-v0");
    env.reset({ seed: 1 });
    // round 1: quotes for CM; the check allocates [50, 30, 40], so only S3's (asked 40, allocated 40) is accepted;
    // round 2: the need (80) changed, so the check re-allocates it from round 2's quotes; round 3: all accepted
    let r = env.step([1, 1, 1]);
    expect(r.terminated).toBe(false);
    r = env.step([1, 1, 1]);
    expect(r.terminated).toBe(false);
    r = env.step([1, 1, 1]);
    expect(r.terminated).toBe(true);
    const o = r.info.outcome as NegotiationOutcome;
    expect(o.agreement).toBe(true);
    expect(o.quantity).toEqual([40, 40, 40]);
    // offering nothing: analytic sellers reach their reservation at the deadline, yet no offer ever meets it
    env.reset({ seed: 1 });
    let steps = 0;
    do {
      r = env.step([0, 0, 0]);
      steps++;
    } while (!r.terminated);
    expect(steps).toBe(10);
    expect((r.info.outcome as NegotiationOutcome).agreement).toBe(false);
    expect((r.info.outcome as NegotiationOutcome).lostSales).toBe(120);
  });

  it("errors: step before reset, after the end, bad actions, bad options", () => {
    const env = make<Env<number[], number[]>>("ContractNegotiation-v0");
    expect(() => env.step([0.5, 0.5, 0.5])).toThrow(/before reset/);
    env.reset({ seed: 0 });
    expect(() => env.step([0.5, 0.5])).toThrow(/expected 3 numbers/);
    expect(() => env.step([0.5, 2, 0.5])).toThrow(/entry 1 = 2 is outside/);
    expect(() => env.step([0.5, NaN, 0.5])).toThrow(/not a number/);
    let r;
    do r = env.step([1, 1, 1]);
    while (!r.terminated);
    expect(() => env.step([1, 1, 1])).toThrow(/after the episode ended/);
    expect(() => make("ContractNegotiation-v0", { reward: "dense" })).toThrow(ConfigError);
    expect(() => make("ContractNegotiation-v0", { negotiation: { deadline: 1 } })).toThrow(/negotiation.deadline/);
    const bad = structuredClone(PAPER_CONFIG);
    bad.retailer.demand = 500;
    expect(() => make("ContractNegotiation-v0", { config: bad })).toThrow(/config.retailer.demand/);
  });

  it("draws a fresh instance per reset with randomInstances", () => {
    const env = make<Env<number[], number[]>>("ContractNegotiation-v0", { randomInstances: 5 });
    expect(env.actionSpace.shape).toEqual([5]);
    const first = rollout(env, 1, 1).obs[0];
    const second = rollout(env, 2, 1).obs[0];
    expect(second).not.toEqual(first);
    expect(rollout(env, 1, 1).obs[0]).toEqual(first);
  });
});

type PTrace = { rewards: Record<string, number>; outcome: NegotiationOutcome; steps: number };

function prollout(env: ParallelEnv<number[], number[]>, seed: number, actionSeed: number): PTrace {
  const rng = new Rng(actionSeed);
  const { observations } = env.reset({ seed });
  expect(env.agents).toEqual([...env.possibleAgents]);
  for (const a of env.agents) expect(env.observationSpace(a).contains(observations[a])).toBe(true);
  const totals: Record<string, number> = Object.fromEntries(env.possibleAgents.map((a) => [a, 0]));
  for (let t = 1; t <= 100; t++) {
    const actions: Record<string, number[]> = {};
    for (const a of env.agents) actions[a] = env.actionSpace(a).sample(rng);
    const r = env.step(actions);
    for (const a of Object.keys(r.rewards)) {
      expect(env.observationSpace(a).contains(r.observations[a])).toBe(true);
      expect(Number.isFinite(r.rewards[a])).toBe(true);
      expect(r.truncations[a]).toBe(false);
      totals[a] += r.rewards[a];
    }
    const ended = Object.values(r.terminations);
    expect(new Set(ended).size).toBe(1); // all terminate together
    if (ended[0]) {
      expect(env.agents).toEqual([]);
      return { rewards: totals, outcome: r.infos[env.possibleAgents[0]].outcome as NegotiationOutcome, steps: t };
    }
  }
  throw new Error("episode did not terminate");
}

describe("ContractNegotiationParallel-v0 (learned retailer and subcontractors)", () => {
  it("satisfies the ParallelEnv contract; all rewards add up to the chain profit", () => {
    const env = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0", { reward: "shaped" });
    expect(env.possibleAgents).toEqual(["retailer", "S1", "S2", "S3"]);
    expect(env.observationSpace("S1")).toBe(env.observationSpace("S1"));
    expect(env.actionSpace("retailer")).toBe(env.actionSpace("retailer"));
    expect(env.actionSpace("S2").shape).toEqual([1]);
    for (let s = 0; s < 20; s++) {
      const tr = prollout(env, s, 50 + s);
      const sum = Object.values(tr.rewards).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(tr.outcome.chainProfit / (25 * 120), 10);
      expect(tr.rewards.S1).toBeCloseTo(tr.outcome.subcontractorProfit[0] / (25 * 120), 10);
    }
  });

  it("both envs give the retailer the same observation space (one helper): prices in [0, PRICE_CAP], the rest in [0, 1]", () => {
    const single = make<Env<number[], number[]>>("ContractNegotiation-v0").observationSpace;
    const parallel = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0").observationSpace("retailer");
    const space = retailerObservationSpace(3);
    for (const s of [single, parallel]) expect(s.toJSON()).toEqual(space.toJSON());
    const { low, high } = space.toJSON() as { high: number[]; low: number[] };
    expect(high).toHaveLength(3 + 7 * 3);
    expect(low.every((v) => v === 0)).toBe(true);
    // per subcontractor the last proposal and the last offer (features 5 and 6) are prices / R
    expect(high.map((v, k) => (v === PRICE_CAP ? k : -1)).filter((k) => k >= 0)).toEqual([8, 9, 15, 16, 22, 23]);
  });

  it("is deterministic by seed", () => {
    const mk = () =>
      make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0", { demand: { type: "uniform", halfWidth: 20 } });
    expect(prollout(mk(), 4, 4)).toEqual(prollout(mk(), 4, 4));
  });

  it("learned subcontractors may price below cost: the outcome flags it", () => {
    const env = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0", { learned: ["S1", "S2", "S3"] });
    expect(env.possibleAgents).toEqual(["S1", "S2", "S3"]);
    env.reset({ seed: 0 });
    let r;
    do
      r = env.step({ S1: [0.2], S2: [0.2], S3: [0.2] }); // 5 per unit, below every cost
    while (!r.terminations.S1);
    const o = r.infos.S1.outcome as NegotiationOutcome;
    expect(o.agreement).toBe(true);
    expect(o.priceBelowAverageCost).toBe(true);
    expect(o.illogicalPrice).toBe(true);
    expect(o.subcontractorProfit.every((p) => p < 0)).toBe(true);
  });

  it("errors: unknown or missing agents, bad actions, step before reset and after the end", () => {
    expect(() => make("ContractNegotiationParallel-v0", { learned: ["S9"] })).toThrow(
      /ContractNegotiationParallel-v0 options: invalid configuration\n {2}- learned\[0\]: unknown agent "S9"; the agents are retailer, S1, S2, S3/,
    );
    expect(() => make("ContractNegotiationParallel-v0", { learned: [] })).toThrow(/- learned: must name at least one agent/);
    expect(() => make("ContractNegotiationParallel-v0", { reward: "dense" })).toThrow(/- reward: /);
    const env = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0");
    const ok = { retailer: [1, 1, 1], S1: [0.5], S2: [0.5], S3: [0.5] };
    expect(() => env.step(ok)).toThrow(/before reset/);
    env.reset({ seed: 0 });
    expect(() => env.observationSpace("S9")).toThrow(/unknown agent/);
    expect(() => env.step({ retailer: [1, 1, 1], S1: [0.5], S2: [0.5] })).toThrow(/missing action for agent "S3"/);
    expect(() => env.step({ ...ok, S2: [1.5] })).toThrow(/action of "S2"/);
    expect(() => env.step({ ...ok, X: [0] })).toThrow(/unknown agent "X"/);
    let r;
    do r = env.step(ok);
    while (!r.terminations.retailer);
    expect(() => env.step(ok)).toThrow(/after the episode ended/);
  });
});

describe("pairing the envs with runNegotiations", () => {
  it("reset({seed: outcome.seed}) reproduces that negotiation's instance and demand", async () => {
    const { runNegotiations } = await import("../contracts/runner.js");
    const { ContractNegotiationEnv } = await import("./contract-negotiation.js");
    const cfg = { ...PAPER_CONFIG, demand: { type: "normal" as const, std: 15 } };
    const ref = runNegotiations(cfg, { episodes: 3, seed: 8, condition: "analytic-check", generate: { n: 4 } });
    // a "learned" retailer that plays the analytic retailer's offers: the same negotiation
    const env = new ContractNegotiationEnv({ config: cfg, randomInstances: 4 });
    for (const o of ref.outcomes) {
      env.reset({ seed: o.seed });
      const e = env.episode.engine;
      const R = env.episode.cfg.retailer.retailPrice;
      let r;
      do r = env.step(new Array(4).fill(e.analyticOffer(e.round + 1) / R));
      while (!r.terminated);
      const got = r.info.outcome as NegotiationOutcome;
      expect(got.demand).toBe(o.demand);
      expect(got.quantity).toEqual(o.quantity);
      expect(got.chainProfit).toBeCloseTo(o.chainProfit, 9);
    }
  });
});

describe("actions: relative (a move from the counterpart's last price, within one's individually rational range)", () => {
  it("maps a in [0, 1] from the counterpart's last price: 1/2 matches it, the ends are one's own bounds", () => {
    const env = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0", { actions: "relative" });
    const ep = (env as unknown as { episode: import("./contract-negotiation.js").ContractEpisode }).episode;
    env.reset({ seed: 0 });
    const M = 25 - 3;
    const res = ep.engine.reservation(0); // S1 asked its CM 60: (10 x 60 + 4 x 20) / 60
    expect(res).toBeCloseTo(680 / 60, 12);
    // before any price: the retailer's reference is M / 2, the seller's (reservation + R) / 2
    expect(ep.retailerOffer(0, 0.5)).toBeCloseTo(M / 2, 12);
    expect(ep.subPrice(0, 0.5)).toBeCloseTo((res + 25) / 2, 12);
    env.step({ retailer: [0.5, 0.5, 0.5], S1: [0.5], S2: [0.5], S3: [0.5] });
    const last = ep.engine.price[0];
    const offered = ep.engine.offer[0];
    expect(ep.retailerOffer(0, 0.5)).toBeCloseTo(Math.min(M, last), 12);
    expect(ep.retailerOffer(0, 1)).toBeCloseTo(M, 12);
    expect(ep.retailerOffer(0, 0)).toBe(0);
    const r = ep.engine.reservation(0);
    expect(ep.subPrice(0, 0.5)).toBeCloseTo(Math.max(r, offered), 12);
    expect(ep.subPrice(0, 0)).toBeCloseTo(r, 12);
    expect(ep.subPrice(0, 1)).toBeCloseTo(25, 12);
    // over random actions: offers within [0, M], prices within [reservation, R]
    const rng = new Rng(3);
    for (let k = 0; k < 200; k++) {
      const a = rng.random();
      expect(ep.retailerOffer(1, a)).toBeGreaterThanOrEqual(0);
      expect(ep.retailerOffer(1, a)).toBeLessThanOrEqual(M + 1e-12);
      expect(ep.subPrice(1, a)).toBeGreaterThanOrEqual(ep.engine.reservation(1) - 1e-12);
      expect(ep.subPrice(1, a)).toBeLessThanOrEqual(25 + 1e-12);
    }
  });

  it("the absolute default is unchanged: a R; relative agents never price below cost, so nobody loses on a contract", () => {
    const abs = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0");
    const ep = (abs as unknown as { episode: import("./contract-negotiation.js").ContractEpisode }).episode;
    abs.reset({ seed: 0 });
    expect(ep.retailerOffer(0, 0.3)).toBeCloseTo(7.5, 12);
    expect(ep.subPrice(0, 0.3)).toBeCloseTo(7.5, 12);
    const env = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0", { actions: "relative" });
    for (let s = 0; s < 30; s++) {
      const tr = prollout(env, s, 100 + s);
      expect(tr.outcome.priceBelowAverageCost).toBe(false);
      expect(tr.outcome.priceAboveRetailMargin).toBe(false);
      expect(tr.outcome.subcontractorProfit.every((p) => p >= -1e-9)).toBe(true);
      expect(tr.outcome.retailerProfit).toBeGreaterThanOrEqual(-1e-9);
    }
    expect(() => make("ContractNegotiationParallel-v0", { actions: "fraction" })).toThrow(/actions/);
    // bounded: the same fraction of one's individually rational range
    const bounded = make<ParallelEnv<number[], number[]>>("ContractNegotiationParallel-v0", { actions: "bounded" });
    const eb = (bounded as unknown as { episode: import("./contract-negotiation.js").ContractEpisode }).episode;
    bounded.reset({ seed: 0 });
    expect(eb.retailerOffer(0, 0.5)).toBeCloseTo(11, 12);
    expect(eb.subPrice(0, 0)).toBeCloseTo(eb.engine.reservation(0), 12);
    expect(eb.subPrice(0, 1)).toBeCloseTo(25, 12);
  });
});
