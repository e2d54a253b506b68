import { describe, expect, it } from "vitest";
import "./index.js";
import { make } from "../../core/registry.js";
import { TimeLimit } from "../../wrappers/time-limit.js";
import { CartPole } from "./cartpole.js";
import { Pendulum } from "./pendulum.js";

describe("CartPole-v1", () => {
  it("matches a hand-computed Euler step from the upright rest state", () => {
    const env = new CartPole();
    env.reset({ seed: 0 });
    env.setState({ ...env.getState(), state: [0, 0, 0, 0] });
    const r = env.step(1);
    // force 10: temp = 100/11, thetaacc = -600/41, xacc = 4400/451 (worked out by hand from Gymnasium's formulas)
    expect(r.observation[0]).toBe(0);
    expect(r.observation[1]).toBeCloseTo(0.02 * (4400 / 451), 6);
    expect(r.observation[2]).toBe(0);
    expect(r.observation[3]).toBeCloseTo(0.02 * (-600 / 41), 6);
    expect(r.reward).toBe(1);
    expect(r.terminated).toBe(false);
    // Second step: theta moves by tau * theta_dot of the first step (explicit Euler order).
    const r2 = env.step(0);
    expect(r2.observation[0]).toBeCloseTo(0.02 * 0.02 * (4400 / 451), 7);
    expect(r2.observation[2]).toBeCloseTo(0.02 * 0.02 * (-600 / 41), 7);
  });

  it("terminates past 12 degrees with reward 1 on the terminating step", () => {
    const env = new CartPole();
    env.reset({ seed: 1 });
    env.setState({ ...env.getState(), state: [0, 0, 0.2094, 1] });
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    env.setState({ ...env.getState(), state: [2.399, 1, 0, 0], stepsBeyondTerminated: null });
    expect(env.step(1).terminated).toBe(true);
  });

  it("resets uniformly in [-0.05, 0.05], seeded; registered with a 500-step limit and threshold 475", () => {
    const a = new CartPole().reset({ seed: 7 }).observation;
    const b = new CartPole().reset({ seed: 7 }).observation;
    expect(a).toEqual(b);
    expect(a.every((v) => Math.abs(v) <= 0.05)).toBe(true);
    expect(new CartPole().reset({ seed: 8 }).observation).not.toEqual(a);
    const env = make("CartPole-v1");
    expect(env).toBeInstanceOf(TimeLimit);
    expect(env.spec).toMatchObject({ id: "CartPole-v1", maxEpisodeSteps: 500, rewardThreshold: 475 });
    expect(() => make("CartPole-v1", { bogus: 1 })).toThrow(/CartPole-v1 options: invalid configuration\n {2}- bogus: unknown key/);
    expect(() => make("Pendulum-v1", { g: "9.8" })).toThrow(/Pendulum-v1 options: invalid configuration\n {2}- g: must be a number/);
  });
});

describe("Pendulum-v1", () => {
  it("matches a hand-computed step", () => {
    const env = new Pendulum();
    env.reset({ seed: 0 });
    env.setState({ ...env.getState(), th: 0, thDot: 0 });
    const r = env.step([1]);
    // thdot' = (15 sin 0 + 3 * 1) * 0.05 = 0.15; th' = 0.15 * 0.05; cost = 0.001 * 1^2
    expect(r.reward).toBeCloseTo(-0.001, 12);
    expect(r.observation[2]).toBeCloseTo(0.15, 6);
    expect(r.observation[1]).toBeCloseTo(Math.sin(0.0075), 6);
    // torque is clipped to 2; speed to 8
    env.setState({ ...env.getState(), th: Math.PI / 2, thDot: 7.9 });
    const r2 = env.step([5]);
    expect(r2.observation[2]).toBe(8);
    expect(r2.reward).toBeCloseTo(-((Math.PI / 2) ** 2 + 0.1 * 7.9 ** 2 + 0.001 * 4), 10);
    expect(make("Pendulum-v1").spec?.maxEpisodeSteps).toBe(200);
  });
});
