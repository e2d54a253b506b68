// Experiment runner scaling: a 5-seed sweep of the default experiment's one-learned condition, with one worker
// and with one worker per core; results/bench/experiments.json (issue 5's figure: the speed-up). Five tasks on
// two workers take three rounds, so the ideal speed-up on 2 cores is 5/3.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { runExperiment } from "../src/experiments/runner.js";
import { loadExperiment } from "../src/experiments/schema.js";
import { scenarioTask } from "../src/experiments/scenarios/index.js";
import { writeBench } from "./bench-util.js";

const cfg = loadExperiment("experiments/default.json");
cfg.name = "bench-sweep";
cfg.conditions = cfg.conditions.filter((c) => c.name === "one-learned");
cfg.baseline = "one-learned";
cfg.seeds = [0, 1, 2, 3, 4];
const root = mkdtempSync(join(os.tmpdir(), "sg-bench-exp-"));
const quiet = { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };
const csvs = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");

const time = async (workers: number) => {
  const t0 = performance.now();
  const out = await runExperiment(cfg, {
    task: scenarioTask("market"),
    workers,
    root,
    runId: `w${workers}`,
    figures: false,
    progress: quiet,
    fresh: true,
  }); // fresh: the second timing must not reuse the first run's tasks
  return { seconds: (performance.now() - t0) / 1000, csv: csvs(out.path) };
};
const cores = os.availableParallelism();
const one = await time(1);
const all = await time(cores);
rmSync(root, { recursive: true, force: true });
writeBench("experiments", {
  sweep: `experiments/default.json, condition one-learned (PPO, ${cfg.training.totalSteps} steps), 5 seeds`,
  workers_1_seconds: one.seconds,
  [`workers_${cores}_seconds`]: all.seconds,
  speedup: one.seconds / all.seconds,
  cores,
  identical_csvs: one.csv === all.csv,
  load_average_1min: os.loadavg()[0],
});
