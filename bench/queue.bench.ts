// The queue runner against the local pool (issue 14), in two parts; results/bench/queue.json.
// 1. Throughput: a 20-task sweep of tiny market tasks (2 conditions, one all-analytic and one with a 64-step PPO
//    learner, x 10 seeds) with 1 local worker, 2 local worker threads and 2 `supplygym worker` processes on a
//    loopback Redis: tasks per minute for each.
// 2. The queue's cost per task, which part 1 cannot resolve (its tasks cost seconds of thread start-up and training
//    against milliseconds of queue work): runs of N = 10 and N = 50 near no-op tasks (one 16-step PPO update, one
//    4-period evaluation episode), each on 1 local worker thread and on 1 queue worker (concurrency 1, one thread).
//    Per-task cost = slope of wall time over N: ((queue_50 - queue_10) - (local_50 - local_10)) / 40, so fixed
//    costs (thread and tfjs start-up, connections, the tables) cancel; fixed cost = what is left at N = 0. Three
//    interleaved rounds; the median and range are reported.
// Needs a Redis: SUPPLYGYM_BENCH_REDIS or SUPPLYGYM_TEST_REDIS (e.g. redis://127.0.0.1:6390); skipped without one.
// The machine may be shared: the 1-minute load average is recorded before and after.
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
const loadBefore = os.loadavg()[0];
const TASKS = 20;
const ppo = { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1 } };
const experiment = (name: string, conditions: unknown[], totalSteps: number, seeds: number) =>
  resolveExperiment({
    name,
    scenario: "market",
    env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
    conditions,
    training: { totalSteps, numEnvs: 1 },
    seeds: { count: seeds },
    evaluation: { episodes: 1 },
    backend: "cpu",
    output: root,
  });
const sweep = experiment(
  "bench-queue",
  [
    { name: "analytic", learned: [] },
    { name: "one", learned: ["A[1][1]"], algorithm: ppo },
  ],
  64,
  TASKS / 2,
);
const quiet = { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };
const csvs = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");

async function time(
  cfg: ReturnType<typeof resolveExperiment>,
  label: string,
  opts: { workers?: number; inline?: boolean; queue?: boolean },
) {
  const t0 = performance.now();
  const out = await runExperiment(cfg, {
    task: scenarioTask("market"),
    workers: opts.workers,
    inline: opts.inline,
    queue: opts.queue ? url : undefined,
    root,
    runId: label,
    figures: false,
    live: false,
    progress: quiet,
    taskOptions: { mode: "train", models: join(root, `models-${label}`) },
    partialKey: { mode: "train", label },
  });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, tasks: out.ran, csv: csvs(out.path) };
}

/** `supplygym worker` processes, started (and idle, waiting) before the clock starts; their threads load on the first task. */
async function startWorkers(n: number) {
  const workers = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "worker", "--queue", u.href], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const ready = new Promise<void>((resolve) =>
      child.stderr!.on("data", (d: Buffer) => d.toString().includes("waiting for tasks") && resolve()),
    );
    return { child, ready };
  });
  await Promise.all(workers.map((w) => w.ready));
  return { stop: () => workers.forEach((w) => w.child.kill("SIGTERM")) };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
let figures: Record<string, unknown>;
try {
  // 1. Throughput of the 20-task sweep.
  const one = await time(sweep, "local-1", { workers: 1 });
  const two = await time(sweep, "local-2", { workers: 2 });
  const pair = await startWorkers(2);
  let queued: Awaited<ReturnType<typeof time>>;
  try {
    queued = await time(sweep, "queue-2", { queue: true });
  } finally {
    pair.stop();
  }

  // 2. The cost per task: near no-op tasks, 1 thread each way, two sizes, in ROUNDS interleaved rounds (the machine
  // may be shared: the median and the range over rounds are reported).
  const SIZES = [10, 50] as const;
  const ROUNDS = 3;
  const noop = (n: number) => experiment(`bench-queue-noop-${n}`, [{ name: "noop", learned: ["A[1][1]"], algorithm: ppo }], 16, n);
  const solo = await startWorkers(1);
  const rounds: { local_s: number[]; queue_s: number[]; overhead_ms_per_task: number; fixed_s: number }[] = [];
  let same = true;
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const local: number[] = [];
      const queue: number[] = [];
      for (const n of SIZES) {
        const cfg = noop(n);
        const l = await time(cfg, `noop-local-${n}-${r}`, { workers: 1, inline: false });
        const q = await time(cfg, `noop-queue-${n}-${r}`, { queue: true });
        if (l.tasks !== n || q.tasks !== n) throw new Error(`expected ${n} tasks, ran ${l.tasks} / ${q.tasks}`);
        same &&= l.csv === q.csv;
        local.push(l.seconds);
        queue.push(q.seconds);
      }
      const dn = SIZES[1] - SIZES[0];
      const perTask = (queue[1] - queue[0] - (local[1] - local[0])) / dn;
      rounds.push({
        local_s: local.map((x) => round(x, 3)),
        queue_s: queue.map((x) => round(x, 3)),
        overhead_ms_per_task: round(perTask * 1000, 1),
        fixed_s: round(queue[0] - local[0] - perTask * SIZES[0], 2),
      });
    }
  } finally {
    solo.stop();
  }
  const sorted = rounds.map((r) => r.overhead_ms_per_task).sort((a, b) => a - b);
  const localPerTask = rounds.map((r) => ((r.local_s[1] - r.local_s[0]) / (SIZES[1] - SIZES[0])) * 1000).sort((a, b) => a - b);

  figures = {
    sweep: `${TASKS} tiny market tasks (analytic and a 64-step PPO learner, x ${TASKS / 2} seeds, backend cpu)`,
    local_1_worker: { seconds: round(one.seconds), tasks_per_minute: round((TASKS / one.seconds) * 60, 1) },
    local_2_workers: { seconds: round(two.seconds), tasks_per_minute: round((TASKS / two.seconds) * 60, 1) },
    queue_2_workers: { seconds: round(queued.seconds), tasks_per_minute: round((TASKS / queued.seconds) * 60, 1) },
    sweep_queue_minus_local_2_s_per_task: round((queued.seconds - two.seconds) / TASKS, 3),
    identical_csvs: one.csv === two.csv && two.csv === queued.csv,
    overhead: {
      tasks: `near no-op market tasks (one 16-step PPO update, one 4-period evaluation episode), N = ${SIZES.join(" and ")}, 1 local worker thread vs 1 queue worker (concurrency 1), ${ROUNDS} rounds`,
      queue_overhead_ms_per_task: { median: sorted[Math.floor(ROUNDS / 2)], min: sorted[0], max: sorted[ROUNDS - 1] },
      local_ms_per_task_median: round(localPerTask[Math.floor(ROUNDS / 2)], 1),
      rounds,
      identical_csvs: same,
    },
    redis: `${url.host}:${url.port} (loopback)`,
    cores: os.availableParallelism(),
    load_average_1min: { before: round(loadBefore), after: round(os.loadavg()[0]) },
  };
} finally {
  client.disconnect();
  rmSync(root, { recursive: true, force: true });
}
writeBench("queue", figures);
