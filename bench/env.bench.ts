// Environment speed (issue 3): results/bench/env.json.
//   - MarketBidding-v0 steps/s with random actions, one env, one process (default options: counterfactual on);
//   - the same with counterfactual: false (the training setting);
//   - a SyncVectorEnv of 8 (same-step autoreset);
//   - MarketBiddingParallel-v0 with 6 learned agents (every producer of the paper's market);
//   - microseconds per step as the market grows to 300 agents (2 groups x 150 agents x 30 goods), random markets
//     from the market module's generator.
import { Rng } from "../src/core/rng.js";
import type { Env } from "../src/core/types.js";
import { MarketBiddingEnv } from "../src/envs/market-bidding.js";
import { MarketBiddingParallelEnv } from "../src/envs/market-bidding-parallel.js";
import { randomMarket } from "../src/market/generate.js";
import { SyncVectorEnv } from "../src/wrappers/sync-vector-env.js";
import { peakRssMiB, writeBench } from "./bench-util.js";

/** Steps per second over `seconds`, median of 3 runs; episodes are reset when they end (reset cost included). */
function stepsPerSecond(stepOnce: () => void, seconds = 2): number {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    let now = t0;
    while (now - t0 < seconds * 1000) {
      for (let k = 0; k < 64; k++) stepOnce();
      n += 64;
      now = performance.now();
    }
    runs.push(n / ((now - t0) / 1000));
  }
  runs.sort((a, b) => a - b);
  return runs[1];
}

function singleEnvStepper(env: Env<unknown, number[]>, seed: number): () => void {
  const rng = new Rng(seed);
  const actions = Array.from({ length: 4096 }, () => env.actionSpace.sample(rng));
  let k = 0;
  env.reset({ seed });
  return () => {
    const s = env.step(actions[k++ & 4095]);
    if (s.terminated || s.truncated) env.reset();
  };
}

const single = new MarketBiddingEnv();
const singleSps = stepsPerSecond(singleEnvStepper(single, 1));
console.log(`MarketBidding-v0, 1 env: ${singleSps.toFixed(0)} steps/s`);

const fast = new MarketBiddingEnv({ counterfactual: false });
const fastSps = stepsPerSecond(singleEnvStepper(fast, 1));
console.log(`MarketBidding-v0, 1 env, counterfactual off: ${fastSps.toFixed(0)} steps/s`);

const vec = new SyncVectorEnv(Array.from({ length: 8 }, () => () => new MarketBiddingEnv() as Env<unknown, number[]>));
const vrng = new Rng(100);
const vecActions = Array.from({ length: 512 }, () => Array.from({ length: 8 }, () => vec.singleActionSpace.sample(vrng)));
let vk = 0;
vec.reset({ seed: 100 });
const eightSps = stepsPerSecond(() => void vec.step(vecActions[vk++ & 511])) * 8;
console.log(`SyncVectorEnv of 8: ${eightSps.toFixed(0)} env-steps/s`);

const par = new MarketBiddingParallelEnv();
const prng = new Rng(2);
par.reset({ seed: 2 });
const parSps = stepsPerSecond(() => {
  const acts: Record<string, number[]> = {};
  for (const a of par.agents) acts[a] = par.actionSpace(a).sample(prng);
  const s = par.step(acts);
  if (par.agents.length === 0) par.reset();
  void s;
});
console.log(`MarketBiddingParallel-v0, ${par.possibleAgents.length} learned agents: ${parSps.toFixed(0)} steps/s`);

const sizes = [
  { agentsPerGroup: 3, goods: 3 },
  { agentsPerGroup: 15, goods: 10 },
  { agentsPerGroup: 50, goods: 30 },
  { agentsPerGroup: 150, goods: 30 },
];
const scaling: Record<string, unknown>[] = [];
for (const size of sizes) {
  const market = randomMarket(new Rng(2026), { groups: 2, ...size });
  const t0 = performance.now();
  const env = new MarketBiddingEnv({ market, agent: "A[1][0]", forecasterFit: { periods: 120 } });
  const constructMs = performance.now() - t0;
  const sps = stepsPerSecond(singleEnvStepper(env, 3), size.agentsPerGroup >= 50 ? 3 : 1);
  const row = {
    agents: 2 * size.agentsPerGroup,
    goods: size.goods,
    markets: 3 * size.goods,
    us_per_step: 1e6 / sps,
    steps_per_s: sps,
    construct_ms: constructMs,
  };
  scaling.push(row);
  console.log(
    `market ${row.agents} agents x ${row.goods} goods: ${row.us_per_step.toFixed(1)} us/step (${sps.toFixed(0)} steps/s; construct ${constructMs.toFixed(0)} ms)`,
  );
}

writeBench("env", {
  notes:
    "random actions; episodes of 52 periods reset when they end (reset cost included); median of 3 timed runs. " +
    "8 envs: a SyncVectorEnv of 8 MarketBidding-v0 (same-step autoreset), env-steps/s. " +
    "Each step clears the market twice (bids and the all-analytic counterfactual) unless counterfactual: false.",
  target_single_env_steps_per_s: 20000,
  market_bidding_single_steps_per_s: Math.round(singleSps),
  market_bidding_single_no_counterfactual_steps_per_s: Math.round(fastSps),
  market_bidding_8_envs_env_steps_per_s: Math.round(eightSps),
  market_bidding_parallel_6_agents_steps_per_s: Math.round(parSps),
  scaling,
  peak_rss_mib: peakRssMiB(),
});
