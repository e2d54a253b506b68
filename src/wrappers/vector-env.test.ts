import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { Box, Discrete } from "../core/spaces.js";
import type { Env, ParallelEnv } from "../core/types.js";
import { ParallelToVector } from "./parallel-to-vector.js";
import { RecordEpisodeStatistics } from "./record-episode-statistics.js";
import { SyncVectorEnv } from "./sync-vector-env.js";
import { TimeLimit } from "./time-limit.js";

/** Observation = [seed-drawn id, step count]; ends (terminated) after `len` steps; reward = action. */
class Counter implements Env<number[], number> {
  readonly observationSpace = new Box([0, 0], [1, 100]);
  readonly actionSpace = new Discrete(3);
  private rng = new Rng(0);
  private t = 0;
  private id = 0;
  constructor(readonly len: number) {}
  reset(o: { seed?: number } = {}) {
    if (o.seed !== undefined) this.rng = new Rng(o.seed);
    this.t = 0;
    this.id = this.rng.random();
    return { observation: [this.id, 0], info: { reset: true } };
  }
  step(a: number) {
    this.t++;
    return { observation: [this.id, this.t], reward: a, terminated: this.t >= this.len, truncated: false, info: { t: this.t } };
  }
  close() {}
}

describe("SyncVectorEnv", () => {
  it("seeds env i with seed + i", () => {
    const v = new SyncVectorEnv([() => new Counter(3), () => new Counter(3)]);
    const r = v.reset({ seed: 10 });
    expect(r.observations[0][0]).toBe(new Counter(3).reset({ seed: 10 }).observation[0]);
    expect(r.observations[1][0]).toBe(new Counter(3).reset({ seed: 11 }).observation[0]);
  });

  it("autoresets in the same step, keeping the final observation and info", () => {
    const v = new SyncVectorEnv([
      () => new RecordEpisodeStatistics(new Counter(2)),
      () => new RecordEpisodeStatistics(new TimeLimit(new Counter(10), 3)),
    ]);
    v.reset({ seed: 1 });
    let r = v.step([1, 2]);
    expect(r.terminations).toEqual([false, false]);
    r = v.step([2, 2]);
    expect(r.terminations).toEqual([true, false]);
    expect(r.infos[0].finalObservation).toEqual([expect.any(Number), 2]);
    expect(r.observations[0][1]).toBe(0); // first observation of the next episode
    expect((r.infos[0].finalInfo as { episode: unknown }).episode).toEqual({ r: 3, l: 2 });
    r = v.step([0, 2]);
    expect(r.truncations).toEqual([false, true]);
    expect(r.terminations[1]).toBe(false);
    expect((r.infos[1].finalInfo as { episode: unknown }).episode).toEqual({ r: 6, l: 3 });
    expect(r.observations[1][1]).toBe(0);
  });
});

class TwoAgents implements ParallelEnv<number[], number> {
  readonly possibleAgents = ["a", "b"] as const;
  agents: string[] = [];
  private t = 0;
  private obs = new Box([0], [10]);
  private act = new Discrete(2);
  observationSpace() {
    return this.obs;
  }
  actionSpace() {
    return this.act;
  }
  reset() {
    this.t = 0;
    this.agents = ["a", "b"];
    return { observations: { a: [0], b: [0] }, infos: { a: {}, b: {} } };
  }
  step(actions: Record<string, number>) {
    this.t++;
    const done = this.t >= 2;
    return {
      observations: { a: [this.t], b: [this.t] },
      rewards: { a: actions.a, b: 10 * actions.b },
      terminations: { a: done, b: done },
      truncations: { a: false, b: false },
      infos: { a: {}, b: {} },
    };
  }
  close() {}
}

describe("ParallelToVector", () => {
  it("maps agents to slots and autoresets with per-agent episode statistics", () => {
    const v = new ParallelToVector(new TwoAgents());
    expect(v.numEnvs).toBe(2);
    v.reset();
    v.step([1, 1]);
    const r = v.step([1, 0]);
    expect(r.terminations).toEqual([true, true]);
    expect(r.infos[0].episode).toEqual({ r: 2, l: 2 });
    expect(r.infos[1].episode).toEqual({ r: 10, l: 2 });
    expect(r.infos[0].finalObservation).toEqual([2]);
    expect(r.observations[0]).toEqual([0]);
  });
});
