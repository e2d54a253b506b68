import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Command } from "./command.js";
import { efficiencyFairnessSpec, renderFigure, type TradeoffRow } from "../eval/figures.js";
import { COMPARISON_COLUMNS, comparisonRows, METRICS_COLUMNS, metricsRows, SUMMARY_COLUMNS, summaryRows, type MetricRecord } from "../eval/tables.js";
import { parseCsv } from "../io/csv.js";
import { UsageError } from "../io/errors.js";
import { buildManifest } from "../io/manifest.js";
import { RunDir } from "../io/run-dir.js";
import { loadPlugins, pluginFiles } from "../experiments/plugins.js";
import { formatSummary } from "../experiments/runner.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym compare <run-dir> [<run-dir> ...] [--baseline CONDITION] [--out DIR] [--plugin FILE]...

Combine the metrics of finished run directories into one comparison: every condition of every run, with
confidence intervals and differences against a baseline (paired over seeds when the seeds match, else Welch).
With several runs a condition is labelled <run>:<condition>, <run> being the experiment name (or the run
directory's name when two runs share an experiment).

  --baseline C   the condition every other is compared with (default: the first run's baseline)
  --out DIR      the run directory to create (default results/compare/<run-id>/); never overwritten
  --plugin FILE  import a module that registers metrics, strategies, ... (as for run; compare itself reads the
                 finished CSVs, so a plugin changes no number here; a plugin that fails to load exits 2)

Writes metrics.csv, summary.csv, comparison.csv, efficiency_fairness.svg/png (when the runs have those
metrics) and manifest.json.`;

interface RunInfo {
  dir: string;
  name: string;
  baseline: string;
  conditions: string[];
  /** Conditions that trained nothing (the same for every seed). */
  seedIndependent: string[];
  records: MetricRecord[];
}

function readRun(dir: string): RunInfo {
  const metricsFile = join(dir, "metrics.csv");
  const manifestFile = join(dir, "manifest.json");
  if (!existsSync(metricsFile) || !existsSync(manifestFile)) throw new UsageError(`${dir}: not a run directory of \`supplygym run\` (needs metrics.csv and manifest.json)`);
  let manifest: { config?: { name?: string; baseline?: string; conditions?: { name: string; learned?: unknown }[] } };
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch (err) {
    throw new UsageError(`${manifestFile}: not valid JSON (${(err as Error).message})`);
  }
  const rows = parseCsv(readFileSync(metricsFile, "utf8"));
  const records = rows.map((r, i) => {
    const seed = Number(r.seed);
    if (r.condition === undefined || r.metric === undefined || !Number.isInteger(seed)) throw new UsageError(`${metricsFile}: row ${i + 2} is not condition,seed,metric,value`);
    return { condition: r.condition, seed, metric: r.metric, value: cellNumber(r.value) };
  });
  const conditions = manifest.config?.conditions?.map((c) => c.name) ?? [...new Set(records.map((r) => r.condition))];
  const seedIndependent = (manifest.config?.conditions ?? []).filter((c) => Array.isArray(c.learned) && c.learned.length === 0).map((c) => c.name);
  return { dir, name: manifest.config?.name ?? basename(dir), baseline: manifest.config?.baseline ?? conditions[0], conditions, seedIndependent, records };
}

/** A number written by src/io/csv.ts: empty is missing (NaN), `Inf` / `-Inf` are infinities. */
function cellNumber(cell: string): number {
  if (cell === "") return NaN;
  if (cell === "Inf") return Infinity;
  if (cell === "-Inf") return -Infinity;
  return Number(cell);
}

export const command: Command = {
  name: "compare",
  summary: "combine the metrics of finished runs into one summary and comparison",
  help,
  async run(argv) {
    const parsed = parseCommandArgs("compare", argv, { baseline: { type: "string" }, out: { type: "string" }, plugin: { type: "string", multiple: true } });
    const { positionals, values } = parsed;
    await loadPlugins(pluginFiles(undefined, values.plugin ?? []));
    if (positionals.length === 0) throw new UsageError(`compare: give at least one run directory\n\n${help}`);
    const runs = positionals.map((d) => readRun(resolve(d)));
    const uniqueNames = new Set(runs.map((r) => r.name)).size === runs.length;
    const label = (run: RunInfo, condition: string) => (runs.length === 1 ? condition : `${uniqueNames ? run.name : basename(run.dir)}:${condition}`);
    const records = runs.flatMap((run) => run.records.map((r) => ({ ...r, condition: label(run, r.condition) })));
    const conditions = runs.flatMap((run) => run.conditions.map((c) => label(run, c)));
    const seedIndependent = runs.flatMap((run) => run.seedIndependent.map((c) => label(run, c)));
    const baseline = values.baseline ?? label(runs[0], runs[0].baseline);
    if (!conditions.includes(baseline)) throw new UsageError(`compare: --baseline "${baseline}" is not one of ${conditions.join(", ")}`);

    const dir = RunDir.open({ experiment: "compare", out: values.out });
    try {
      dir.writeCsv("metrics.csv", METRICS_COLUMNS, metricsRows(records, { conditions }));
      const summary = summaryRows(records, { conditions });
      dir.writeCsv("summary.csv", SUMMARY_COLUMNS, summary);
      dir.writeCsv("comparison.csv", COMPARISON_COLUMNS, conditions.length > 1 ? comparisonRows(records, baseline, { conditions, seedIndependent }) : []);
      const eff = ["efficiency/first_best", "efficiency/chain"].find((m) => records.some((r) => r.metric === m));
      if (eff) {
        const byKey = new Map<string, TradeoffRow>();
        for (const r of records) {
          if (r.metric !== eff && r.metric !== "fairness/jain") continue;
          const k = `${r.condition}|${r.seed}`;
          const row = byKey.get(k) ?? { condition: r.condition, seed: r.seed, efficiency: NaN, fairness: NaN };
          if (r.metric === eff) row.efficiency = r.value;
          else row.fairness = r.value;
          byKey.set(k, row);
        }
        const rows = [...byKey.values()].filter((r) => !Number.isNaN(r.efficiency) && !Number.isNaN(r.fairness));
        if (rows.length > 0) {
          const fig = await renderFigure(efficiencyFairnessSpec(rows, { efficiencyTitle: eff, fairnessTitle: "fairness/jain", conditions }), { png: true });
          dir.writeText("efficiency_fairness.svg", fig.svg);
          if (fig.png) dir.writeText("efficiency_fairness.png", fig.png);
        }
      }
      dir.writeJson("manifest.json", buildManifest({ command: `supplygym compare ${argv.join(" ")}`, config: { runs: runs.map((r) => r.dir), baseline, conditions }, timings: {} }));
      const path = dir.commit();
      console.log(formatSummary(summary, ["profit/total", "efficiency/first_best", "welfare/vs_competitive", "efficiency/chain", "fairness/jain", "fairness/gini"]));
      console.log(`run directory: ${path}`);
      return 0;
    } catch (err) {
      dir.abort();
      throw err;
    }
  },
};
