import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { makeParents, removeEmpty } from "../io/run-dir.js";
import type { Command } from "./command.js";
import { UsageError } from "../io/errors.js";
import { formatSummary, runExperiment, summaryFormatOf } from "../experiments/runner.js";
import { make } from "../core/registry.js";
import { strategyNames } from "../agents/registry.js";
import { loadPlugins, pluginFiles } from "../experiments/plugins.js";
import { BACKENDS, conditionEnvOptions, experimentHash, loadExperiment, type ResolvedExperiment } from "../experiments/schema.js";
import { loadScenario, scenarioNames, scenarioTask } from "../experiments/scenarios/index.js";
import { algorithmNames, getAlgorithm } from "../rl/algorithm-registry.js";
import { requireBackend } from "../rl/backend.js";
import { installSignalHandlers } from "../io/signals.js";
import { Lock, lockFileFor } from "../io/lock.js";
import { intFlag, parseCommandArgs } from "./args.js";
import { connectRedis, parseQueueUrl } from "../experiments/queue.js";

const help =
  () => `usage: supplygym run <experiment.json> [--out DIR] [--workers N] [--backend B] [--models DIR] [--plugin FILE]... [--no-figures] [--fresh]
                          [--queue redis://HOST:PORT[/DB]] [--queue-wait S]

Train every condition x seed of an experiment, evaluate every policy set on the same evaluation demand draws,
compute the metrics and write the tables and figures into a new run directory.

  --out DIR       the run directory to create (default results/<name>/<run-id>/); never overwritten
  --workers N     parallel tasks (default: one per core; 1 runs in this process)
  --backend B     TensorFlow.js backend: ${BACKENDS.join(", ")} (default auto)
  --models DIR    where trained policies are saved (default models/<name>/<config-hash>/)
  --plugin FILE   import an ES module (TypeScript allowed) that registers strategies, metrics, scenarios or
                  algorithms, before the experiment is validated and in every worker (repeatable; the
                  experiment's "plugins" field does the same, relative to the experiment file)
  --no-figures    skip the SVG/PNG figures
  --fresh         forget the finished tasks of earlier runs of this experiment and train every task again
  --queue URL     put the tasks on a Redis queue (named by the experiment hash) for \`supplygym worker\`
                  processes on any machine with a clone of this commit, and wait for their results
                  (default: worker threads of this machine)
  --queue-wait S  with --queue: how long Redis may stay unreachable mid-run before the run stops (exit 2;
                  the same command resumes it) (default 60 s)

Registered now: scenarios ${scenarioNames().join(", ")}; algorithms ${algorithmNames().join(", ")};
strategies ${strategyNames().join(", ")} (plugins add their own).

Every finished task is kept in results/<name>/.partial-<hash>/: running the same command again after an
interruption (Ctrl-C, crash) runs only the missing tasks, and after a finished run reuses every task and its
saved policies (no training) to write a new run directory. Exit code 2 on bad input.`;

/** Options shared by `run` and `evaluate`. */
export function parseRunArgs(argv: string[], name: string) {
  return parseCommandArgs(name, argv, {
    out: { type: "string" },
    workers: { type: "string" },
    backend: { type: "string" },
    models: { type: "string" },
    plugin: { type: "string", multiple: true },
    "no-figures": { type: "boolean" },
    queue: { type: "string" },
    "queue-wait": { type: "string" },
    fresh: { type: "boolean" },
  });
}

/**
 * Import the plugins of an experiment file and of `--plugin`, then load and validate the experiment (so that
 * the names the plugins register are known). Returns the experiment and the plugins' absolute paths (for workers).
 */
export async function loadExperimentWithPlugins(
  file: string,
  cliPlugins: readonly string[] | undefined,
): Promise<{ cfg: ResolvedExperiment; plugins: string[] }> {
  const plugins = pluginFiles(file, cliPlugins ?? []);
  await loadPlugins(plugins);
  return { cfg: loadExperiment(file), plugins };
}

export function applyOverrides(cfg: ResolvedExperiment, values: { backend?: string | boolean }, name: string): void {
  if (typeof values.backend === "string") {
    if (!(BACKENDS as readonly string[]).includes(values.backend))
      throw new UsageError(`${name}: --backend must be one of ${BACKENDS.join(", ")}, got "${values.backend}"`);
    cfg.backend = values.backend as ResolvedExperiment["backend"];
  }
}

export function parseWorkers(v: string | boolean | undefined, name: string): number | undefined {
  if (typeof v !== "string") return undefined;
  return intFlag(name, "workers", v, 1, 256);
}

/** Ctrl-C or SIGTERM: exit so that the staging directory is removed; finished tasks stay in the partial directory. */
export function exitOnInterrupt(): void {
  installSignalHandlers("finished tasks are kept; run the same command again to resume");
}

export const command: Command = {
  name: "run",
  summary: "train and evaluate every condition x seed of an experiment; write tables and figures",
  get help() {
    return help();
  },
  async run(argv) {
    const { positionals, values } = parseRunArgs(argv, "run");
    if (positionals.length !== 1) throw new UsageError(`run: expected one experiment file, got ${positionals.length}\n\n${help()}`);
    const file = positionals[0];
    const { cfg, plugins } = await loadExperimentWithPlugins(file, values.plugin);
    applyOverrides(cfg, values, "run");
    // A forced backend that cannot load is bad input: exit 2 before any task runs.
    if (cfg.backend !== "auto") await requireBackend(cfg.backend, `run: ${file}`);
    const workers = parseWorkers(values.workers, "run");
    const scenario = await loadScenario(cfg.scenario);
    const queue = typeof values.queue === "string" ? parseQueueUrl(values.queue) : undefined;
    const queueWait = intFlag("run", "queue-wait", values["queue-wait"], 1, 86_400);
    if (queueWait !== undefined && !queue) throw new UsageError("run: --queue-wait needs --queue redis://HOST:PORT[/DB]");
    exitOnInterrupt();
    // Policies of a resumed run land in the same folder: it is named by the experiment's hash.
    const models = values.models ?? join("models", cfg.name, experimentHash(cfg));
    // One writer per models folder (two experiments given the same --models would overwrite each other's policies).
    // Everything is checked before anything is created or locked.
    await scenario.preflight(cfg, file);
    for (const note of await roundingNotes(cfg)) console.error(note);
    if (queue) (await connectRedis(queue)).disconnect(); // --queue: Redis answers (5 s), before anything is written
    const modelsParents = makeParents(dirname(resolve(models)));
    if (!existsSync(resolve(models))) modelsParents.push(resolve(models)); // created by the tasks if they train
    let modelsLock: Lock;
    try {
      modelsLock = Lock.acquire(lockFileFor(resolve(models)), { what: `models folder ${models}` });
    } catch (err) {
      removeEmpty(modelsParents);
      throw err;
    }
    try {
      const out = await runExperiment(cfg, {
        task: scenarioTask(cfg.scenario),
        workers,
        out: values.out,
        command: `supplygym run ${argv.join(" ")}`,
        configFile: file,
        figures: !values["no-figures"],
        plugins,
        queue,
        queueWaitMs: queueWait === undefined ? undefined : queueWait * 1000,
        taskOptions: { mode: "train", models },
        partialKey: { mode: "train", models },
        fresh: values.fresh === true,
      });
      console.log(`\n${cfg.name}: ${out.ran} tasks run${out.resumed ? `, ${out.resumed} resumed` : ""}\n`);
      console.log(formatSummary(out.summary, summaryFormatOf(cfg, summaryMetrics(cfg), out)));
      if (out.bestSettings.length > 0) {
        console.log("best settings of the sweep (summary.csv means; best_settings.csv):");
        for (const b of out.bestSettings)
          console.log(
            `  ${b.base} ${b.metric} (${b.direction} is better): ${b.condition} mean ${b.mean} [${b.ci_low}, ${b.ci_high}], n=${b.n}`,
          );
        console.log("");
      }
      console.log(`trained policies: ${models}`);
      console.log(`run directory: ${out.path}`);
      return 0;
    } finally {
      modelsLock.release();
      removeEmpty(modelsParents); // only while empty: a run that trained something keeps its models
    }
  },
};

/** The metrics of the printed summary: profit, efficiency, fairness. */
export function summaryMetrics(cfg: ResolvedExperiment): string[] {
  const wanted = [
    "profit/total",
    "hubs/delay_cost",
    "efficiency/first_best",
    "welfare/vs_competitive",
    "efficiency/chain",
    "efficiency/gain_captured",
    "contracts/agreement_rate",
    "contracts/illogical_rate",
    "pareto/losers",
    "pareto/losers_vs_no_trade",
    "fairness/jain",
    "fairness/gini",
    "fairness/added_value_tv",
  ];
  return [...wanted.filter((m) => cfg.metrics.includes(m)), ...(cfg.exploitability ? ["exploitability/nash_conv"] : [])];
}

/**
 * One line per learned condition whose learner trains fewer steps than `training.totalSteps`: learners train
 * whole batches of numEnvs x numSteps (numSteps from the condition's hyperparameters or the algorithm's defaults
 * for the env's action space), so the rest is dropped.
 */
export async function roundingNotes(cfg: ResolvedExperiment): Promise<string[]> {
  const notes: string[] = [];
  const total = cfg.training.totalSteps;
  if (cfg.conditions.every((c) => c.learned !== "all" && c.learned.length === 0)) return notes;
  await import("../envs/index.js");
  for (const c of cfg.conditions) {
    if (c.learned !== "all" && c.learned.length === 0) continue;
    const batchSteps = getAlgorithm(c.algorithm.name)?.batchSteps;
    if (batchSteps === undefined) continue; // an algorithm that does not train in batches
    let batch: number;
    try {
      const makeEnv = () => make(cfg.env.id, conditionEnvOptions(cfg, c));
      batch = await batchSteps({
        env: makeEnv,
        numEnvs: cfg.training.numEnvs,
        seed: 1,
        shareParameters: c.shareParameters,
        ...c.algorithm.hyperparameters,
      });
    } catch {
      continue; // the scenario's preflight reports bad options
    }
    const planned = Math.floor(total / batch) * batch;
    if (planned !== total) {
      notes.push(
        `run: condition "${c.name}" trains ${planned} of training.totalSteps = ${total} steps (whole batches of numEnvs x numSteps = ${batch} steps)`,
      );
    }
  }
  return notes;
}
