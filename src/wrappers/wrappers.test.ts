import { describe, expect, it } from "vitest";
import { checkEnv } from "../core/check-env.js";
import { Rng } from "../core/rng.js";
import { Box, Dict, Discrete } from "../core/spaces.js";
import type { Env, ResetOptions, StepResult } from "../core/types.js";
import { ClipAction } from "./clip-action.js";
import { FlattenObservation, flatNames } from "./flatten-observation.js";
import { NormalizeObservation } from "./normalize-observation.js";
import { NormalizeReward } from "./normalize-reward.js";
import { RescaleAction } from "./rescale-action.js";
import { RunningMeanStd } from "./running-mean-std.js";

/** Observation = [2, 4] + noise * t; reward = a given list; records the actions it receives. */
class Probe implements Env<number[], number[]> {
  readonly observationSpace = new Box(-1e6, 1e6, [2]);
  readonly actionSpace = new Box([0, -5], [2, 5]);
  received: number[][] = [];
  private rng = new Rng(0);
  private t = 0;
  private live = false;
  constructor(
    private rewards: number[] = [1, 2, 3, 4, 5, 6, 7, 8],
    private terminateAt = Infinity,
  ) {}
  reset(opts: ResetOptions = {}) {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.t = 0;
    this.live = true;
    return { observation: [2 + this.rng.normal(), 4 + this.rng.normal()], info: {} };
  }
  step(action: number[]): StepResult<number[]> {
    if (!this.live) throw new Error("reset first");
    const why = this.actionSpace.explain(action);
    if (why) throw new RangeError(why);
    this.received.push([...action]);
    const reward = this.rewards[this.t % this.rewards.length];
    this.t++;
    const terminated = this.t >= this.terminateAt;
    const truncated = !terminated && this.t >= this.rewards.length;
    if (terminated || truncated) this.live = false;
    return { observation: [2 + this.rng.normal(), 4 + this.rng.normal()], reward, terminated, truncated, info: {} };
  }
  close() {}
}

describe("ClipAction", () => {
  it("clips to the inner bounds and accepts any real vector", () => {
    const inner = new Probe();
    const env = new ClipAction(inner);
    env.reset({ seed: 1 });
    env.step([3, -9]);
    env.step([-1, 2.5]);
    expect(inner.received).toEqual([
      [2, -5],
      [0, 2.5],
    ]);
    expect(env.actionSpace.low).toEqual([-Infinity, -Infinity]);
    expect(() => env.step([NaN, 0])).toThrow(/NaN/);
  });
  it("passes checkEnv", () => {
    checkEnv(new ClipAction(new Probe()));
  });
});

describe("RescaleAction", () => {
  it("maps [-1, 1] affinely onto the inner bounds", () => {
    const inner = new Probe();
    const env = new RescaleAction(inner);
    env.reset({ seed: 1 });
    env.step([-1, -1]);
    env.step([1, 1]);
    env.step([0, 0.5]);
    expect(inner.received).toEqual([
      [0, -5],
      [2, 5],
      [1, 2.5],
    ]);
    expect(() => env.step([1.5, 0])).toThrow(/outside \[-1, 1\]/);
  });
  it("rejects unbounded inner spaces", () => {
    expect(() => new RescaleAction(new ClipAction(new Probe()))).toThrow(/finite bounds/);
  });
  it("passes checkEnv", () => {
    checkEnv(new RescaleAction(new Probe(), 0, 1));
  });
});

describe("RunningMeanStd", () => {
  it("matches the sample mean and population variance (up to the 1e-4 pseudo-count)", () => {
    const rms = new RunningMeanStd(1);
    const xs = [1, 2, 3, 4, 10];
    for (const x of xs) rms.update([x]);
    // mean 4, population variance 10; the pseudo-count prior (mean 0, var 1, count 1e-4) shifts them by ~1e-4.
    expect(rms.mean[0]).toBeCloseTo(4, 3);
    expect(rms.var[0]).toBeCloseTo(10, 2);
    expect(rms.count).toBeCloseTo(5.0001, 10);
  });
  it("round-trips through JSON and validates what it loads", () => {
    const rms = new RunningMeanStd(2);
    rms.update([1, 2]);
    const other = new RunningMeanStd(2);
    other.load(JSON.parse(JSON.stringify(rms.toJSON())));
    expect(other.toJSON()).toEqual(rms.toJSON());
    expect(() => other.load({ mean: [0], var: [1], count: 1 })).toThrow(/2 finite entries/);
  });
});

describe("NormalizeObservation", () => {
  it("normalises with statistics that include the current observation", () => {
    const env = new NormalizeObservation(new Probe());
    const r = env.reset({ seed: 1 });
    // One update from the prior (mean 0, var 1, count 1e-4), by hand:
    const x = new Probe().reset({ seed: 1 }).observation[0];
    const mean = x / 1.0001;
    const variance = (1e-4 + (x * x * 1e-4) / 1.0001) / 1.0001;
    expect(r.observation[0]).toBeCloseTo((x - mean) / Math.sqrt(variance + 1e-8), 12);
    for (let i = 0; i < 7; i++) env.step([1, 0]);
    const m = env.stats().mean;
    expect(m[0]).toBeGreaterThan(1);
    expect(m[1]).toBeGreaterThan(3);
  });
  it("frozen statistics do not move and can be restored", () => {
    const train = new NormalizeObservation(new Probe());
    train.reset({ seed: 2 });
    for (let i = 0; i < 7; i++) train.step([1, 0]);
    const saved = JSON.parse(JSON.stringify(train.stats()));
    const evalEnv = new NormalizeObservation(new Probe(), { update: false, stats: saved });
    const r = evalEnv.reset({ seed: 5 });
    evalEnv.step([1, 0]);
    expect(evalEnv.stats()).toEqual(saved);
    const raw = new Probe().reset({ seed: 5 }).observation;
    expect(r.observation[0]).toBeCloseTo((raw[0] - saved.mean[0]) / Math.sqrt(saved.var[0] + 1e-8), 12);
  });
  it("passes checkEnv when frozen (updating statistics carry state across resets, as in Gymnasium)", () => {
    checkEnv(new NormalizeObservation(new Probe(), { update: false }));
  });
});

describe("NormalizeReward", () => {
  it("divides by the std of the discounted return, hand-computed for gamma = 0.5", () => {
    const env = new NormalizeReward(new Probe([1, 1, 1]), { gamma: 0.5, epsilon: 0 });
    env.reset({ seed: 1 });
    const rms = new RunningMeanStd(1);
    let g = 0;
    for (let i = 0; i < 3; i++) {
      const s = env.step([1, 0]);
      g = g * 0.5 + 1; // 1, 1.5, 1.75
      rms.update([g]);
      expect(s.reward).toBeCloseTo(1 / Math.sqrt(rms.var[0]), 12);
      expect(s.info.rawReward).toBe(1);
    }
  });
  it("resets the return on termination and at reset; frozen stats stay put", () => {
    const env = new NormalizeReward(new Probe([2, 2, 2, 2], 2), { gamma: 1, update: true });
    env.reset({ seed: 1 });
    env.step([1, 0]);
    env.step([1, 0]); // terminated: G was 4
    env.update = false;
    const before = env.stats();
    env.reset({ seed: 1 });
    env.step([1, 0]);
    expect(env.stats()).toEqual(before);
  });
});

describe("FlattenObservation", () => {
  class DictEnv implements Env<Record<string, unknown>, number> {
    readonly observationSpace = new Dict({ prices: new Box(0, 10, [2]), mode: new Discrete(3), phase: new Box(-1, 1, [1]) });
    readonly actionSpace = new Discrete(2);
    private live = false;
    private rng = new Rng(0);
    reset(opts: ResetOptions = {}) {
      if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
      this.live = true;
      return { observation: { prices: [1, 2], mode: 2, phase: [this.rng.uniform(-1, 1)] }, info: {} };
    }
    step() {
      if (!this.live) throw new Error("reset first");
      this.live = false;
      return {
        observation: { prices: [3, 4], mode: 0, phase: [this.rng.uniform(-1, 1)] },
        reward: 0,
        terminated: true,
        truncated: false,
        info: {},
      };
    }
    close() {}
  }
  it("concatenates keys in order, one-hot for Discrete", () => {
    const env = new FlattenObservation(new DictEnv());
    const r = env.reset({ seed: 3 });
    expect(r.observation.slice(0, 5)).toEqual([1, 2, 0, 0, 1]);
    expect(env.observationSpace.low).toEqual([0, 0, 0, 0, 0, -1]);
    expect(env.observationSpace.high).toEqual([10, 10, 1, 1, 1, 1]);
    expect(flatNames(new DictEnv().observationSpace)).toEqual(["prices[0]", "prices[1]", "mode=0", "mode=1", "mode=2", "phase"]);
    checkEnv(new FlattenObservation(new DictEnv()));
  });
  it("NormalizeObservation names FlattenObservation when given a Dict", () => {
    expect(() => new NormalizeObservation(new DictEnv() as unknown as Env<number[], number>)).toThrow(/FlattenObservation/);
  });
});

describe("Wrapper.unwrapped", () => {
  it("looks through TimeLimit and RecordEpisodeStatistics to the innermost env", async () => {
    const { TimeLimit } = await import("./time-limit.js");
    const { RecordEpisodeStatistics } = await import("./record-episode-statistics.js");
    const { Pendulum } = await import("../envs/classic/pendulum.js");
    const inner = new Pendulum();
    const wrapped = new ClipAction(new RecordEpisodeStatistics(new TimeLimit(inner, 10)));
    expect(wrapped.unwrapped).toBe(inner);
  });
});
