// The queue runner against the local pool (issue 14): a 20-task sweep of tiny market tasks (2 conditions, one
// all-analytic and one with a 64-step PPO learner, x 10 seeds) with 1 local worker, 2 local worker threads and 2
// `supplygym worker` processes on a loopback Redis; results/bench/queue.json. Tasks per minute for each, and the
// queue's overhead per task: (queue wall time - 2-thread wall time) / tasks, in seconds, same worker count.
// Needs a Redis: SUPPLYGYM_BENCH_REDIS or SUPPLYGYM_TEST_REDIS (e.g. redis://127.0.0.1:6390); skipped without one.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { parseQueueUrl } from "../src/experiments/queue.js";
import { runExperiment } from "../src/experiments/runner.js";
import { resolveExperiment } from "../src/experiments/schema.js";
import { scenarioTask } from "../src/experiments/scenarios/index.js";
import { writeBench } from "./bench-util.js";

const redis = process.env.SUPPLYGYM_BENCH_REDIS ?? process.env.SUPPLYGYM_TEST_REDIS;
if (!redis) {
  console.log("queue bench skipped: set SUPPLYGYM_BENCH_REDIS (or SUPPLYGYM_TEST_REDIS) to a Redis URL, e.g. redis://127.0.0.1:6390");
  process.exit(0);
}
const u = new URL(redis);
u.pathname = "/9"; // a database of its own, flushed first
const url = parseQueueUrl(u.href);
const client = new Redis({ host: url.host, port: url.port, db: url.db, password: url.password });
await client.flushdb();

const root = mkdtempSync(join(os.tmpdir(), "sg-bench-queue-"));
const TASKS = 20;
const cfg = resolveExperiment({
  name: "bench-queue",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
  conditions: [
    { name: "analytic", learned: [] },
    {
      name: "one",
      learned: ["A[1][1]"],
      algorithm: { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1 } },
    },
  ],
  training: { totalSteps: 64, numEnvs: 1 },
  seeds: { count: TASKS / 2 },
  evaluation: { episodes: 1 },
  backend: "cpu",
  output: root,
});
const quiet = { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };
const csvs = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");

async function time(label: string, opts: { workers?: number; queue?: boolean }) {
  const t0 = performance.now();
  const out = await runExperiment(cfg, {
    task: scenarioTask("market"),
    workers: opts.workers,
    queue: opts.queue ? url : undefined,
    root,
    runId: label,
    figures: false,
    progress: quiet,
    taskOptions: { mode: "train", models: join(root, `models-${label}`) },
    partialKey: { mode: "train", label },
  });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, tasks_per_minute: (TASKS / seconds) * 60, csv: csvs(out.path) };
}

const one = await time("local-1", { workers: 1 });
const two = await time("local-2", { workers: 2 });

// Two worker processes, started (and idle, waiting) before the clock starts; their threads load on the first task,
// as the pool's threads do inside the timed section.
const workers = [0, 1].map(() => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "worker", "--queue", u.href], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const ready = new Promise<void>((resolve) =>
    child.stderr!.on("data", (d: Buffer) => d.toString().includes("waiting for tasks") && resolve()),
  );
  return { child, ready };
});
await Promise.all(workers.map((w) => w.ready));
let queued: Awaited<ReturnType<typeof time>>;
try {
  queued = await time("queue-2", { queue: true });
} finally {
  for (const w of workers) w.child.kill("SIGTERM");
  client.disconnect();
}
rmSync(root, { recursive: true, force: true });

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
writeBench("queue", {
  sweep: `${TASKS} tiny market tasks (analytic and a 64-step PPO learner, x ${TASKS / 2} seeds, backend cpu)`,
  local_1_worker: { seconds: round(one.seconds), tasks_per_minute: round(one.tasks_per_minute, 1) },
  local_2_workers: { seconds: round(two.seconds), tasks_per_minute: round(two.tasks_per_minute, 1) },
  queue_2_workers: { seconds: round(queued.seconds), tasks_per_minute: round(queued.tasks_per_minute, 1) },
  queue_overhead_s_per_task: round((queued.seconds - two.seconds) / TASKS, 3),
  redis: `${url.host}:${url.port} (loopback)`,
  identical_csvs: one.csv === two.csv && two.csv === queued.csv,
  cores: os.availableParallelism(),
  load_average_1min: round(os.loadavg()[0]),
});
