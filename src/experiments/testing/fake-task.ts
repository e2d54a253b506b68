import { appendFileSync } from "node:fs";
import { threadId } from "node:worker_threads";
import { deriveSeed, Rng } from "../../core/rng.js";
import { marketMetrics } from "../../eval/outcome-metrics.js";
import { totalSurplus, type PeriodPair } from "../../eval/outcome.js";
import type { Task, TaskContext, TaskResult } from "../task.js";

/**
 * A pure stand-in for the market task, for runner tests: a deterministic function of (condition, seed) that
 * produces outcome records for a few "periods" (learned conditions shade profits toward their learned agents
 * and lose some surplus), computes the real market metrics on them, and returns a learning curve, episode
 * rows and a price path. `task.options`: `failOn: "<condition>:<seed>"` throws for that task;
 * `logFile` gets one line per task run; `threadLog` gets the running thread's id; `sleepMs` waits between progress reports.
 */
export async function runTask(task: Task, ctx: TaskContext): Promise<TaskResult> {
  const { failOn, logFile, threadLog, sleepMs } = task.options as {
    failOn?: string;
    logFile?: string;
    threadLog?: string;
    sleepMs?: number;
  };
  const id = `${task.condition.name}:${task.seed}`;
  if (logFile) appendFileSync(logFile, `${id}\n`);
  if (threadLog) appendFileSync(threadLog, `${threadId}\n`);
  if (failOn === id) throw new Error(`simulated failure in ${id}`);
  const rng = new Rng(deriveSeed(task.seed, task.condition.name));
  const agents = ["A[1][0]", "A[1][1]", "A[1][2]"];
  const learned = task.condition.learned === "all" ? agents : task.condition.learned;
  const steps = 4;
  const learningCurve: TaskResult["learningCurve"] = [];
  for (let s = 1; s <= steps; s++) {
    if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs));
    learningCurve.push({ step: s * 100, metric: "rollout/episode_return_mean", value: s + rng.normal(0, 0.3) });
    ctx.progress(s / steps);
  }
  const pairs: PeriodPair[] = [];
  const episodes: NonNullable<TaskResult["episodes"]> = [];
  const prices: NonNullable<TaskResult["prices"]> = [];
  const evalRng = new Rng(task.experiment.evaluation.seed); // the same demand draws for every condition and seed
  for (let t = 0; t < 5; t++) {
    const demand = 50 + 10 * evalRng.random();
    const base = agents.map((_, i) => demand * (0.1 + 0.05 * i));
    const profits = agents.map((a, i) =>
      learned.includes(a) ? base[i] * (1.2 + 0.1 * rng.random()) : base[i] * (1 - 0.05 * learned.length * rng.random()),
    );
    const consumers = demand * (learned.length > 0 ? 0.8 : 1);
    const counterfactual = {
      profits: Object.fromEntries(agents.map((a, i) => [a, base[i]])),
      outsideSurplus: { consumers: demand },
      prices: { "M[2][0]": 2 },
    };
    pairs.push({
      outcome: {
        profits: Object.fromEntries(agents.map((a, i) => [a, profits[i]])),
        outsideSurplus: { consumers },
        prices: { "M[2][0]": 2 + 0.1 * learned.length },
      },
      counterfactual,
      firstBest: counterfactual, // the fake's counterfactual is its surplus maximum
    });
    agents.forEach((a, i) => episodes.push({ episode: 0, period: t, agent: a, profit: profits[i], learned: learned.includes(a) }));
    prices.push({ period: t, market: "M[2][0]", price: 2 + 0.1 * learned.length, equilibrium: 2 });
  }
  // Each period stands for one evaluation episode (its cells of the seeds x episodes design).
  const episodeMetrics: NonNullable<TaskResult["episodeMetrics"]> = pairs.map((p, e) => ({
    episode: e,
    metrics: marketMetrics([p], { metrics: task.experiment.metrics }),
    ratios: {
      "efficiency/first_best": [totalSurplus(p.outcome), totalSurplus(p.firstBest!)],
      "welfare/vs_competitive": [totalSurplus(p.outcome), totalSurplus(p.counterfactual)],
    },
  }));
  return {
    metrics: marketMetrics(pairs, { metrics: task.experiment.metrics }),
    episodeMetrics,
    learningCurve,
    episodes,
    prices,
    timings: { train_s: 0.001 * steps },
  };
}
