import type { TopLevelSpec } from "vega-lite";
import {
  agentProfitSpec,
  efficiencyFairnessSpec,
  learningCurveSpec,
  pricePathSpec,
  renderFigure,
  type AgentProfitRow,
  type LearningCurveRow,
  type TradeoffRow,
} from "../eval/figures.js";
import { getMetric } from "../eval/metric-registry.js";
import {
  COMPARISON_COLUMNS,
  comparisonRows,
  compareStrings,
  METRICS_COLUMNS,
  metricsRows,
  SUMMARY_COLUMNS,
  summaryRows,
  type ComparisonRow,
  type MetricRecord,
  type SummaryRow,
} from "../eval/tables.js";
import type { Cell } from "../io/csv.js";
import { buildManifest } from "../io/manifest.js";
import { join, resolve } from "node:path";
import { RunDir, safeName } from "../io/run-dir.js";
import { PartialStore } from "./partial.js";
import { BEST_SETTING_COLUMNS, bestSettings, type BestSettingRow } from "./sweep.js";
import { defaultWorkers, runPool } from "./pool.js";
import { createProgress, type ProgressOptions } from "./progress.js";
import type { ResolvedExperiment } from "./schema.js";
import { buildTasks, taskKey, type Task, type TaskModuleRef, type TaskResult } from "./task.js";

/**
 * Run an experiment: every condition x seed as a task on a worker pool, each finished task saved in the
 * experiment's task store (`.partial-<hash>`), then the tables, figures and manifest written into a new run
 * directory that appears whole (RunDir) and never replaces an earlier one. The store outlives the run: running
 * the same experiment again (interrupted or finished) reuses every saved task and runs only the missing ones, so
 * a finished experiment writes a new run directory from its finished tasks without training again. `fresh`
 * forgets the saved tasks first.
 */
export interface RunOptions {
  /** The per-task work (module exporting a `TaskFn`). */
  task: TaskModuleRef;
  /** Worker threads (default os.availableParallelism()); 1 runs inline. */
  workers?: number;
  /** Force inline (main thread) or worker execution. */
  inline?: boolean;
  /** `--out`: the run directory's path (must not exist). Default `<root>/<name>/<run-id>`. */
  out?: string;
  /** Results root (default the experiment's `output`). */
  root?: string;
  runId?: string;
  /** For the manifest. */
  command?: string;
  configFile?: string;
  /** Passed to every task as `task.options` (not part of the experiment or its hash). */
  taskOptions?: Record<string, unknown>;
  /**
   * What else tells this run's task results apart (e.g. `{ mode: "evaluate", models }`): part of the partial
   * directory's name, so that a resumed run never reuses results computed from other inputs. Recorded in the manifest.
   */
  partialKey?: Record<string, unknown>;
  progress?: Omit<ProgressOptions, "total" | "done">;
  /** Write figures (default true) and their PNGs (default true). */
  figures?: boolean;
  png?: boolean;
  /** Forget the saved tasks of earlier runs of this experiment and run every task again (`--fresh`). */
  fresh?: boolean;
  /**
   * Where tasks append their learning curves while they train (`<dir>/<task>.jsonl` and TensorBoard event files in
   * `<dir>/<task>/`); default `<root>/<name>/.live`; false: nowhere. Passed to tasks as `task.options.live`.
   */
  live?: string | false;
  /** Plugin modules (absolute paths), imported by every worker before the task module. */
  plugins?: readonly string[];
  /** Checks to run before any task (e.g. agent ids against the environment); throw ConfigError to stop. */
  preflight?: (cfg: ResolvedExperiment) => void | Promise<void>;
}

export interface RunOutcome {
  /** The committed run directory. */
  path: string;
  summary: SummaryRow[];
  comparison: ComparisonRow[];
  /** With a sweep: the best swept setting per base condition and metric (best_settings.csv); else empty. */
  bestSettings: BestSettingRow[];
  /** Tasks that ran now, and tasks taken from an earlier interrupted run. */
  ran: number;
  resumed: number;
}

export async function runExperiment(cfg: ResolvedExperiment, opts: RunOptions): Promise<RunOutcome> {
  const t0 = performance.now();
  await opts.preflight?.(cfg);
  const root = opts.root ?? cfg.output;
  const live = opts.live === false ? undefined : (opts.live ?? liveDir(root, cfg.name));
  const tasks = buildTasks(cfg, { ...opts.taskOptions, ...(live ? { live } : {}) });
  // The store's lock first: a second run of this experiment refuses before it creates anything.
  const store = PartialStore.forExperiment(cfg, root, opts.partialKey);
  let runDir: RunDir;
  try {
    runDir = RunDir.open({ experiment: cfg.name, out: opts.out, root, runId: opts.runId, field: "name" });
  } catch (err) {
    store.close();
    throw err;
  }
  try {
    if (opts.fresh) store.clear();
    const progressLines: string[] = [];
    const saved = store.load(tasks, (file, why) => progressLines.push(`ignoring ${file}: ${why}`));
    const results = new Map<number, TaskResult>();
    for (const [i, s] of saved) results.set(i, s.result);
    const pending = tasks.filter((t) => !results.has(t.index));
    const workers = opts.workers ?? defaultWorkers();
    const progress = createProgress({ total: tasks.length, done: saved.size, ...opts.progress });
    for (const line of progressLines) progress.log(line);
    if (saved.size === tasks.length) progress.log(`reusing ${cfg.name}: all ${tasks.length} tasks finished in an earlier run (${store.dir}); --fresh runs them again`);
    else if (saved.size > 0) progress.log(`resuming ${cfg.name}: ${saved.size} of ${tasks.length} tasks already done (${store.dir})`);
    const tTasks = performance.now();
    try {
      await runPool(pending, {
        workers,
        inline: opts.inline,
        task: opts.task,
        plugins: opts.plugins,
        onStart: (t) => progress.start(taskKey(t)),
        onProgress: (t, f) => progress.update(taskKey(t), f),
        onResult: (t, r) => {
          results.set(t.index, store.save(t, r).result);
          progress.finish(taskKey(t));
        },
      });
    } finally {
      progress.stop();
    }
    const tasksSeconds = (performance.now() - tTasks) / 1000;

    const tTables = performance.now();
    const ordered = tasks.map((t) => ({ task: t, result: results.get(t.index)! }));
    const tables = writeTables(runDir, cfg, ordered);
    const tablesSeconds = (performance.now() - tTables) / 1000;
    const tFigures = performance.now();
    if (opts.figures !== false) await writeFigures(runDir, cfg, ordered, tables.records, opts.png !== false);
    const figuresSeconds = (performance.now() - tFigures) / 1000;

    runDir.writeJson(
      "manifest.json",
      buildManifest({
        command: opts.command ?? "run",
        configFile: opts.configFile,
        config: cfg,
        seeds: cfg.seeds,
        backend: backendsUsed(cfg, ordered.map((o) => o.result)),
        timings: { total: (performance.now() - t0) / 1000, tasks: tasksSeconds, tables: tablesSeconds, figures: figuresSeconds },
        extra: {
          ...opts.partialKey,
          config_hash: store.hash,
          workers: Math.min(workers, Math.max(1, pending.length)),
          tasks: ordered.map(({ task, result }) => ({
            condition: task.condition.name,
            seed: task.seed,
            resumed: saved.has(task.index),
            timings_s: result.timings ?? {},
          })),
        },
      }),
    );
    const path = runDir.commit();
    return { path, summary: tables.summary, comparison: tables.comparison, bestSettings: tables.best, ran: pending.length, resumed: saved.size };
  } catch (err) {
    runDir.abort();
    throw err;
  } finally {
    store.close();
  }
}

/** The live-metrics folder of an experiment under a results root: `<root>/<name>/.live`. */
export function liveDir(root: string, experiment: string): string {
  return join(resolve(root), safeName(experiment), ".live");
}

type Finished = { task: Task; result: TaskResult };

/** The TensorFlow.js backend(s) the tasks trained on ("none" when nothing was trained), for the manifest. */
function backendsUsed(cfg: ResolvedExperiment, results: readonly TaskResult[]): string {
  const used = [...new Set(results.map((r) => r.backend).filter((b): b is string => b !== undefined))].sort();
  return used.length > 0 ? used.join(", ") : cfg.backend === "auto" ? "none (nothing trained)" : cfg.backend;
}

/**
 * Metric records of finished tasks; selectable registered metrics the experiment did not select are dropped
 * (always-reported ones such as `profit/<agent>`, and names outside the registry, are kept).
 */
export function collectMetricRecords(cfg: ResolvedExperiment, finished: readonly Finished[]): MetricRecord[] {
  const wanted = new Set(cfg.metrics);
  const out: MetricRecord[] = [];
  for (const { task, result } of finished) {
    for (const [metric, value] of Object.entries(result.metrics)) {
      const def = getMetric(metric);
      if (def && !def.always && !wanted.has(metric)) continue;
      out.push({ condition: task.condition.name, seed: task.seed, metric, value });
    }
  }
  return out;
}

function writeTables(runDir: RunDir, cfg: ResolvedExperiment, finished: readonly Finished[]) {
  const conditions = cfg.conditions.map((c) => c.name);
  const records = collectMetricRecords(cfg, finished);
  runDir.writeCsv("metrics.csv", METRICS_COLUMNS, metricsRows(records, { conditions }));
  const summary = summaryRows(records, { conditions });
  runDir.writeCsv("summary.csv", SUMMARY_COLUMNS, summary);
  const seedIndependent = cfg.conditions.filter((c) => Array.isArray(c.learned) && c.learned.length === 0).map((c) => c.name);
  const comparison = conditions.length > 1 ? comparisonRows(records, cfg.baseline, { conditions, seedIndependent }) : [];
  runDir.writeCsv("comparison.csv", COMPARISON_COLUMNS, comparison);
  const best = cfg.sweep ? bestSettings(cfg.sweep, summary) : [];
  if (cfg.sweep) runDir.writeCsv("best_settings.csv", BEST_SETTING_COLUMNS, best);

  const curves = finished.flatMap(({ task, result }) =>
    [...(result.learningCurve ?? [])]
      .sort((a, b) => compareStrings(a.metric, b.metric) || a.step - b.step)
      .map((p) => ({ condition: task.condition.name, seed: task.seed, step: p.step, metric: p.metric, value: p.value })),
  );
  if (curves.length > 0) runDir.writeCsv("learning_curves.csv", ["condition", "seed", "step", "metric", "value"], curves);

  const episodes = finished.flatMap(({ task, result }) => (result.episodes ?? []).map((row) => ({ condition: task.condition.name, seed: task.seed, ...row }) as Record<string, Cell>));
  if (episodes.length > 0) {
    const columns: string[] = [];
    for (const row of episodes) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
    runDir.writeCsv("episodes.csv", columns, episodes);
  }

  const prices = finished.flatMap(({ task, result }) => (result.prices ?? []).map((p) => ({ condition: task.condition.name, seed: task.seed, ...p })));
  if (prices.length > 0) runDir.writeCsv("price_paths.csv", ["condition", "seed", "period", "market", "price", "equilibrium"], prices);
  return { records, summary, comparison, best };
}

async function writeFigures(runDir: RunDir, cfg: ResolvedExperiment, finished: readonly Finished[], records: readonly MetricRecord[], png: boolean): Promise<void> {
  const conditions = cfg.conditions.map((c) => c.name);
  const save = async (name: string, spec: TopLevelSpec) => {
    const fig = await renderFigure(spec, { png });
    runDir.writeText(`${name}.svg`, fig.svg);
    if (fig.png) runDir.writeText(`${name}.png`, fig.png);
  };

  const curveMetrics = [...new Set(finished.flatMap(({ result }) => (result.learningCurve ?? []).map((p) => p.metric)))].sort(compareStrings);
  if (curveMetrics.length > 0) {
    const metric = curveMetrics.includes("rollout/episode_return_mean") ? "rollout/episode_return_mean" : curveMetrics[0];
    const rows: LearningCurveRow[] = finished.flatMap(({ task, result }) =>
      (result.learningCurve ?? []).filter((p) => p.metric === metric).map((p) => ({ condition: task.condition.name, seed: task.seed, step: p.step, value: p.value })),
    );
    await save("learning_curves", learningCurveSpec(rows, { yTitle: metric, conditions }));
  }

  const profitRows: AgentProfitRow[] = records
    .filter((r) => r.metric.startsWith("profit/") && r.metric !== "profit/total")
    .map((r) => ({ condition: r.condition, seed: r.seed, agent: r.metric.slice("profit/".length), profit: r.value }));
  if (profitRows.length > 0) await save("agent_profit", agentProfitSpec(profitRows, { conditions }));

  const effName = ["efficiency/allocative", "efficiency/chain", "efficiency/gain_captured"].find((m) => records.some((r) => r.metric === m));
  const fairName = "fairness/jain";
  if (effName && records.some((r) => r.metric === fairName)) {
    const rows: TradeoffRow[] = [];
    for (const { task } of finished) {
      const get = (m: string) => records.find((r) => r.condition === task.condition.name && r.seed === task.seed && r.metric === m)?.value ?? NaN;
      const e = get(effName);
      const f = get(fairName);
      if (!Number.isNaN(e) && !Number.isNaN(f)) rows.push({ condition: task.condition.name, seed: task.seed, efficiency: e, fairness: f });
    }
    if (rows.length > 0) await save("efficiency_fairness", efficiencyFairnessSpec(rows, { efficiencyTitle: effName, fairnessTitle: fairName, conditions }));
  }

  const firstSeed = Math.min(...cfg.seeds);
  for (const { task, result } of finished) {
    if (task.seed !== firstSeed || !result.prices || result.prices.length === 0) continue;
    await save(`price_paths-${task.condition.name}`, pricePathSpec(result.prices, { title: `Prices against the all-analytic equilibrium: ${task.condition.name}, seed ${task.seed}` }));
  }
}

/** A short fixed-width text table of summary rows (mean [CI] per condition and metric) for the terminal. */
export function formatSummary(rows: readonly SummaryRow[], metrics?: readonly string[]): string {
  const pick = metrics ? rows.filter((r) => metrics.includes(r.metric)) : rows;
  const conditions = [...new Set(pick.map((r) => r.condition))];
  const names = [...new Set(pick.map((r) => r.metric))];
  const fmt = (x: number) => (Number.isNaN(x) ? "-" : Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(2) : x.toFixed(3));
  const cell = (c: string, m: string) => {
    const r = pick.find((x) => x.condition === c && x.metric === m);
    return r ? `${fmt(r.mean)} [${fmt(r.ci_low)}, ${fmt(r.ci_high)}]` : "";
  };
  const header = ["metric", ...conditions];
  const body = names.map((m) => [m, ...conditions.map((c) => cell(c, m))]);
  const widths = header.map((_, j) => Math.max(...[header, ...body].map((row) => row[j].length)));
  const line = (row: string[]) => row.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n") + "\n";
}
