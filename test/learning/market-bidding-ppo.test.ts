import { expect, it } from "vitest";
import "../../src/envs/index.js";
import { make } from "../../src/core/registry.js";
import { deriveSeed } from "../../src/core/rng.js";
import type { Env } from "../../src/core/types.js";
import type { LearnedPolicy } from "../../src/rl/policy.js";
import { PPO } from "../../src/rl/ppo/ppo.js";

// A learned A[1][1] (MarketBidding-v0's default agent; everyone else bids analytically) must earn more than the
// truthful analytic bidder on the same evaluation demand draws, across training seeds: the median over 3 training
// seeds of learned / truthful profit must exceed 1.005 (a constant truthful bid scores exactly 1, so the bar needs
// a real gain). The truthful profit is the env's all-analytic counterfactual (`info.counterfactual.profits`),
// cleared with the same demand each period.
const SEEDS = [1, 2, 3];
const BAR = 1.005;

async function ratio(seed: number): Promise<{ learned: number; truthful: number; backend: string }> {
  const ppo = new PPO({
    env: "MarketBidding-v0",
    envOptions: { counterfactual: false }, // training does not need the counterfactual (half the step cost)
    seed,
    numEnvs: 4,
    numSteps: 256,
    numMinibatches: 16,
    gamma: 0.9,
    learningRate: 1e-3,
    initLogStd: -1,
  });
  const policy = (await ppo.learn(20_480)) as LearnedPolicy;
  const env = make<Env>("MarketBidding-v0");
  let learned = 0;
  let truthful = 0;
  for (let k = 0; k < 10; k++) {
    let obs = env.reset({ seed: deriveSeed(777, "eval", k) }).observation;
    for (;;) {
      const r = env.step(policy.act(obs, { deterministic: true }));
      const info = r.info as { agents: string[]; counterfactual: { profits: number[] } };
      learned += r.reward;
      truthful += info.counterfactual.profits[info.agents.indexOf("A[1][1]")];
      obs = r.observation;
      if (r.terminated || r.truncated) break;
    }
  }
  return { learned, truthful, backend: ppo.backendName ?? "?" };
}

it(`PPO's A[1][1] on MarketBidding-v0: median over training seeds ${SEEDS.join(", ")} of learned / truthful profit > ${BAR}`, async () => {
  const ratios: number[] = [];
  for (const seed of SEEDS) {
    const r = await ratio(seed);
    expect(r.truthful).toBeGreaterThan(0);
    ratios.push(r.learned / r.truthful);
    console.log(
      `MarketBidding-v0, seed ${seed}, 10 evaluation episodes: learned A[1][1] profit ${r.learned.toFixed(1)}, truthful ${r.truthful.toFixed(1)}, ratio ${(r.learned / r.truthful).toFixed(4)} (${r.backend})`,
    );
  }
  const median = [...ratios].sort((x, y) => x - y)[1];
  expect(median).toBeGreaterThan(BAR);
});
