import { describe, expect, it } from "vitest";
import { Box, Discrete } from "../core/spaces.js";
import type { Env, ResetResult, StepResult } from "../core/types.js";
import { TimeLimit } from "../wrappers/time-limit.js";
import { PPO, type PPOOptions } from "./ppo/ppo.js";

/**
 * Observation [0] after reset; a step with action a returns observation [2 + a], reward 1 and
 * `terminated: terminate`. No getState: a learner on it cannot snapshot its envs (inexact resume).
 */
class Probe implements Env<number[], number> {
  readonly observationSpace = new Box([-10], [10]);
  readonly actionSpace = new Discrete(2);
  constructor(private readonly terminate: boolean) {}
  reset(): ResetResult<number[]> {
    return { observation: [0], info: {} };
  }
  step(action: number): StepResult<number[]> {
    return { observation: [2 + action], reward: 1, terminated: this.terminate, truncated: false, info: {} };
  }
  close(): void {}
}

/** PPO with its first weight group exposed. */
class OpenPPO extends PPO {
  get group() {
    return this.groups[0];
  }
}

const small: Omit<PPOOptions, "env"> = {
  seed: 1,
  numEnvs: 2,
  numSteps: 4,
  numMinibatches: 1,
  updateEpochs: 1,
  actorHidden: [4],
  criticHidden: [],
  backend: "cpu",
};

describe("rollout rewards", () => {
  it.each([
    ["truncated (time limit): r + gamma * V(finalObservation)", false],
    ["terminated (and truncated): r, no bootstrap", true],
  ])("%s", async (_name, terminate) => {
    const gamma = 0.9;
    const learner = new OpenPPO({ ...small, env: () => new TimeLimit(new Probe(terminate), 1), gamma });
    // A known linear critic V(x) = 3x + 0.5 (criticHidden: []): V([2]) = 6.5, V([3]) = 9.5; V([0]) = 0.5 would be
    // the value of the next episode's first observation (the wrong one to bootstrap from).
    const critic = learner.group.params.critic;
    expect(critic).toHaveLength(1);
    critic[0].w[0] = 3;
    critic[0].b[0] = 0.5;
    await learner.learn(8); // one rollout (then an update, which does not touch the stored rollout)
    const b = learner.group.buf;
    expect(Array.from(b.ends)).toEqual(new Array(8).fill(1));
    expect(new Set(b.actions).size).toBe(2); // both actions were taken: both final observations were scored
    for (let i = 0; i < 8; i++) {
      const expected = terminate ? 1 : 1 + gamma * (b.actions[i] === 0 ? 6.5 : 9.5);
      expect(b.rewards[i]).toBeCloseTo(expected, 5);
    }
    learner.close();
  });
});

describe("inexact resume", () => {
  it("resets the per-slot discounted returns of reward normalisation with the fresh episodes", async () => {
    const make = () => new PPO({ ...small, env: () => new TimeLimit(new Probe(false), 1000), normalizeReward: true, gamma: 0.5 });
    const first = make();
    await first.learn(8);
    const state = JSON.parse(JSON.stringify(first.getState()));
    expect(state.envState).toBeNull();
    // Four steps of reward 1 with gamma 0.5: 1 + 0.5 + 0.25 + 0.125 in each slot.
    expect(state.groups[0].retAcc).toEqual([1.875, 1.875]);
    const second = make();
    expect(second.setState(state)).toBe(false);
    expect(second.getState().groups[0].retAcc).toEqual([0, 0]);
    first.close();
    second.close();
  });
});
