import * as tf from "@tensorflow/tfjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import "../envs/index.js";
import { Box, Discrete } from "../core/spaces.js";
import type { Env, ParallelEnv } from "../core/types.js";
import { make } from "../core/registry.js";
import { actSeed, LearnedPolicy, MultiAgentPolicy } from "./policy.js";
import { PPO } from "./ppo/ppo.js";
import { REINFORCE } from "./reinforce/reinforce.js";
import type { CurveRow } from "./on-policy.js";

const tiny = { actorHidden: [16], criticHidden: [16], numEnvs: 2, numSteps: 32, backend: "cpu" as const };

describe("PPO", () => {
  it("does not leak tensors across iterations", async () => {
    const ppo = new PPO({ env: "CartPole-v1", seed: 1, ...tiny });
    const counts: number[] = [];
    await ppo.learn(64 * 6, { onProgress: () => counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(6);
    expect(new Set(counts).size).toBe(1);
  });

  it("learns a few hundred steps of CartPole and acts in the action space", async () => {
    const ppo = new PPO({ env: "CartPole-v1", seed: 2, ...tiny });
    const rows: CurveRow[] = [];
    const policy = (await ppo.learn(320, { onProgress: (p) => rows.push(p.row) })) as LearnedPolicy;
    expect(rows.map((r) => r.global_step)).toEqual([64, 128, 192, 256, 320]);
    expect(rows.every((r) => Number.isFinite(r.policy_loss) && r.approx_kl >= 0 && r.entropy > 0.6)).toBe(true);
    const env = make<Env>("CartPole-v1");
    const obs = env.reset({ seed: 0 }).observation;
    expect([0, 1]).toContain(policy.act(obs, { deterministic: true }));
    // Save / load gives the same deterministic actions.
    const file = join(mkdtempSync(join(tmpdir(), "sg-rl-")), "policy.json");
    policy.save(file);
    const loaded = LearnedPolicy.load(file);
    const rng = [0.01, -0.02, 0.03, 0.5];
    expect(loaded.act(rng, { deterministic: true })).toBe(policy.act(rng, { deterministic: true }));
    expect(loaded.value(rng)).toBe(policy.value(rng));
  });

  it("same seed gives the same curve; state save/restore continues identically", async () => {
    const strip = (rows: CurveRow[]) => rows.map(({ steps_per_second: _s, ...r }) => r);
    const run = async (seed: number) => {
      const rows: CurveRow[] = [];
      await new PPO({ env: "CartPole-v1", seed, ...tiny }).learn(64 * 4, { onProgress: (p) => rows.push(p.row) });
      return strip(rows);
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    // Another seed gives another curve (so the equality above is not that of a constant output).
    const b = await run(6);
    expect(b.map((r) => r.global_step)).toEqual(a.map((r) => r.global_step));
    expect(b.map((r) => r.policy_loss)).not.toEqual(a.map((r) => r.policy_loss));
    // Interrupt after 2 iterations, restore into a fresh learner, finish.
    const first = new PPO({ env: "CartPole-v1", seed: 5, ...tiny });
    const rows: CurveRow[] = [];
    await first.learn(64 * 4, { onProgress: (p) => rows.push(p.row), onIteration: (p) => (p.iteration === 2 ? "stop" : undefined) });
    const state = JSON.parse(JSON.stringify(first.getState()));
    const second = new PPO({ env: "CartPole-v1", seed: 5, ...tiny });
    expect(second.setState(state)).toBe(true);
    await second.learn(64 * 4, { onProgress: (p) => rows.push(p.row) });
    expect(strip(rows)).toEqual(a);
  });

  it.each([
    ["MarketBidding-v0", { episodeLength: 6 }],
    ["ContractNegotiationParallel-v0", {}],
    ["HubTrading-v0", {}],
  ] as const)("an interrupted run on %s resumes bit for bit (the env's state is in the learner's)", async (env, envOptions) => {
    const strip = (rows: CurveRow[]) => rows.map(({ steps_per_second: _s, ...r }) => r);
    const opts = { env, envOptions, seed: 3, ...tiny, numEnvs: 1, numSteps: 16, numMinibatches: 2 };
    const whole: CurveRow[] = [];
    await new PPO(opts).learn(16 * 4, { onProgress: (p) => whole.push(p.row) });
    const rows: CurveRow[] = [];
    const first = new PPO(opts);
    await first.learn(16 * 4, { onProgress: (p) => rows.push(p.row), onIteration: (p) => (p.iteration === 2 ? "stop" : undefined) });
    const state = JSON.parse(JSON.stringify(first.getState()));
    const second = new PPO(opts);
    expect(second.setState(state)).toBe(true); // true: exact (the env state was restored)
    await second.learn(16 * 4, { onProgress: (p) => rows.push(p.row) });
    expect(strip(rows)).toEqual(strip(whole));
  });

  it("handles Box actions (Pendulum) with normalisation and keeps actions in bounds", async () => {
    const ppo = new PPO({ env: "Pendulum-v1", seed: 3, ...tiny, numMinibatches: 4, updateEpochs: 2 });
    expect(ppo.config.normalizeObservation).toBe(true); // continuous defaults
    expect(ppo.config.entCoef).toBe(0);
    const policy = (await ppo.learn(128)) as LearnedPolicy;
    for (let i = 0; i < 20; i++) {
      const a = policy.act([Math.cos(i), Math.sin(i), i - 10]) as number[];
      expect(a[0]).toBeGreaterThanOrEqual(-2);
      expect(a[0]).toBeLessThanOrEqual(2);
    }
    expect(policy.obsNormalization?.mean).toHaveLength(3);
  });

  it("rejects a totalSteps smaller than one batch (it would train nothing)", async () => {
    const ppo = new PPO({ env: "CartPole-v1", seed: 1, ...tiny });
    await expect(ppo.learn(63)).rejects.toThrow(
      /^PPO\.learn: invalid configuration\n {2}- totalSteps: must be at least one batch, numEnvs \* numSteps = 64 steps \(a smaller budget trains nothing\), got 63$/,
    );
    await expect(ppo.learn(0)).rejects.toThrow(/totalSteps/);
    expect(ppo.globalStep).toBe(0);
    expect(ppo.plannedSteps(200)).toBe(192);
  });

  it("rejects bad options naming the field", () => {
    expect(() => new PPO({ env: "CartPole-v1", numMinibatches: 0 })).toThrow(/numMinibatches/);
    expect(() => new PPO({ env: "CartPole-v1", gamma: 2 })).toThrow(/gamma/);
    // Zero clips would silently stop learning.
    expect(() => new PPO({ env: "CartPole-v1", maxGradNorm: 0 })).toThrow(
      /^PPO options: invalid configuration\n {2}- maxGradNorm: must be a finite number > 0, got 0$/,
    );
    expect(() => new PPO({ env: "CartPole-v1", clipObservation: 0 })).toThrow(/- clipObservation: must be a finite number > 0/);
    expect(() => new REINFORCE({ env: "CartPole-v1", clipReward: 0 })).toThrow(
      /^REINFORCE options: .*\n {2}- clipReward: must be a finite number > 0/,
    );
    expect(() => new PPO({ env: "CartPole-v1", clipReward: -1 })).toThrow(/- clipReward: /);
    expect(() => new PPO({ env: "Nope-v0" })).toThrow(/unknown environment/);
  });
});

describe("REINFORCE", () => {
  it("trains with the same API", async () => {
    const r = new REINFORCE({ env: "CartPole-v1", seed: 1, ...tiny });
    const rows: CurveRow[] = [];
    const counts: number[] = [];
    const policy = (await r.learn(64 * 3, { onProgress: (p) => (rows.push(p.row), counts.push(tf.memory().numTensors)) })) as LearnedPolicy;
    expect(rows).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect([0, 1]).toContain(policy.act([0, 0, 0, 0], { deterministic: true }));
    expect(() => new REINFORCE({ env: "CartPole-v1", gaeLambda: 0.9 })).toThrow(
      /- gaeLambda: must be 1 for REINFORCE \(Monte-Carlo returns\), got 0.9/,
    );
  });
});

/** Two agents, same spaces; agent "b" is rewarded for action 1, "a" for action 0; 5-step episodes. */
class Matching implements ParallelEnv<number[], number> {
  readonly possibleAgents = ["a", "b"];
  agents: string[] = [];
  private t = 0;
  private readonly obs = new Box([0], [1]);
  private readonly act = new Discrete(2);
  observationSpace() {
    return this.obs;
  }
  actionSpace() {
    return this.act;
  }
  reset() {
    this.t = 0;
    this.agents = ["a", "b"];
    return { observations: { a: [0], b: [1] }, infos: { a: {}, b: {} } };
  }
  step(actions: Record<string, number>) {
    this.t++;
    const done = this.t >= 5;
    return {
      observations: { a: [0], b: [1] },
      rewards: { a: actions.a === 0 ? 1 : 0, b: actions.b === 1 ? 1 : 0 },
      terminations: { a: false, b: false },
      truncations: { a: done, b: done },
      infos: { a: {}, b: {} },
    };
  }
  close() {}
}

describe("multi-agent", () => {
  it("trains independent learners per agent, or one shared policy", async () => {
    const ind = new PPO({ env: () => new Matching(), seed: 1, ...tiny, learningRate: 0.01, entCoef: 0 });
    const pol = (await ind.learn(64 * 15)) as MultiAgentPolicy;
    expect(Object.keys(pol.policies)).toEqual(["a", "b"]);
    expect(pol.act({ a: [0], b: [1] }, { deterministic: true })).toEqual({ a: 0, b: 1 });
    expect(pol.policies.a).not.toBe(pol.policies.b);
    const shared = new PPO({ env: () => new Matching(), seed: 1, ...tiny, shareParameters: true });
    const sp = (await shared.learn(64)) as MultiAgentPolicy;
    expect(sp.policies.a.params).toBe(sp.policies.b.params);
  });

  it("every returned or loaded policy samples from its own stream (per agent and per learner seed)", async () => {
    // Shared parameters: both agents have the same weights, so only the sampling stream can tell them apart.
    const draws = (p: LearnedPolicy) => Array.from({ length: 64 }, () => p.act([0.5]));
    const sp = (await new PPO({ env: () => new Matching(), seed: 1, ...tiny, shareParameters: true }).learn(64)) as MultiAgentPolicy;
    const other = (await new PPO({ env: () => new Matching(), seed: 2, ...tiny, shareParameters: true }).learn(64)) as MultiAgentPolicy;
    const a = draws(sp.policies.a.clone(actSeed(1, "a")));
    expect(draws(sp.policies.a)).toEqual(a); // the returned policy samples from actSeed(learner seed, agent)
    expect(draws(sp.policies.b)).not.toEqual(a);
    const o2 = draws(other.policies.a.clone(actSeed(2, "a")));
    expect(draws(other.policies.a)).toEqual(o2); // learner seed 2: its own stream
    expect(draws(other.policies.a.clone(actSeed(1, "a")))).not.toEqual(o2);
    // Saved and loaded with the learner's seed: the same streams again.
    const file = join(mkdtempSync(join(tmpdir(), "sg-act-")), "p.json");
    sp.save(file);
    const fresh = (await new PPO({ env: () => new Matching(), seed: 1, ...tiny, shareParameters: true }).learn(64)) as MultiAgentPolicy;
    const back = MultiAgentPolicy.load(file, 1);
    const saved = MultiAgentPolicy.load(file); // the seeds saved with the policies
    const fa = draws(fresh.policies.a);
    const fb = draws(fresh.policies.b);
    expect(draws(back.policies.a)).toEqual(fa);
    expect(draws(back.policies.b)).toEqual(fb);
    expect(draws(saved.policies.a)).toEqual(fa);
    expect(draws(saved.policies.b)).toEqual(fb);
  });
});
