import { beforeAll, describe, expect, it } from "vitest";
import "../../envs/index.js";
import { make } from "../../core/registry.js";
import { Rng } from "../../core/rng.js";
import { ForwardScratch, netForward } from "../actor-critic.js";
import type { ParallelEnv } from "../../core/types.js";
import { initBackend } from "../backend.js";
import { ConfigError } from "../../io/errors.js";
import { MultiAgentPolicy } from "../policy.js";
import { PPO } from "../ppo/ppo.js";
import { getAlgorithm } from "../algorithm-registry.js";
import { MAPPO } from "./mappo.js";
import { ParallelRescaleAction } from "../../wrappers/rescale-action.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

const ENVS: [string, Record<string, unknown>][] = [
  ["MarketBiddingParallel-v0", { episodeLength: 6 }],
  ["ContractNegotiationParallel-v0", {}],
  ["HubTrading-v0", { hubs: 3, periods: 4, scenarioSeed: 0 }],
  ["TeamMatch-v0", { agents: 3 }],
];

type Internals = {
  groups: { critDim: number; stateDim: number; params: { critic: { nIn: number }[]; actor: { nIn: number }[] }; obsDim: number }[];
};

describe("global state (PettingZoo state())", () => {
  it.each(ENVS)("%s: state() lies in stateSpace, changes over an episode and differs from any one observation", (id, options) => {
    const env = make(id, options) as ParallelEnv;
    expect(typeof env.state).toBe("function");
    const r = env.reset({ seed: 3 });
    const s0 = env.state!();
    expect(s0.length).toBe(env.stateSpace!.shape[0]);
    expect(env.stateSpace!.contains(Array.from(s0))).toBe(true);
    const a0 = env.possibleAgents[0];
    expect(s0.length).toBeGreaterThan((r.observations[a0] as unknown as number[]).length ?? 0);
    const acts: Record<string, unknown> = {};
    for (const a of env.agents) acts[a] = env.actionSpace(a).sample(new Rng(1));
    env.step(acts as never);
    const s1 = env.state!();
    expect(s1.length).toBe(s0.length);
    expect(env.stateSpace!.contains(Array.from(s1))).toBe(true);
  });
});

describe("MAPPO", () => {
  it.each(ENVS)("%s: the critic reads the global state, the actors their observations; one update runs", async (id, options) => {
    const mappo = new MAPPO({
      env: () => make(id, { ...options }) as ParallelEnv,
      numEnvs: 2,
      numSteps: 8,
      numMinibatches: 2,
      updateEpochs: 1,
      seed: 1,
    });
    expect(mappo.algorithm).toBe("mappo");
    expect(mappo.gradientPath).toBe("autodiff");
    const g = (mappo as unknown as Internals).groups[0];
    expect(g.critDim).toBe(g.stateDim);
    expect(g.params.critic[0].nIn).toBe(g.stateDim);
    expect(g.params.actor[0].nIn).toBe(g.obsDim);
    const rows: number[] = [];
    const policy = await mappo.learn(16, { onProgress: (p) => rows.push(p.row.value_loss, p.row.policy_loss) });
    mappo.close();
    expect(rows.every(Number.isFinite)).toBe(true);
    expect(policy).toBeInstanceOf(MultiAgentPolicy);
    const p = Object.values((policy as MultiAgentPolicy).policies)[0];
    expect(() => p.value([])).toThrow(/centralised/);
  });

  it("a shared MAPPO network with a one-hot agent id gives the critic the id too; truncated episodes bootstrap from the final state", async () => {
    const env = () => make("MarketBiddingParallel-v0", { episodeLength: 3 }) as ParallelEnv;
    const mappo = new MAPPO({
      env,
      shareParameters: true,
      agentId: "onehot",
      numEnvs: 1,
      numSteps: 8,
      numMinibatches: 2,
      updateEpochs: 1,
      seed: 2,
    });
    const g = (mappo as unknown as Internals).groups[0];
    const n = env().possibleAgents.length;
    expect(g.critDim).toBe(g.stateDim + n);
    await mappo.learn(8); // 8 steps of 3-period episodes: two truncations inside the rollout
    mappo.close();
  });

  it("reads the state through the scenarios' wrappers (ParallelRescaleAction)", () => {
    const env = () =>
      new ParallelRescaleAction(make("HubTrading-v0", { hubs: 3, periods: 4 }) as ParallelEnv<number[], number[]>, -1, 1) as ParallelEnv;
    const e = env();
    expect(e.stateSpace!.shape).toEqual((make("HubTrading-v0", { hubs: 3, periods: 4 }) as ParallelEnv).stateSpace!.shape);
    const mappo = new MAPPO({ env, numEnvs: 1, numSteps: 4, numMinibatches: 1, seed: 1 });
    expect((mappo as unknown as Internals).groups[0].critDim).toBe(e.stateSpace!.shape[0]);
    mappo.close();
  });

  it("needs a ParallelEnv with a state; the fast gradient path does not apply", () => {
    expect(() => new MAPPO({ env: "CartPole-v1" })).toThrow(ConfigError);
    expect(() => new MAPPO({ env: "CartPole-v1" })).toThrow(
      /^MAPPO options: invalid configuration\n {2}- env: needs a multi-agent ParallelEnv/,
    );
    expect(() => new MAPPO({ env: () => make("TeamMatch-v0", {}) as ParallelEnv, gradients: "fast" })).toThrow(
      /- gradients: "fast" does not apply to a centralised critic/,
    );
  });

  it("is registered as an experiment algorithm with PPO's hyperparameters", () => {
    const def = getAlgorithm("mappo");
    expect(def).toBeDefined();
    expect(Object.keys(def!.defaults)).toEqual(Object.keys(getAlgorithm("ppo")!.defaults));
  });
});

describe("shared policies", () => {
  it.each(["onehot", "embedding"] as const)(
    "agent id %s: each agent's saved policy acts as the learner; the file holds the weights once",
    async (agentId) => {
      const env = () => make("TeamMatch-v0", { agents: 4 }) as ParallelEnv;
      const ppo = new PPO({ env, shareParameters: true, agentId, numEnvs: 2, numSteps: 16, seed: 1 });
      const policy = (await ppo.learn(64)) as MultiAgentPolicy;
      ppo.close();
      const json = JSON.parse(JSON.stringify(policy.toJSON()));
      expect(json.sharedParams).toBeDefined();
      expect(Object.values(json.policies).every((p) => (p as { params: unknown }).params === "shared")).toBe(true);
      const { writeFileSync, mkdtempSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { tmpdir } = await import("node:os");
      const file = join(mkdtempSync(join(tmpdir(), "sg-")), "p.json");
      writeFileSync(file, JSON.stringify(json));
      const back = MultiAgentPolicy.load(file);
      Object.entries(policy.policies).forEach(([a, p], k) => {
        expect(p.spec.agentId).toEqual({ kind: agentId, count: 4, index: k });
        for (const bit of [0, 1]) expect(back.policies[a].value([bit])).toBeCloseTo(p.value([bit]), 6);
      });
      // The agent id changes the network input: two agents' values differ on the same observation.
      const vs = Object.values(policy.policies).map((p) => p.value([1]));
      expect(new Set(vs.map((v) => v.toFixed(6))).size).toBeGreaterThan(1);
    },
  );

  it("a shared policy of many agents acts through one batched TF.js forward that equals the JS forward", () => {
    const env = () => make("TeamMatch-v0", { agents: 200 }) as ParallelEnv;
    const ppo = new PPO({ env, shareParameters: true, numEnvs: 1, numSteps: 4, seed: 1 });
    type G = { tfInference: boolean; cur: Float32Array; params: never; slots: number[] };
    const inner = ppo as unknown as { groups: G[]; start(): void; forward(g: G): { head: Float32Array; values: Float32Array } };
    const g = inner.groups[0];
    expect(g.tfInference).toBe(true);
    inner.start();
    const { head, values } = inner.forward(g);
    const S = g.slots.length;
    const jsHead = netForward(g.params, "tanh", "actor", g.cur, S, new ForwardScratch(), "a");
    const jsValues = netForward(g.params, "tanh", "critic", g.cur, S, new ForwardScratch(), "c");
    for (let i = 0; i < S * 2; i++) expect(head[i]).toBeCloseTo(jsHead[i], 5);
    for (let i = 0; i < S; i++) expect(values[i]).toBeCloseTo(jsValues[i], 5);
    ppo.close();
  });
});
