import { describe, expect, it } from "vitest";
import "../envs/index.js";
import { ConfigError } from "../io/errors.js";
import { learnerFromConfig } from "./learner-from-config.js";
import { PPO } from "./ppo/ppo.js";
import { OptionError } from "./option-error.js";
import { parseTrainConfig } from "./train-config.js";

const base = {
  env: "CartPole-v1",
  algorithm: "ppo",
  totalSteps: 1024,
  backend: "cpu",
  hyperparameters: { numSteps: 16, actorHidden: [4], criticHidden: [4] },
};

/** The ConfigError issue paths of building a learner from `json`, or [] when it builds. */
function paths(json: Record<string, unknown>): string[] {
  try {
    learnerFromConfig(parseTrainConfig(json, "x.json"), "x.json").close();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.path);
    throw err;
  }
  return [];
}

describe("learnerFromConfig", () => {
  it("builds a learner from a valid config", () => {
    expect(paths(base)).toEqual([]);
  });

  it("maps an option error's field to its JSON path", () => {
    // 4 envs x 16 steps = 64 transitions: 65 minibatches cannot be formed.
    expect(paths({ ...base, hyperparameters: { ...base.hyperparameters, numMinibatches: 65 } })).toEqual([
      "hyperparameters.numMinibatches",
    ]);
    expect(paths({ ...base, algorithm: "reinforce", hyperparameters: { gaeLambda: 0.9 } })).toEqual(["hyperparameters.gaeLambda"]);
    expect(paths({ ...base, totalSteps: 63 })).toEqual(["totalSteps"]);
    expect(paths({ ...base, numEnvs: 2, totalSteps: 31 })).toEqual(["totalSteps"]);
  });

  it("puts environment errors at env (unknown id) or at the env option's JSON path (bad env options)", () => {
    expect(paths({ ...base, env: "Nope-v0" })).toEqual(["env"]);
    expect(paths({ ...base, env: { id: "MarketBidding-v0", options: { bogus: 1 } } })).toEqual(["env.options.bogus"]);
    expect(paths({ ...base, env: { id: "TeamMatch-v0", options: { agents: 0, noise: -1 } } })).toEqual([
      "env.options.agents",
      "env.options.noise",
    ]);
  });

  it("option errors carry the field (no parsing of messages)", () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof OptionError ? err.field : `not an OptionError: ${String(err)}`;
      }
      return "no error";
    };
    expect(field(() => new PPO({ env: "CartPole-v1", clipCoef: 0 }))).toBe("clipCoef");
    expect(field(() => new PPO({ env: "CartPole-v1", seed: 0.5 }))).toBe("seed");
    expect(field(() => new PPO({ env: "CartPole-v1", actorHidden: [0] }))).toBe("actorHidden");
    expect(field(() => new PPO({ env: "Nope-v0" }))).toBe("env");
    expect(
      field(
        () =>
          new PPO({
            env: () => {
              throw new Error("boom");
            },
          }),
      ),
    ).toBe("env");
  });
});
