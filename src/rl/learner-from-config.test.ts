import { describe, expect, it } from "vitest";
import "../envs/index.js";
import { ConfigError } from "../io/errors.js";
import { learnerFromConfig } from "./learner-from-config.js";
import { PPO } from "./ppo/ppo.js";
import { REINFORCE } from "./reinforce/reinforce.js";
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

  it("maps a learner option error's path to its JSON path", () => {
    // 4 envs x 16 steps = 64 transitions: 65 minibatches cannot be formed.
    expect(paths({ ...base, hyperparameters: { ...base.hyperparameters, numMinibatches: 65 } })).toEqual([
      "hyperparameters.numMinibatches",
    ]);
    expect(paths({ ...base, algorithm: "reinforce", hyperparameters: { gaeLambda: 0.9 } })).toEqual(["hyperparameters.gaeLambda"]);
    expect(paths({ ...base, hyperparameters: { ...base.hyperparameters, sharedHidden: [4], gradients: "fast" } })).toEqual([
      "hyperparameters.gradients",
    ]);
    // numEnvs at the top level overrides hyperparameters.numEnvs and is named there.
    expect(paths({ ...base, numEnvs: 1024, hyperparameters: { ...base.hyperparameters, numSteps: 1000 } })).toEqual([
      "hyperparameters.numSteps",
    ]);
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

  it("a learner's option errors are ConfigErrors of `<algorithm> options` at the option's path (no parsing of messages)", () => {
    const where = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof ConfigError
          ? `${err.file}: ${err.issues.map((i) => i.path).join(", ")}`
          : `not a ConfigError: ${String(err)}`;
      }
      return "no error";
    };
    expect(where(() => new PPO({ env: "CartPole-v1", clipCoef: 0 }))).toBe("PPO options: clipCoef");
    expect(where(() => new PPO({ env: "CartPole-v1", seed: 0.5 }))).toBe("PPO options: seed");
    expect(where(() => new PPO({ env: "CartPole-v1", actorHidden: [0] }))).toBe("PPO options: actorHidden[0]");
    expect(where(() => new PPO({ env: "CartPole-v1", gamma: 2, numSteps: 0, bogus: 1 } as never))).toBe(
      "PPO options: numSteps, gamma, bogus",
    );
    expect(where(() => new REINFORCE({ env: "CartPole-v1", annealLr: "yes" as never }))).toBe("REINFORCE options: annealLr");
    expect(where(() => new PPO({ env: "Nope-v0" }))).toBe("PPO options: env");
    expect(where(() => new PPO({ env: 5 as never }))).toBe("PPO options: env");
    expect(where(() => new PPO({ env: "TeamMatch-v0", envOptions: { agents: 0 } }))).toBe("PPO options: envOptions.agents");
    expect(where(() => new PPO(null as never))).toBe("PPO options: ");
    expect(
      where(
        () =>
          new PPO({
            env: () => {
              throw new Error("boom");
            },
          }),
      ),
    ).toBe("PPO options: env");
  });
});
