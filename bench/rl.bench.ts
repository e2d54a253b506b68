// Three parts (SUPPLYGYM_BENCH_PARTS=cartpole,shared,autodiff selects; default all), on the WASM backend unless
// SUPPLYGYM_BACKEND says otherwise:
// 1. cartpole: PPO training speed on CartPole-v1 with CleanRL's ppo.py defaults (4 envs x 128 steps, 4 minibatches,
//    4 epochs, 64x64 tanh, 500,000 steps). Reference (CleanRL PyTorch, CPU, 1 thread, this 2-core machine):
//    ~5,900 steps/s; mean of the last 20 returns first >= 475 at ~188,000 steps / 34 s.
// 2. shared: agent-steps per second of one shared-policy PPO learner for 6, 60 and 300 learned producers on a
//    generated market (2 groups, 30 goods; every producer learned), split into env / inference / update time.
// 3. autodiff: time per minibatch of the autodiff gradient path (tf.variableGrads) against the fast one.
import os from "node:os";
import "../src/envs/index.js";
import { make } from "../src/core/registry.js";
import { Rng } from "../src/core/rng.js";
import { randomMarket } from "../src/market/generate.js";
import { initParams, type NetworkSpec } from "../src/rl/actor-critic.js";
import { initBackend, isBackendName } from "../src/rl/backend.js";
import { PPO, TfParamVariables, ppoGradients, ppoGradientsVariables, type Minibatch } from "../src/rl/ppo/ppo.js";
import type { ActionKind } from "../src/rl/spaces-codec.js";
import { peakRssMiB, timeMicros, writeBench } from "./bench-util.js";

const parts = (process.env.SUPPLYGYM_BENCH_PARTS ?? "cartpole,shared,autodiff").split(",");
const envBackend = process.env.SUPPLYGYM_BACKEND;
const backend = isBackendName(envBackend) ? envBackend : "wasm";
const figures: Record<string, unknown> = {};
const load0 = os.loadavg()[0];
const r1 = (x: number) => Math.round(x * 10) / 10;

if (parts.includes("cartpole")) figures.cartpole = await cartpole();
if (parts.includes("shared")) {
  const counts = (process.env.SUPPLYGYM_BENCH_AGENTS ?? "6,60,300").split(",").map(Number);
  const rows: Record<string, unknown>[] = [];
  for (const n of counts) {
    const r = await shared(n);
    console.log(JSON.stringify(r));
    rows.push(r);
  }
  figures.shared_policy = rows;
}
if (parts.includes("autodiff")) figures.gradient_paths = await gradientPaths();
figures.peak_rss_mib = peakRssMiB();
figures.load_average_1min = { start: Math.round(load0 * 100) / 100, end: Math.round(os.loadavg()[0] * 100) / 100 };
console.log(JSON.stringify(figures, null, 2));
writeBench("rl", figures);

/**
 * Shared-policy PPO on a generated market with `n` producers (2 groups of n/2, 30 goods, every producer learned):
 * one env copy, 26 steps (half an episode) per update, minibatches of about 2,048 rows, 4 epochs, 64x64 tanh.
 */
async function shared(n: number): Promise<Record<string, unknown>> {
  const market = randomMarket(new Rng(1), { groups: 2, agentsPerGroup: n / 2, goods: 30 });
  const numSteps = 26;
  const rows = numSteps * n;
  const ppo = new PPO({
    env: () => make("MarketBiddingParallel-v0", { market, episodeLength: 52 }) as never,
    shareParameters: true,
    numEnvs: 1,
    numSteps,
    numMinibatches: Math.max(1, Math.round(rows / 2048)),
    updateEpochs: 4,
    gamma: 0.9,
    learningRate: 1e-3,
    initLogStd: -1,
    seed: 1,
    backend,
  });
  const iterations = Number(process.env.SUPPLYGYM_BENCH_ITERATIONS ?? 3);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await ppo.learn(iterations * numSteps);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const p = ppo.profile;
  const update = p.gae + p.gather + p.gradient + p.optimizer;
  const agentSteps = ppo.globalStep * n;
  ppo.close();
  return {
    learned_agents: n,
    env_steps: ppo.globalStep,
    agent_steps: agentSteps,
    wall_seconds: r1(wall),
    agent_steps_per_second: Math.round(agentSteps / wall),
    // CPU time of this process (all its threads): less sensitive than wall time to other sessions on the machine.
    cpu_seconds: r1(cpuSeconds),
    agent_steps_per_cpu_second: Math.round(agentSteps / cpuSeconds),
    ms_per_env_step: { env: r1(p.env / ppo.globalStep), inference: r1(p.inference / ppo.globalStep), update: r1(update / ppo.globalStep) },
    seconds: { env: r1(p.env / 1000), inference: r1(p.inference / 1000), update: r1(update / 1000) },
    // The update's parts: GAE, gathering minibatch rows, gradients (TF.js forward + backward), clip + Adam.
    update_ms_per_env_step: {
      gae: r1(p.gae / ppo.globalStep),
      gather: r1(p.gather / ppo.globalStep),
      gradient: r1(p.gradient / ppo.globalStep),
      optimizer: r1(p.optimizer / ppo.globalStep),
    },
    agent_steps_per_second_without_env: Math.round(agentSteps / ((wall * 1000 - p.env) / 1000)),
  };
}

/** Microseconds per minibatch, fast hand-written backward vs tf.variableGrads, for two network sizes. */
async function gradientPaths(): Promise<Record<string, unknown>[]> {
  await initBackend({ backend });
  const cases: { name: string; obsDim: number; action: ActionKind; rows: number }[] = [
    { name: "CartPole (4 obs, 2 actions), 128 rows", obsDim: 4, action: { kind: "categorical", n: 2, start: 0 }, rows: 128 },
    {
      name: "300-agent market (394 obs, Box 60), 2048 rows",
      obsDim: 394,
      action: { kind: "gaussian", dim: 60, low: Array(60).fill(0), high: Array(60).fill(1) },
      rows: 2048,
    },
  ];
  return cases.map(({ name, obsDim, action, rows }) => {
    const rng = new Rng(1);
    const spec: NetworkSpec = { obsDim, action, actorHidden: [64, 64], criticHidden: [64, 64], activation: "tanh", initLogStd: 0 };
    const params = initParams(spec, rng);
    const k = action.kind === "categorical" ? 1 : action.dim;
    const mb: Minibatch = {
      obs: new Float32Array(rows * obsDim).map(() => rng.normal()),
      actions: new Float32Array(rows * k).map(() => (action.kind === "categorical" ? rng.int(action.n) : rng.normal())),
      oldLogp: new Float32Array(rows).map(() => rng.normal()),
      adv: new Float32Array(rows).map(() => rng.normal()),
      returns: new Float32Array(rows).map(() => rng.normal()),
      oldValues: new Float32Array(rows).map(() => rng.normal()),
      n: rows,
      obsDim,
    };
    const coefs = { clipCoef: 0.2, clipVloss: true, entCoef: 0.01, vfCoef: 0.5, activation: "tanh" as const };
    const reps = rows > 1000 ? 10 : 100;
    const fast = timeMicros(() => void ppoGradients(params, coefs, action, mb), reps, 5);
    const vars = new TfParamVariables(params);
    const auto = timeMicros(
      () => {
        vars.sync(params);
        void ppoGradientsVariables(vars, params, coefs, action, mb);
      },
      reps,
      5,
    );
    vars.dispose();
    return {
      case: name,
      fast_us_per_minibatch: Math.round(fast),
      autodiff_us_per_minibatch: Math.round(auto),
      autodiff_over_fast: Math.round((auto / fast) * 100) / 100,
    };
  });
}

async function cartpole(): Promise<Record<string, unknown>> {
  const totalSteps = Number(process.env.SUPPLYGYM_BENCH_STEPS ?? 500_000);
  const ppo = new PPO({ env: "CartPole-v1", seed: 1, backend });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let solvedStep: number | null = null;
  let solvedSeconds: number | null = null;
  let lastReturn = NaN;
  await ppo.learn(totalSteps, {
    onProgress: (p) => {
      lastReturn = p.row.episode_return_mean;
      if (solvedStep === null && p.row.episode_return_mean >= 475) {
        solvedStep = p.globalStep;
        solvedSeconds = (performance.now() - t0) / 1000;
      }
      if (p.iteration % 100 === 0)
        console.log(`step ${p.globalStep} return ${p.row.episode_return_mean.toFixed(1)} ${Math.round(p.row.steps_per_second)} steps/s`);
    },
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const steps = ppo.globalStep;
  const prof = Object.fromEntries(Object.entries(ppo.profile).map(([k, v]) => [k, Math.round(v) / 1000]));
  const figures = {
    backend: ppo.backendName,
    config: "CleanRL ppo.py defaults: 4 envs x 128 steps, 4 minibatches, 4 epochs, 64x64 tanh, lr 2.5e-4 annealed",
    total_steps: steps,
    wall_seconds: Math.round(wall * 10) / 10,
    steps_per_second: Math.round(steps / wall),
    cpu_seconds: Math.round(cpuSeconds * 10) / 10,
    steps_per_cpu_second: Math.round(steps / cpuSeconds),
    solved_step_last20_mean_475: solvedStep,
    solved_wall_seconds: solvedSeconds === null ? null : Math.round((solvedSeconds as number) * 10) / 10,
    final_return_mean_last20: lastReturn,
    profile_seconds: prof,
    reference: {
      implementation: "CleanRL ppo.py, PyTorch CPU, 1 thread",
      steps_per_second: 5900,
      solved_step: 188000,
      solved_wall_seconds: 34,
    },
  };
  return figures;
}
