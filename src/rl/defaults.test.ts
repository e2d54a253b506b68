import { describe, expect, it } from "vitest";
import { PPO_DEFAULTS } from "./ppo/defaults.js";
import { REINFORCE_DEFAULTS } from "./reinforce/defaults.js";

// The defaults are documented choices (CleanRL's ppo.py flags for PPO); these pin every value.
const shared = {
  gamma: 0.99,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  actorHidden: [64, 64],
  criticHidden: [64, 64],
  activation: "tanh",
  sharedHidden: [],
  agentId: "none",
  agentEmbeddingDim: 8,
  initLogStd: 0,
  normalizeObservation: false,
  normalizeReward: false,
  clipObservation: 10,
  clipReward: 10,
  shareParameters: false,
  statsWindow: 20,
};

describe("defaults", () => {
  it("PPO_DEFAULTS are CleanRL ppo.py's", () => {
    expect(PPO_DEFAULTS).toEqual({
      ...shared,
      numEnvs: 4,
      numSteps: 128,
      learningRate: 2.5e-4,
      annealLr: true,
      gaeLambda: 0.95,
      numMinibatches: 4,
      updateEpochs: 4,
      normAdv: true,
      clipCoef: 0.2,
      clipVloss: true,
      entCoef: 0.01,
      targetKl: null,
      adamEps: 1e-5,
      gradients: "auto",
    });
  });

  it("REINFORCE_DEFAULTS", () => {
    expect(REINFORCE_DEFAULTS).toEqual({ ...shared, numEnvs: 4, numSteps: 512, learningRate: 1e-3, annealLr: false, gaeLambda: 1, normAdv: true, entCoef: 0, adamEps: 1e-8 });
  });
});
