import type { ResolvedCondition, ResolvedExperiment } from "./schema.js";

/**
 * One unit of work of an experiment: train the learned agents of one condition with one seed, then evaluate
 * them on the experiment's evaluation demand draws. Tasks are plain data (they cross to worker threads).
 */
export interface Task {
  /** Position in the task list (conditions in file order, seeds ascending within each condition). */
  index: number;
  condition: ResolvedCondition;
  seed: number;
  experiment: ResolvedExperiment;
  /** Run-time options for the task function that are not part of the experiment (e.g. a models directory). */
  options: Record<string, unknown>;
}

/** What a task returns; JSON-serialisable. Everything except `timings` must be a deterministic function of the task. */
export interface TaskResult {
  /** Scalar metrics of this (condition, seed), e.g. from `marketMetrics`; rows of metrics.csv. */
  metrics: Record<string, number>;
  /** Training curve points (learning_curves.csv), e.g. metric "rollout/episode_return_mean". */
  learningCurve?: { step: number; metric: string; value: number }[];
  /**
   * The metrics of each evaluation episode on its own (episode_metrics.csv; the cells of the crossed seeds x episodes
   * design, docs/statistics.md). `ratios` holds the numerator and denominator of ratio-of-sums metrics (their
   * estimate over several episodes is Σ numerator / Σ denominator, not a mean of ratios).
   */
  episodeMetrics?: EpisodeMetrics[];
  /** One row per evaluation episode and agent (episodes.csv), columns chosen by the scenario. */
  episodes?: Record<string, string | number | boolean | null>[];
  /** Evaluation price path against the all-analytic equilibrium of each period (price_paths.csv). */
  prices?: { period: number; market: string; price: number; equilibrium: number }[];
  /** Wall-clock seconds by phase (e.g. train_s, eval_s); kept out of the CSVs, recorded in the manifest. */
  timings?: Record<string, number>;
  /** The TensorFlow.js backend the task trained on, if it trained (recorded in the manifest). */
  backend?: string;
  /** Best-response gains of the listed agents (exploitability.csv), when the experiment asks for them. */
  exploitability?: Record<string, string | number>[];
}

export interface EpisodeMetrics {
  episode: number;
  metrics: Record<string, number>;
  ratios?: Record<string, [number, number]>;
}

export interface TaskContext {
  /** Report progress of this task in [0, 1] (throttled by the pool; cheap to call often). */
  progress(fraction: number): void;
}

/** The pluggable per-task work. A task module exports one of these (by default as `runTask`). */
export type TaskFn = (task: Task, ctx: TaskContext) => Promise<TaskResult>;

/** Where a worker finds the task function: a module path or file URL and the export name. */
export interface TaskModuleRef {
  module: string;
  export?: string;
}

/**
 * Whether a condition's result cannot depend on the training seed: nothing is learned (analytic agents, and
 * strategies, which the built-in scenarios seed from `evaluation.seed`), and the scenario is a built-in one, whose
 * evaluation is seeded from `evaluation.seed` alone (a plugin's scenario may use the task's seed). Such a condition
 * is computed once (with the first seed), not once per seed: its seeds would be copies of one outcome
 * (docs/statistics.md).
 */
export function isDeterministicCondition(condition: Pick<ResolvedCondition, "learned">, scenario: string): boolean {
  return BUILT_IN_SCENARIOS.includes(scenario) && Array.isArray(condition.learned) && condition.learned.length === 0;
}

const BUILT_IN_SCENARIOS = ["market", "contracts", "hubs"];

/**
 * The task list: every condition x every seed, condition-major, in the experiment file's order; a deterministic
 * condition ({@link isDeterministicCondition}) has one task, with the smallest seed.
 */
export function buildTasks(cfg: ResolvedExperiment, options: Record<string, unknown> = {}): Task[] {
  const tasks: Task[] = [];
  const seeds = [...cfg.seeds].sort((a, b) => a - b);
  for (const condition of cfg.conditions) {
    for (const seed of isDeterministicCondition(condition, cfg.scenario) ? seeds.slice(0, 1) : seeds)
      tasks.push({ index: tasks.length, condition, seed, experiment: cfg, options });
  }
  return tasks;
}

/** `task-<condition>-<seed>`: the name of a task's saved result (condition names are filename-safe by schema). */
export function taskKey(task: Pick<Task, "condition" | "seed">): string {
  return `task-${task.condition.name}-${task.seed}`;
}
