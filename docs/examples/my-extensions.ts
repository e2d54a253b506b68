// A plugin: one file whose top-level code registers a strategy, a metric and an algorithm through the package
// API. An experiment lists it in "plugins" (docs/examples/my-experiment.json); `supplygym run` imports it before
// validating the experiment, and again in every worker thread. Walked through in docs/extending.md; run as a test
// by src/agents/extending.test.ts.
import { z } from "zod";
import { Box, ConfigError, PPO, Rng, registerAlgorithm, registerMetric, registerStrategy, type LearnerOptions, type PeriodPair } from "supplygym";

// 1. A strategy: a market producer that bids a random fraction of its truthful demand every period.
const randomShadeOptions = z.strictObject({
  /** Smallest demand scale drawn (1 = truthful). */
  low: z.number().min(0).max(2).default(0.7).describe("Smallest demand scale drawn (1 = truthful)."),
  /** Largest demand scale drawn. */
  high: z.number().min(0).max(2).default(1).describe("Largest demand scale drawn."),
});

registerStrategy(
  "random-shade",
  (ctx) => {
    const { low, high } = ctx.options as z.infer<typeof randomShadeOptions>;
    // a rule over two fields: a ConfigError whose path is inside the options (reported at ….options.low)
    if (low > high) throw new ConfigError("random-shade options", [{ path: "low", message: `${low} must not exceed high (${high})` }]);
    const space = ctx.actionSpace as Box; // per good a demand scale in [0, 2], then per good a withheld fraction
    const goods = space.high.filter((h) => h === 2).length;
    const rng = new Rng(ctx.seed); // the project's seeded RNG: same seed, same bids
    return { act: () => Array.from({ length: space.size }, (_, k) => (k < goods ? rng.uniform(low, high) : 0)) };
  },
  {
    description: "a producer that bids a uniformly drawn fraction in [low, high] of its truthful demand each period",
    options: randomShadeOptions,
    envs: ["MarketBidding-v0", "MarketBiddingParallel-v0"],
  },
);

// 2. A metric: computed from the market scenario's plain records (one PeriodPair per evaluation period).
registerMetric({
  name: "market/mean_price",
  unit: "money per unit",
  definition: "Mean clearing price over every market of the layered economy.",
  aggregation: "mean over markets and evaluation periods",
  higherIsBetter: undefined,
  scenarios: ["market"],
  compute: ({ records }) => {
    let sum = 0;
    let n = 0;
    for (const { outcome } of records as PeriodPair[]) {
      for (const p of Object.values(outcome.prices ?? {})) {
        sum += p;
        n++;
      }
    }
    return n > 0 ? sum / n : NaN;
  },
});

// 3. An algorithm: PPO with short rollouts (a variant a researcher wants to compare under its own name).
class ShortRolloutPPO extends PPO {
  constructor(options: LearnerOptions) {
    super({ numSteps: 32, numMinibatches: 2, ...options } as ConstructorParameters<typeof PPO>[0]);
  }
}

registerAlgorithm({
  name: "ppo-short",
  description: "PPO with 32-step rollouts and 2 minibatches unless the condition says otherwise",
  defaults: { numSteps: 32, numMinibatches: 2, learningRate: 2.5e-4, updateEpochs: 4 },
  learner: ShortRolloutPPO,
});
