/**
 * The smallest market experiment the tests run end to end: the paper market for 4 periods, an all-analytic
 * condition and one with A[1][1] learned by PPO (16 steps per update, 2 minibatches), the CPU backend. Fields
 * not named here go into the experiment as given (e.g. `output`, `sweep`).
 */
export function tinyMarketExperiment({
  name,
  totalSteps = 16,
  seeds = [0],
  episodes = 1,
  updateEpochs = 1,
  ...rest
}: {
  name: string;
  totalSteps?: number;
  seeds?: number[];
  episodes?: number;
  updateEpochs?: number;
  [field: string]: unknown;
}): Record<string, unknown> {
  return {
    name,
    scenario: "market",
    env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
    conditions: [
      { name: "analytic", learned: [] },
      {
        name: "one",
        learned: ["A[1][1]"],
        algorithm: { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs } },
      },
    ],
    training: { totalSteps, numEnvs: 1 },
    seeds,
    evaluation: { episodes },
    backend: "cpu",
    ...rest,
  };
}
