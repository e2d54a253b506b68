import type { TopLevelSpec } from "vega-lite";
import {
  agentProfitSpec,
  efficiencyFairnessSpec,
  learningCurveSpec,
  pricePathSpec,
  renderFigure,
  type AgentProfitRow,
  type CurveReference,
  type LearningCurveRow,
  type TradeoffRow,
} from "../eval/figures.js";
import { getMetric } from "../eval/metric-registry.js";
import { compareStrings, METRICS_COLUMNS, metricsRows, type MetricRecord } from "../eval/tables.js";
import {
  AGGREGATES_COLUMNS,
  aggregateRows,
  COMPARISON_COLUMNS,
  comparisonRows,
  comparisonTestsPhrase,
  holmFloor,
  EPISODE_METRICS_COLUMNS,
  seedMetricRecords,
  SUMMARY_COLUMNS,
  summaryRows,
  type ComparisonRow,
  type SummaryRow,
} from "../eval/estimates.js";
import type { EpisodeMetricRecord } from "../eval/crossed.js";
import { DICTIONARY_COLUMNS, dictionaryRows, higherIsBetter, metricInfo, metricTitle } from "../eval/metric-dictionary.js";
import { fingerprint } from "./fingerprint.js";
import type { Cell } from "../io/csv.js";
import { buildManifest } from "../io/manifest.js";
import { join, resolve } from "node:path";
import { RunDir, safeName } from "../io/run-dir.js";
import { PartialStore } from "./partial.js";
import { BEST_SETTING_COLUMNS, bestSettings, type BestSettingRow } from "./sweep.js";
import { defaultWorkers, runPool } from "./pool.js";
import { createProgress, type ProgressOptions } from "./progress.js";
import { displayUrl, submitToQueue, type QueueUrl } from "./queue.js";
import type { ResolvedExperiment } from "./schema.js";
import { buildTasks, isDeterministicCondition, taskKey, type Task, type TaskModuleRef, type TaskResult } from "./task.js";

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
  /**
   * Run the tasks on a BullMQ queue on this Redis (`run --queue`, src/experiments/queue.ts) instead of the local
   * pool; `workers` and `inline` are then ignored (the workers are `supplygym worker` processes).
   */
  queue?: QueueUrl;
  /** With `queue`: how long (ms) Redis may stay unreachable before the run stops, to be resumed (default 60,000). */
  queueWaitMs?: number;
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
    if (saved.size === tasks.length)
      progress.log(`reusing ${cfg.name}: all ${tasks.length} tasks finished in an earlier run (${store.dir}); --fresh runs them again`);
    else if (saved.size > 0) progress.log(`resuming ${cfg.name}: ${saved.size} of ${tasks.length} tasks already done (${store.dir})`);
    const tTasks = performance.now();
    const callbacks = {
      task: opts.task,
      plugins: opts.plugins,
      onStart: (t: Task) => progress.start(taskKey(t)),
      onProgress: (t: Task, f: number) => progress.update(taskKey(t), f),
      onResult: (t: Task, r: TaskResult) => {
        if (results.has(t.index)) return; // a duplicate (a task retried after its worker was lost): counted once
        results.set(t.index, store.save(t, r).result);
        progress.finish(taskKey(t));
      },
    };
    try {
      if (opts.queue) {
        if (pending.length > 0)
          progress.log(
            `${cfg.name}: ${pending.length} tasks on queue supplygym-${store.hash} at ${displayUrl(opts.queue)}; start workers with \`supplygym worker --queue ${displayUrl(opts.queue)}\``,
          );
        await submitToQueue(pending, {
          ...callbacks,
          url: opts.queue,
          queue: `supplygym-${store.hash}`,
          experiment: cfg.name,
          fresh: opts.fresh,
          redisWaitMs: opts.queueWaitMs,
          log: (l) => progress.log(l),
        });
      } else await runPool(pending, { ...callbacks, workers, inline: opts.inline });
    } finally {
      progress.stop();
    }
    const tasksSeconds = (performance.now() - tTasks) / 1000;

    const tTables = performance.now();
    const ordered = tasks.map((t) => ({ task: t, result: results.get(t.index)! }));
    const tables = writeTables(runDir, cfg, ordered);
    const tablesSeconds = (performance.now() - tTables) / 1000;
    const tFigures = performance.now();
    if (opts.figures !== false) await writeFigures(runDir, cfg, ordered, tables.records, tables.summary, opts.png !== false);
    const figuresSeconds = (performance.now() - tFigures) / 1000;

    runDir.writeJson(
      "manifest.json",
      buildManifest({
        command: opts.command ?? "run",
        configFile: opts.configFile,
        config: cfg,
        seeds: cfg.seeds,
        backend: backendsUsed(
          cfg,
          ordered.map((o) => o.result),
        ),
        timings: { total: (performance.now() - t0) / 1000, tasks: tasksSeconds, tables: tablesSeconds, figures: figuresSeconds },
        extra: {
          ...opts.partialKey,
          config_hash: store.hash,
          fingerprint: fingerprint(cfg),
          deterministic_conditions: deterministicConditions(cfg).map((condition) => ({
            condition,
            computed_once_with_seed: Math.min(...cfg.seeds),
            why: "no agent is learned (analytic agents and strategies are deterministic or seeded from evaluation.seed) and the evaluation draws depend on evaluation.seed only: every training seed would give a copy of this outcome",
          })),
          ...(opts.queue ? { queue: displayUrl(opts.queue) } : { workers: Math.min(workers, Math.max(1, pending.length)) }),
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
    return {
      path,
      summary: tables.summary,
      comparison: tables.comparison,
      bestSettings: tables.best,
      ran: pending.length,
      resumed: saved.size,
    };
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
 * Metric records of finished tasks; known metrics the experiment did not select are dropped. Tasks with
 * per-episode metrics give one record per seed derived from their episodes (Σ numerator / Σ denominator, so that
 * metrics.csv and summary.csv agree); others their own `metrics`.
 */
export function collectMetricRecords(cfg: ResolvedExperiment, finished: readonly Finished[]): MetricRecord[] {
  const keep = wantedMetric(cfg);
  const out: MetricRecord[] = [];
  for (const { task, result } of finished) {
    if (result.episodeMetrics) {
      out.push(...seedMetricRecords(collectEpisodeRecords(cfg, [{ task, result }])));
      continue;
    }
    for (const [metric, value] of Object.entries(result.metrics))
      if (keep(metric)) out.push({ condition: task.condition.name, seed: task.seed, metric, value });
  }
  return out;
}

/** Selectable registered metrics the experiment did not select are dropped (always-reported ones and unregistered names are kept). */
function wantedMetric(cfg: ResolvedExperiment): (metric: string) => boolean {
  const wanted = new Set(cfg.metrics);
  return (metric) => {
    const def = getMetric(metric);
    return !def || def.always === true || wanted.has(metric);
  };
}

/** Per-episode metric records (the cells of the seeds x episodes design) of finished tasks. */
export function collectEpisodeRecords(cfg: ResolvedExperiment, finished: readonly Finished[]): EpisodeMetricRecord[] {
  const keep = wantedMetric(cfg);
  const out: EpisodeMetricRecord[] = [];
  for (const { task, result } of finished) {
    // A task function that reports no per-episode metrics contributes one cell per seed (episode 0).
    for (const ep of result.episodeMetrics ?? [{ episode: 0, metrics: result.metrics }]) {
      for (const [metric, value] of Object.entries(ep.metrics)) {
        if (!keep(metric)) continue;
        const ratio = ep.ratios?.[metric];
        out.push({
          condition: task.condition.name,
          seed: task.seed,
          episode: ep.episode,
          metric,
          value,
          ...(ratio ? { num: ratio[0], den: ratio[1] } : {}),
        });
      }
    }
  }
  const rank = new Map(cfg.conditions.map((c, i) => [c.name, i]));
  return out.sort(
    (a, b) =>
      rank.get(a.condition)! - rank.get(b.condition)! || compareStrings(a.metric, b.metric) || a.seed - b.seed || a.episode - b.episode,
  );
}

/** The conditions computed once because their seeds would be copies ({@link isDeterministicCondition}). */
export function deterministicConditions(cfg: ResolvedExperiment): string[] {
  return cfg.conditions.filter((c) => isDeterministicCondition(c, cfg.scenario)).map((c) => c.name);
}

function writeTables(runDir: RunDir, cfg: ResolvedExperiment, finished: readonly Finished[]) {
  const conditions = cfg.conditions.map((c) => c.name);
  const records = collectMetricRecords(cfg, finished);
  runDir.writeCsv("metrics.csv", METRICS_COLUMNS, metricsRows(records, { conditions }));
  const cells = collectEpisodeRecords(cfg, finished);
  runDir.writeCsv(
    "episode_metrics.csv",
    EPISODE_METRICS_COLUMNS,
    cells.map((r) => ({ ...r, numerator: r.num, denominator: r.den })),
  );
  const opts = { conditions, deterministic: deterministicConditions(cfg) };
  const summary = summaryRows(cells, opts);
  runDir.writeCsv("summary.csv", SUMMARY_COLUMNS, summary);
  const comparison = conditions.length > 1 ? comparisonRows(cells, cfg.baseline, opts) : [];
  runDir.writeCsv("comparison.csv", COMPARISON_COLUMNS, comparison);
  const best = cfg.sweep ? bestSettings(cfg.sweep, summary) : [];
  if (cfg.sweep) runDir.writeCsv("best_settings.csv", BEST_SETTING_COLUMNS, best);
  runDir.writeCsv("aggregates.csv", AGGREGATES_COLUMNS, aggregateRows(cells, cfg.baseline, higherIsBetter, opts));
  runDir.writeCsv(
    "metrics_dictionary.csv",
    DICTIONARY_COLUMNS,
    dictionaryRows(
      records.map((r) => r.metric),
      cfg.scenario,
    ),
  );

  const curves = finished.flatMap(({ task, result }) =>
    [...(result.learningCurve ?? [])]
      .sort((a, b) => compareStrings(a.metric, b.metric) || a.step - b.step)
      .map((p) => ({ condition: task.condition.name, seed: task.seed, step: p.step, metric: p.metric, value: p.value })),
  );
  if (curves.length > 0) runDir.writeCsv("learning_curves.csv", ["condition", "seed", "step", "metric", "value"], curves);

  const episodes = finished.flatMap(({ task, result }) =>
    (result.episodes ?? []).map((row) => ({ condition: task.condition.name, seed: task.seed, ...row }) as Record<string, Cell>),
  );
  if (episodes.length > 0) {
    const columns: string[] = [];
    for (const row of episodes) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
    runDir.writeCsv("episodes.csv", columns, episodes);
  }

  const exploit = finished.flatMap(({ result }) => result.exploitability ?? []);
  if (exploit.length > 0) runDir.writeCsv("exploitability.csv", Object.keys(exploit[0]), exploit);

  const prices = finished.flatMap(({ task, result }) =>
    (result.prices ?? []).map((p) => ({ condition: task.condition.name, seed: task.seed, ...p })),
  );
  if (prices.length > 0) runDir.writeCsv("price_paths.csv", ["condition", "seed", "period", "market", "price", "equilibrium"], prices);
  return { records, summary, comparison, best };
}

/** A summary row's mean and interval for a figure (an exact value: the mean as both bounds). */
function bandOf(
  summary: readonly SummaryRow[],
  condition: string,
  metric: string,
): { mean: number; low: number; high: number; n: number } | undefined {
  const r = summary.find((x) => x.condition === condition && x.metric === metric);
  if (!r) return undefined;
  const exact = Number.isNaN(r.ci_low);
  return { mean: r.mean, low: exact ? r.mean : r.ci_low, high: exact ? r.mean : r.ci_high, n: r.n };
}

async function writeFigures(
  runDir: RunDir,
  cfg: ResolvedExperiment,
  finished: readonly Finished[],
  records: readonly MetricRecord[],
  summary: readonly SummaryRow[],
  png: boolean,
): Promise<void> {
  const conditions = cfg.conditions.map((c) => c.name);
  const save = (name: string, spec: TopLevelSpec) => saveFigure(runDir, name, spec, png);
  const perEpisode = cfg.scenario === "contracts" ? "money per negotiation" : "money per episode";

  const curveMetrics = [...new Set(finished.flatMap(({ result }) => (result.learningCurve ?? []).map((p) => p.metric)))].sort(
    compareStrings,
  );
  if (curveMetrics.length > 0) {
    const metric = curveMetrics.includes("rollout/episode_return_mean") ? "rollout/episode_return_mean" : curveMetrics[0];
    const rows: LearningCurveRow[] = finished.flatMap(({ task, result }) =>
      (result.learningCurve ?? [])
        .filter((p) => p.metric === metric)
        .map((p) => ({ condition: task.condition.name, seed: task.seed, step: p.step, value: p.value })),
    );
    const yTitle = metric === "rollout/episode_return_mean" ? `episode return of a learned agent (${perEpisode})` : metric;
    await save("learning_curves", learningCurveSpec(rows, { yTitle, conditions, references: analyticReferences(cfg, finished) }));
  }

  const learnedIn = new Map(
    finished.map(({ task, result }) => [
      task.condition.name,
      new Set((result.episodes ?? []).filter((e) => e.learned === true).map((e) => String(e.agent))),
    ]),
  );
  const profitRows: AgentProfitRow[] = records
    .filter((r) => r.metric.startsWith("profit/") && r.metric !== "profit/total")
    .map((r) => {
      const agent = r.metric.slice("profit/".length);
      return { condition: r.condition, seed: r.seed, agent, profit: r.value, learned: learnedIn.get(r.condition)?.has(agent) ?? false };
    });
  if (profitRows.length > 0) {
    const bars = [...new Map(profitRows.map((r) => [`${r.condition}|${r.agent}`, r])).values()].flatMap((r) => {
      const b = bandOf(summary, r.condition, `profit/${r.agent}`);
      return b
        ? [
            {
              condition: r.condition,
              agent: r.agent,
              mean: b.mean,
              ci_low: b.low,
              ci_high: b.high,
              n: b.n,
              role: r.learned ? ("learned" as const) : ("not learned" as const),
            },
          ]
        : [];
    });
    await save(
      "agent_profit",
      agentProfitSpec(profitRows, { conditions, yTitle: `profit (${metricInfo("profit/total", cfg.scenario)!.unit})`, summary: bars }),
    );
  }

  const effName = ["efficiency/first_best", "efficiency/chain", "efficiency/gain_captured"].find((m) =>
    records.some((r) => r.metric === m),
  );
  const fairName = "fairness/jain";
  if (effName && records.some((r) => r.metric === fairName)) {
    const rows: TradeoffRow[] = [];
    for (const { task } of finished) {
      const get = (m: string) =>
        records.find((r) => r.condition === task.condition.name && r.seed === task.seed && r.metric === m)?.value ?? NaN;
      const e = get(effName);
      const f = get(fairName);
      if (!Number.isNaN(e) && !Number.isNaN(f)) rows.push({ condition: task.condition.name, seed: task.seed, efficiency: e, fairness: f });
    }
    const crosses = conditions.flatMap((c) => {
      const e = bandOf(summary, c, effName);
      const f = bandOf(summary, c, fairName);
      return e && f
        ? [
            {
              condition: c,
              efficiency: e.mean,
              eff_low: e.low,
              eff_high: e.high,
              fairness: f.mean,
              fair_low: f.low,
              fair_high: f.high,
              n: e.n,
            },
          ]
        : [];
    });
    if (rows.length > 0) {
      await save(
        "efficiency_fairness",
        efficiencyFairnessSpec(rows, {
          title: "Efficiency against fairness (seeds; condition means with 95% intervals over seeds x episodes)",
          efficiencyTitle: metricTitle(effName, cfg.scenario),
          fairnessTitle: metricTitle(fairName, cfg.scenario),
          conditions,
          summary: crosses,
        }),
      );
    }
  }

  const firstSeed = Math.min(...cfg.seeds);
  for (const { task, result } of finished) {
    if (task.seed !== firstSeed || !result.prices || result.prices.length === 0) continue;
    await save(
      `price_paths-${task.condition.name}`,
      pricePathSpec(result.prices, { title: `Prices against the all-analytic equilibrium: ${task.condition.name}, seed ${task.seed}` }),
    );
  }
}

/**
 * The analytic reference of each learned condition's learning curve: the mean episode return (the `reward` column
 * of episodes.csv where the scenario has one, else `profit`) that the same agents earn when they are analytic, in
 * the baseline condition on the evaluation draws, if the baseline is all-analytic.
 */
function analyticReferences(cfg: ResolvedExperiment, finished: readonly Finished[]): CurveReference[] {
  const base = cfg.conditions.find((c) => c.name === cfg.baseline);
  if (!base || !isDeterministicCondition(base, cfg.scenario)) return [];
  const baseRows = finished.filter((f) => f.task.condition.name === base.name).flatMap((f) => f.result.episodes ?? []);
  const value = (row: Record<string, unknown>) => Number(typeof row.reward === "number" ? row.reward : row.profit);
  const out: CurveReference[] = [];
  for (const c of cfg.conditions) {
    if (isDeterministicCondition(c, cfg.scenario)) continue;
    const agents = new Set(
      finished
        .filter((f) => f.task.condition.name === c.name)
        .flatMap((f) => (f.result.episodes ?? []).filter((e) => e.learned === true).map((e) => String(e.agent))),
    );
    const xs = baseRows
      .filter((r) => agents.has(String(r.agent)))
      .map(value)
      .filter((x) => Number.isFinite(x));
    if (xs.length > 0) out.push({ condition: c.name, value: xs.reduce((a, b) => a + b, 0) / xs.length, label: `analytic (${c.name})` });
  }
  return out;
}

export interface SummaryFormat {
  /** Metrics to show (default all), in this order. */
  metrics?: readonly string[];
  /** The comparison rows: each condition's cell also shows its difference to the baseline and the Holm-corrected p. */
  comparison?: readonly ComparisonRow[];
  baseline?: string;
  /** Lines appended to the legend. */
  notes?: readonly string[];
}

const fmtNumber = (x: number) =>
  Number.isNaN(x) ? "-" : Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(2) : x.toFixed(3);
const fmtP = (p: number) => (Number.isNaN(p) ? "-" : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/**
 * The terminal summary: per metric and condition `mean [95% interval]` ("exact" when nothing varied), and for every
 * condition but the baseline a second line with the difference to the baseline and its Holm-corrected p; then a
 * legend naming the baseline, the design (n seeds x m episodes per condition) and the interval method.
 */
export function formatSummary(rows: readonly SummaryRow[], format: readonly string[] | SummaryFormat = {}): string {
  const opts: SummaryFormat = Array.isArray(format) ? { metrics: format as readonly string[] } : (format as SummaryFormat);
  const pick = opts.metrics ? rows.filter((r) => opts.metrics!.includes(r.metric)) : rows;
  const conditions = [...new Set(rows.map((r) => r.condition))];
  const names = opts.metrics ? opts.metrics.filter((m) => pick.some((r) => r.metric === m)) : [...new Set(pick.map((r) => r.metric))];
  const cell = (c: string, m: string) => {
    const r = pick.find((x) => x.condition === c && x.metric === m);
    if (!r) return "";
    if (r.note === "deterministic") return `${fmtNumber(r.mean)} (exact)`;
    if (Number.isNaN(r.ci_low)) return `${fmtNumber(r.mean)}${r.note ? ` (${r.note})` : ""}`;
    return `${fmtNumber(r.mean)} [${fmtNumber(r.ci_low)}, ${fmtNumber(r.ci_high)}]`;
  };
  const diff = (c: string, m: string) => {
    const d = opts.comparison?.find((x) => x.condition === c && x.metric === m);
    if (!d) return "";
    const sign = d.difference > 0 ? "+" : "";
    if (d.note === "deterministic") return `  d ${sign}${fmtNumber(d.difference)} exact`;
    if (Number.isNaN(d.p_value)) return `  d ${sign}${fmtNumber(d.difference)}`;
    return `  d ${sign}${fmtNumber(d.difference)} p_holm ${fmtP(d.p_holm)}`;
  };
  const header = ["metric", ...conditions];
  const body: string[][] = [];
  for (const m of names) {
    body.push([m, ...conditions.map((c) => cell(c, m))]);
    if (opts.comparison && opts.baseline) body.push(["", ...conditions.map((c) => (c === opts.baseline ? "  (baseline)" : diff(c, m)))]);
  }
  const widths = header.map((_, j) => Math.max(...[header, ...body].map((row) => row[j].length)));
  const line = (row: string[]) =>
    row
      .map((v, j) => v.padEnd(widths[j]))
      .join("  ")
      .trimEnd();
  const design = conditions
    .map((c) => {
      const r = rows.find((x) => x.condition === c && x.n > 0);
      return r ? `${c} ${r.n_seeds} seed${r.n_seeds === 1 ? "" : "s"} x ${r.n_episodes} episode${r.n_episodes === 1 ? "" : "s"}` : c;
    })
    .join("; ");
  const tests = opts.comparison?.filter((r) => !Number.isNaN(r.p_value)).length ?? 0;
  const legend = [
    "mean [95% interval] over training seeds x evaluation episodes (pigeonhole bootstrap); exact = no variation in any resample.",
    `n: ${design}.`,
  ];
  if (opts.baseline) {
    const floor = holmFloor(opts.comparison ?? []);
    legend.push(
      `baseline: ${opts.baseline}; d = condition - baseline, ${comparisonTestsPhrase(opts.comparison ?? [])}; p_holm: Holm-corrected over the ${tests} tests of comparison.csv` +
        (floor === undefined ? "." : ` (never below ${fmtP(floor)} here: a bootstrap p is at least 2/(B+1)).`),
    );
  }
  legend.push(...(opts.notes ?? []));
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line), "", ...legend].join("\n") + "\n";
}

/** The printed summary's metrics and legend notes of a run: {@link summaryMetrics}-style headline metrics, then own profits. */
export function summaryFormatOf(
  cfg: ResolvedExperiment,
  headline: readonly string[],
  out: { summary: readonly SummaryRow[]; comparison: readonly ComparisonRow[] },
): SummaryFormat {
  const own = ownProfitMetrics(cfg, out.summary);
  const notes: string[] = [];
  if (own.metrics.length > 0) notes.push("profit/<agent>: the own profit of each agent that a condition learns or plays by a strategy.");
  if (own.omitted > 0) notes.push(`the profits of ${own.omitted} more agents of the learned: "all" conditions are in summary.csv.`);
  return {
    metrics: [...headline, ...own.metrics],
    comparison: out.comparison,
    baseline: cfg.conditions.length > 1 ? cfg.baseline : undefined,
    notes,
  };
}

/** At most this many agents' profits are printed for conditions with `learned: "all"` (the rest: summary.csv). */
export const MAX_PRINTED_AGENTS = 10;

/**
 * The agent-profit metrics of the printed summary: `profit/<agent>` of every agent that some condition learns or
 * plays by a strategy (`learned` lists, `strategies` keys; `learned: "all"` means every agent with a profit in
 * `summary`, printed only up to {@link MAX_PRINTED_AGENTS} agents). `omitted` counts the agents left out.
 */
export function ownProfitMetrics(cfg: ResolvedExperiment, summary: readonly SummaryRow[]): { metrics: string[]; omitted: number } {
  const named = new Set(
    cfg.conditions.flatMap((c) => [...(Array.isArray(c.learned) ? c.learned : []), ...Object.keys(c.strategies ?? {})]),
  );
  const inRun = [...new Set(summary.map((r) => r.metric))]
    .filter((m) => m.startsWith("profit/") && m !== "profit/total")
    .map((m) => m.slice("profit/".length));
  let omitted = 0;
  if (cfg.conditions.some((c) => c.learned === "all")) {
    if (inRun.length <= MAX_PRINTED_AGENTS) for (const a of inRun) named.add(a);
    else omitted = inRun.filter((a) => !named.has(a)).length;
  }
  const agents = [...named].filter((a) => inRun.includes(a)).sort(compareStrings);
  return { metrics: agents.map((a) => `profit/${a}`), omitted };
}

/** Write a figure as SVG, PNG (unless `png` is false), PDF and its vega-lite spec (`<name>.vl.json`). */
export async function saveFigure(runDir: RunDir, name: string, spec: TopLevelSpec, png: boolean): Promise<void> {
  const fig = await renderFigure(spec, { png, pdf: true });
  runDir.writeText(`${name}.svg`, fig.svg);
  if (fig.png) runDir.writeText(`${name}.png`, fig.png);
  if (fig.pdf) runDir.writeText(`${name}.pdf`, fig.pdf);
  runDir.writeJson(`${name}.vl.json`, spec);
}
