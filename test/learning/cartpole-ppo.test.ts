import { expect, it } from "vitest";
import "../../src/envs/index.js";
import { evaluatePolicy } from "../../src/rl/evaluate.js";
import { PPO } from "../../src/rl/ppo/ppo.js";

// CleanRL's ppo.py defaults (4 envs x 128 steps, 4 minibatches, 4 epochs, 64x64 tanh) for 300,000 steps, seed 1.
it("PPO solves CartPole-v1: mean return >= 475 over 20 deterministic evaluation episodes within 300,000 steps", async () => {
  const ppo = new PPO({ env: "CartPole-v1", seed: 1 });
  let last = 0;
  const policy = await ppo.learn(300_000, {
    onProgress: (p) => {
      if (p.iteration % 50 === 0 || p.iteration === p.numIterations) {
        last = p.row.episode_return_mean;
        console.log(
          `step ${p.globalStep} return(last 20) ${last.toFixed(1)} ${Math.round(p.row.steps_per_second)} steps/s on ${ppo.backendName}`,
        );
      }
    },
  });
  const returns = evaluatePolicy(policy, "CartPole-v1", { episodes: 20, seed: 1234 });
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  console.log(`evaluation mean ${mean} (min ${Math.min(...returns)})`);
  expect(mean).toBeGreaterThanOrEqual(475);
});
