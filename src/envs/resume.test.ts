import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import "./index.js";
import { canSnapshot, envState, setEnvState } from "../core/env-state.js";
import { make, registeredIds } from "../core/registry.js";
import { Rng } from "../core/rng.js";
import { isParallelEnv, type Env, type ParallelEnv } from "../core/types.js";

// Exact resume: an env that saves its state (getState/setState, src/core/env-state.ts) continues bit for bit
// from a restored copy. For each such registered env: run N steps (across an episode boundary), save the state
// through JSON (as a checkpoint does), restore it into a fresh env from make(), and step both with the same
// actions: every observation, reward and flag must be identical.

const contractsStochastic = (
  JSON.parse(readFileSync(new URL("../../experiments/contracts-stochastic.json", import.meta.url), "utf8")) as {
    env: { options: Record<string, unknown> };
  }
).env.options;

/** The project's envs that must support exact resume. */
const MUST_RESUME = [
  "CartPole-v1",
  "Pendulum-v1",
  "MarketBidding-v0",
  "MarketBiddingParallel-v0",
  "ContractNegotiation-v0",
  "ContractNegotiationParallel-v0",
  "HubTrading-v0",
];
const OPTIONS: Record<string, Record<string, unknown>> = {
  "MarketBidding-v0": { episodeLength: 6 },
  "MarketBiddingParallel-v0": { episodeLength: 6 },
  // Random instances and stochastic demand: every episode differs, so a wrong RNG restore shows.
  "ContractNegotiation-v0": { ...contractsStochastic, randomInstances: 3 },
  "ContractNegotiationParallel-v0": { ...contractsStochastic, randomInstances: 3 },
};

type Step = unknown;

/** Steps an env with actions sampled from `rng`, resetting (without a seed) after each episode; `done` is shared. */
function stepper(env: Env | ParallelEnv, rng: Rng, state: { done: boolean }): () => Step {
  return () => {
    if (isParallelEnv(env)) {
      if (state.done) {
        state.done = false;
        return { reset: env.reset().observations };
      }
      const r = env.step(Object.fromEntries(env.agents.map((a) => [a, env.actionSpace(a).sample(rng)])));
      state.done = env.agents.length === 0;
      return r;
    }
    if (state.done) {
      state.done = false;
      return { reset: env.reset().observation };
    }
    const r = env.step(env.actionSpace.sample(rng));
    state.done = r.terminated || r.truncated;
    return r;
  };
}

describe("exact resume of the project's environments", () => {
  it.each(MUST_RESUME)("%s: restored from a saved state, it continues bit for bit", (id) => {
    const options = OPTIONS[id] ?? {};
    expect(canSnapshot(make(id, options)), `${id} must save its state`).toBe(true);
    // Saved at several points: mid-episode, at and after an episode boundary.
    for (const savedAt of [3, 9, 16]) {
      const a = make(id, options);
      a.reset({ seed: 5 });
      const rngA = new Rng(1);
      const doneA = { done: false };
      const stepA = stepper(a, rngA, doneA);
      for (let k = 0; k < savedAt; k++) stepA();
      const saved = JSON.parse(JSON.stringify(envState(a)));
      const b = make(id, options);
      setEnvState(b, saved);
      const stepB = stepper(b, Rng.fromState(rngA.state()), { ...doneA });
      const continued = Array.from({ length: 14 }, stepA);
      const restored = Array.from({ length: 14 }, stepB);
      expect(restored, `saved after ${savedAt} steps`).toEqual(continued);
    }
  });

  it("the list covers every registered env that saves its state", () => {
    const snapshotable = registeredIds().filter((id) => canSnapshot(make(id, OPTIONS[id] ?? {})));
    expect(snapshotable.filter((id) => !MUST_RESUME.includes(id))).toEqual([]);
  });
});
