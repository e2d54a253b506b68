// A scenario plugin: this one file registers the scenario and is also its module (runTask, preflight), which the
// worker threads import by path. Walked through in docs/extending.md; run as a test by src/agents/extending.test.ts.
import {
  ConfigError,
  PPO,
  Rng,
  deriveSeed,
  evaluatePolicy,
  registerMetric,
  registerScenario,
  type Policy,
  type ResolvedExperiment,
  type Task,
  type TaskResult,
} from "supplygym";

const AGENT = "cartpole";

registerMetric({
  name: "cartpole/return",
  unit: "steps (reward 1 per step)",
  definition: "Undiscounted return of an evaluation episode of CartPole-v1 (500 at most).",
  aggregation: "mean over the evaluation episodes",
  higherIsBetter: true,
  scenarios: ["cartpole"],
});

registerScenario({
  name: "cartpole",
  description: "CartPole-v1 with one agent: learned (PPO) or a seeded uniformly random policy",
  module: new URL(import.meta.url),
  defaultMetrics: ["cartpole/return"],
});

/** Checks before any task runs; a ConfigError names the JSON path. */
export function preflight(cfg: ResolvedExperiment, file: string): void {
  const issues = [];
  if (cfg.env.id !== "CartPole-v1") issues.push({ path: "env.id", message: `the cartpole scenario runs on CartPole-v1, got "${cfg.env.id}"` });
  cfg.conditions.forEach((c, i) => {
    if (c.learned !== "all" && c.learned.some((a) => a !== AGENT)) issues.push({ path: `conditions[${i}].learned`, message: `the only agent is "${AGENT}"` });
    if (c.strategies) issues.push({ path: `conditions[${i}].strategies`, message: "the cartpole scenario has no strategies" });
  });
  if (issues.length > 0) throw new ConfigError(file, issues);
}

/** One condition and seed: train (when learned) and evaluate on the shared evaluation episodes. */
export async function runTask(task: Task, ctx: { progress(f: number): void }): Promise<TaskResult> {
  const cfg = task.experiment;
  const learned = task.condition.learned === "all" || task.condition.learned.length > 0;
  const t0 = performance.now();
  let policy: Policy;
  const learningCurve: NonNullable<TaskResult["learningCurve"]> = [];
  if (learned) {
    const ppo = new PPO({ ...task.condition.algorithm.hyperparameters, env: "CartPole-v1", numEnvs: cfg.training.numEnvs, seed: deriveSeed(task.seed, "train", task.condition.name) });
    policy = await ppo.learn(cfg.training.totalSteps, {
      onProgress: (p) => {
        ctx.progress((0.9 * p.globalStep) / p.totalSteps);
        learningCurve.push({ step: p.globalStep, metric: "rollout/episode_return_mean", value: p.row.episode_return_mean });
      },
    });
  } else {
    const rng = new Rng(deriveSeed(cfg.evaluation.seed, "random", task.condition.name));
    policy = { act: () => rng.int(2) };
  }
  const returns = evaluatePolicy(policy, "CartPole-v1", { episodes: cfg.evaluation.episodes, seed: cfg.evaluation.seed, deterministic: cfg.evaluation.deterministic });
  ctx.progress(1);
  return {
    metrics: { "cartpole/return": returns.reduce((a, b) => a + b, 0) / returns.length },
    learningCurve,
    episodes: returns.map((r, episode) => ({ episode, agent: AGENT, learned, strategy: learned ? "learned:ppo" : "random", return: r })),
    timings: { total_s: (performance.now() - t0) / 1000 },
  };
}
