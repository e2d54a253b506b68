import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { make, registeredIds } from "../core/registry.js";
import { Rng } from "../core/rng.js";
import { isParallelEnv, type ParallelEnv } from "../core/types.js";
import { loadHubsConfig } from "../hubs/config.js";
import { runHubEpisode } from "../hubs/episode.js";
import "./index.js";

const semi = join(import.meta.dirname, "..", "..", "experiments", "hubs-semiconductor.json");

function rollout(env: ParallelEnv<number[], number[]>, seed: number, actionSeed: number) {
  const rng = new Rng(actionSeed);
  const trace: unknown[] = [];
  const { observations } = env.reset({ seed });
  trace.push(observations);
  let steps = 0;
  while (env.agents.length > 0) {
    const actions = Object.fromEntries(env.agents.map((a) => [a, env.actionSpace(a).sample(rng)]));
    const r = env.step(actions);
    trace.push(r.observations, r.rewards);
    steps++;
    for (const a of env.possibleAgents) {
      expect(env.observationSpace(a).contains(r.observations[a])).toBe(true);
      expect(Number.isFinite(r.rewards[a])).toBe(true);
      expect(r.truncations[a]).toBe(false);
      expect(r.terminations[a]).toBe(env.agents.length === 0);
    }
    if (steps > 1000) throw new Error("episode does not end");
  }
  return { trace, steps };
}

describe("HubTrading-v0 (ParallelEnv contract)", () => {
  it("is registered and is a parallel env whose spaces are the same object on every call", () => {
    expect(registeredIds()).toContain("HubTrading-v0");
    const env = make("HubTrading-v0", { hubs: 3, periods: 4 });
    expect(isParallelEnv(env)).toBe(true);
    const p = env as ParallelEnv;
    expect(p.possibleAgents).toEqual(["H0", "H1", "H2"]);
    for (const a of p.possibleAgents) {
      expect(p.observationSpace(a)).toBe(p.observationSpace(a));
      expect(p.actionSpace(a)).toBe(p.actionSpace(a));
    }
    expect(() => p.observationSpace("nobody")).toThrow(/unknown agent "nobody"/);
  });

  it("observations lie in their spaces, rewards are finite, the episode terminates after `periods` steps", () => {
    const env = make<ParallelEnv<number[], number[]>>("HubTrading-v0", { hubs: 5, periods: 6 });
    const { observations } = env.reset({ seed: 1 });
    for (const a of env.possibleAgents) expect(env.observationSpace(a).contains(observations[a])).toBe(true);
    expect(rollout(env, 1, 2).steps).toBe(6);
    expect(env.agents).toEqual([]);
  });

  it("same seed, same trajectory; another seed, another trajectory", () => {
    const env = make<ParallelEnv<number[], number[]>>("HubTrading-v0", { hubs: 4, periods: 8 });
    const a = JSON.stringify(rollout(env, 7, 3).trace);
    const b = JSON.stringify(rollout(make<ParallelEnv<number[], number[]>>("HubTrading-v0", { hubs: 4, periods: 8 }), 7, 3).trace);
    const c = JSON.stringify(rollout(env, 8, 3).trace);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("clear errors: bad option, action outside the space, missing action, step after the end", () => {
    expect(() => make("HubTrading-v0", { hubz: 3 })).toThrow(/unknown option "hubz"/);
    const env = make<ParallelEnv<number[], number[]>>("HubTrading-v0", { hubs: 2, periods: 1 });
    expect(() => env.step({})).toThrow(/before reset/);
    env.reset({ seed: 0 });
    const ok = new Array(8).fill(1);
    expect(() => env.step({ H0: ok, H1: [...ok.slice(1), 3] })).toThrow(/action of agent "H1" is not in its action space: entry 7 = 3/);
    expect(() => env.step({ H0: ok })).toThrow(/missing action for agent "H1"/);
    env.step({ H0: ok, H1: ok });
    expect(() => env.step({ H0: ok, H1: ok })).toThrow(/after the episode ended/);
  });

  it("truthful actions on the semiconductor config reproduce runHubEpisode's rewards", async () => {
    const env = make<ParallelEnv<number[], number[]>>("HubTrading-v0", { config: semi, rewardScale: 1 });
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
});
