import { requireBackend } from "../rl/backend.js";
import { existsSync } from "node:fs";
import type { Command } from "./command.js";
import { checkSavedSetting, policyFile } from "../experiments/scenarios/learning.js";
import { UsageError } from "../io/errors.js";
import { formatSummary, runExperiment, summaryFormatOf } from "../experiments/runner.js";
import { loadScenario, scenarioTask } from "../experiments/scenarios/index.js";
import { applyOverrides, exitOnInterrupt, loadExperimentWithPlugins, parseRunArgs, parseWorkers, summaryMetrics } from "./run.js";

const help = `usage: supplygym evaluate <experiment.json> --models DIR [--out DIR] [--workers N] [--backend B] [--plugin FILE]... [--no-figures] [--fresh]

Evaluate saved policies (from an earlier \`supplygym run\`, which saves them under models/<name>/<hash>/ and
names that folder in its manifest) on the experiment's evaluation draws, without training, and write the same
tables and figures as \`run\`. The run directory is results/<name>-evaluate/<run-id>/ unless --out is given.
Finished evaluations are kept and reused as by \`run\`; --fresh evaluates every task again.
--plugin FILE imports a module that registers strategies, metrics, scenarios or algorithms (as for \`run\`; the
experiment's "plugins" field is imported too).`;

export const command: Command = {
  name: "evaluate",
  summary: "evaluate saved policies of an experiment without training",
  help,
  async run(argv) {
    const { positionals, values } = parseRunArgs(argv, "evaluate");
    if (positionals.length !== 1) throw new UsageError(`evaluate: expected one experiment file, got ${positionals.length}\n\n${help}`);
    if (values.queue !== undefined || values["queue-wait"] !== undefined)
      throw new UsageError("evaluate: --queue and --queue-wait are for `supplygym run` (evaluation runs on this machine's worker threads)");
    if (typeof values.models !== "string") throw new UsageError("evaluate: --models DIR is required (the models folder of an earlier run)");
    const file = positionals[0];
    const { cfg, plugins } = await loadExperimentWithPlugins(file, values.plugin);
    applyOverrides(cfg, values, "evaluate");
    // A forced backend that cannot load is bad input: exit 2 before any task runs.
    if (cfg.backend !== "auto") await requireBackend(cfg.backend, `evaluate: ${file}`);
    // Its own results folder, so that its resumable partial results never mix with training runs'.
    cfg.name = `${cfg.name}-evaluate`;
    const missing = cfg.conditions
      .filter((c) => c.learned === "all" || c.learned.length > 0)
      .flatMap((c) => cfg.seeds.map((seed) => policyFile({ condition: c, seed, options: { models: values.models } })!))
      .filter((f) => !existsSync(f));
    if (missing.length > 0)
      throw new UsageError(`evaluate: ${values.models} lacks saved policies of this experiment:\n  ${missing.join("\n  ")}`);
    // Policies trained for another env, market or options: exit 2 before any task runs (each task checks the spaces too).
    for (const c of cfg.conditions.filter((k) => k.learned === "all" || k.learned.length > 0))
      for (const seed of cfg.seeds) checkSavedSetting(policyFile({ condition: c, seed, options: { models: values.models } })!, cfg, c);
    const scenario = await loadScenario(cfg.scenario);
    exitOnInterrupt();
    const out = await runExperiment(cfg, {
      task: scenarioTask(cfg.scenario),
      workers: parseWorkers(values.workers, "evaluate"),
      out: values.out,
      command: `supplygym evaluate ${argv.join(" ")}`,
      configFile: file,
      figures: !values["no-figures"],
      plugins,
      preflight: (c) => scenario.preflight(c, file),
      taskOptions: { mode: "evaluate", models: values.models },
      partialKey: { mode: "evaluate", models: values.models },
      fresh: values.fresh === true,
    });
    console.log(formatSummary(out.summary, summaryFormatOf(cfg, summaryMetrics(cfg), out)));
    console.log(`run directory: ${out.path}`);
    return 0;
  },
};
