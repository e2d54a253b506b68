// PPO training speed on CartPole-v1 with CleanRL's ppo.py defaults (4 envs x 128 steps, 4 minibatches,
// 4 epochs, 64x64 tanh, 500,000 steps), on the WASM backend unless SUPPLYGYM_BACKEND says otherwise.
// Reference (CleanRL PyTorch, CPU, 1 thread, this 2-core machine): ~5,900 steps/s; mean of the last 20
// returns first >= 475 at ~188,000 steps / 34 s.
import os from "node:os";
import "../src/envs/index.js";
import { isBackendName } from "../src/rl/backend.js";
import { PPO } from "../src/rl/ppo/ppo.js";
import { peakRssMiB, writeBench } from "./bench-util.js";

const totalSteps = Number(process.env.SUPPLYGYM_BENCH_STEPS ?? 500_000);
const envBackend = process.env.SUPPLYGYM_BACKEND;
const backend = isBackendName(envBackend) ? envBackend : "wasm";
const ppo = new PPO({ env: "CartPole-v1", seed: 1, backend });
const load0 = os.loadavg()[0];
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
    if (p.iteration % 100 === 0) console.log(`step ${p.globalStep} return ${p.row.episode_return_mean.toFixed(1)} ${Math.round(p.row.steps_per_second)} steps/s`);
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
  peak_rss_mib: peakRssMiB(),
  load_average_1min: { start: Math.round(load0 * 100) / 100, end: Math.round(os.loadavg()[0] * 100) / 100 },
  reference: { implementation: "CleanRL ppo.py, PyTorch CPU, 1 thread", steps_per_second: 5900, solved_step: 188000, solved_wall_seconds: 34 },
};
console.log(JSON.stringify(figures, null, 2));
writeBench("rl", figures);
