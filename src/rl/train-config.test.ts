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
      expect(found[0]).toMatch(new RegExp(`^hyperparameters\\.${field}: .*>0`));
    }
  });
});
