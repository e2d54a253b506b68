import { describe, expect, it } from "vitest";
import { ConfigError } from "../io/errors.js";
import { parseTrainConfig } from "./train-config.js";

const base = { env: "CartPole-v1", algorithm: "ppo", totalSteps: 1024 };

/** The "path: message" issues of a config, or [] when it is valid. */
function issues(json: unknown): string[] {
  try {
    parseTrainConfig(json, "x.json");
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe("train config schema", () => {
  it("accepts positive clips and gradient-norm limits", () => {
    expect(issues({ ...base, hyperparameters: { maxGradNorm: 0.5, clipObservation: 5, clipReward: 5 } })).toEqual([]);
  });

  it.each(["maxGradNorm", "clipObservation", "clipReward", "learningRate"])("rejects %s: 0 (it would silently stop learning)", (field) => {
    for (const algorithm of ["ppo", "reinforce"]) {
      const found = issues({ ...base, algorithm, hyperparameters: { [field]: 0 } });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(new RegExp(`^hyperparameters\\.${field}: must be a finite number > 0, got 0$`));
    }
  });

  it("checks each hyperparameter against its algorithm's schema and keeps them as written (defaults come with the env)", () => {
    expect(issues({ ...base, hyperparameters: { numStep: 8, clipCoef: 0.1, actorHidden: [8, 0] } })).toEqual([
      "hyperparameters.actorHidden[1]: must be a positive integer, got 0",
      "hyperparameters.numStep: unknown key",
    ]);
    // clipCoef is PPO's, not REINFORCE's; PPO's own fields are not REINFORCE options.
    expect(issues({ ...base, algorithm: "reinforce", hyperparameters: { clipCoef: 0.1 } })).toEqual([
      "hyperparameters.clipCoef: unknown key",
    ]);
    expect(issues({ ...base, algorithm: "mappo", hyperparameters: { seed: 3 } })).toEqual(["hyperparameters.seed: unknown key"]);
    // Pendulum's PPO defaults are the continuous script's, so the config must not fill in the Discrete ones.
    expect(parseTrainConfig({ ...base, env: "Pendulum-v1", hyperparameters: { numSteps: 64 } }, "x.json").hyperparameters).toEqual({
      numSteps: 64,
    });
  });
});
