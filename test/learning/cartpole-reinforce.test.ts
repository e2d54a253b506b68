import { expect, it } from "vitest";
import "../../src/envs/index.js";
import { evaluatePolicy } from "../../src/rl/evaluate.js";
import { REINFORCE } from "../../src/rl/reinforce/index.js";

// REINFORCE with a learned baseline, REINFORCE_DEFAULTS (4 envs x 512 steps per batch, one Adam step per batch),
// seed 1. Stated bar: a mean of at least 300 over 20 deterministic evaluation episodes within 200,000 steps
// (measured: 456; a policy after a single batch scores about 58 on the same episodes).
it("REINFORCE with a baseline learns CartPole-v1: mean return >= 300 over 20 deterministic episodes within 200,000 steps", async () => {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const early = mean(
    evaluatePolicy(await new REINFORCE({ env: "CartPole-v1", seed: 1 }).learn(2048), "CartPole-v1", { episodes: 20, seed: 1234 }),
  );
  const policy = await new REINFORCE({ env: "CartPole-v1", seed: 1 }).learn(200_000);
  const trained = mean(evaluatePolicy(policy, "CartPole-v1", { episodes: 20, seed: 1234 }));
  console.log(`REINFORCE CartPole-v1: after one batch ${early}, after 200,000 steps ${trained}`);
  expect(early).toBeLessThan(150);
  expect(trained).toBeGreaterThanOrEqual(300);
});
