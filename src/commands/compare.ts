import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Command } from "./command.js";
import type { EpisodeMetricRecord } from "../eval/crossed.js";
import {
  AGGREGATES_COLUMNS,
  aggregateRows,
  COMPARISON_COLUMNS,
  comparisonRows,
  EPISODE_METRICS_COLUMNS,
  seedMetricRecords,
  SUMMARY_COLUMNS,
  summaryRows,
} from "../eval/estimates.js";
import { efficiencyFairnessSpec, type TradeoffRow } from "../eval/figures.js";
import { DICTIONARY_COLUMNS, dictionaryRows, higherIsBetter, metricTitle } from "../eval/metric-dictionary.js";
import { METRICS_COLUMNS, metricsRows } from "../eval/tables.js";
import { parseCsv } from "../io/csv.js";
import { UsageError } from "../io/errors.js";
import { buildManifest } from "../io/manifest.js";
import { RunDir } from "../io/run-dir.js";
import { firstDifference } from "../experiments/fingerprint.js";
import { loadPlugins, pluginFiles } from "../experiments/plugins.js";
import { formatSummary, saveFigure } from "../experiments/runner.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym compare <run-dir> [<run-dir> ...] [--baseline CONDITION] [--unpaired] [--out DIR] [--plugin FILE]...

Combine the per-episode metrics of finished run directories into one comparison: every condition of every run,
with intervals over seeds x evaluation episodes and differences against a baseline, paired on the evaluation
episode (docs/statistics.md). Runs must have the same fingerprint (manifest.json: scenario, env, market, evaluation
seed and episodes, simulator code); otherwise compare stops with exit 2 naming the field that differs, unless
--unpaired, which compares conditions of runs on other draws than the baseline's with Welch tests over
per-episode means (conditions on the baseline's draws stay paired; comparison.csv's test column says which). With several runs a condition is labelled <run>:<condition>, <run> being the
experiment name (or the run directory's name when two runs share an experiment).

  --baseline C   the condition every other is compared with (default: the first run's baseline)
  --unpaired     allow runs with different fingerprints; Welch tests between runs on different draws
  --out DIR      the run directory to create (default results/compare/<run-id>/); never overwritten
  --plugin FILE  import a module that registers metrics, strategies, ... (as for run; compare itself reads the
                 finished CSVs, so a plugin changes no number here; a plugin that fails to load exits 2)

Writes metrics.csv, episode_metrics.csv, summary.csv, comparison.csv, aggregates.csv, metrics_dictionary.csv,
efficiency_fairness figures (when the runs have those metrics) and manifest.json.`;

interface RunInfo {
  dir: string;
  name: string;
  baseline: string;
  conditions: string[];
  deterministic: string[];
  fingerprint: unknown;
  cells: EpisodeMetricRecord[];
}

function readRun(dir: string): RunInfo {
  const cellsFile = join(dir, "episode_metrics.csv");
  const manifestFile = join(dir, "manifest.json");
  if (!existsSync(manifestFile) || !existsSync(join(dir, "metrics.csv")))
    throw new UsageError(`${dir}: not a run directory of \`supplygym run\` (needs metrics.csv and manifest.json)`);
  let manifest: {
    config?: { name?: string; baseline?: string; conditions?: { name: string }[] };
    fingerprint?: unknown;
    deterministic_conditions?: { condition: string }[];
  };
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch (err) {
    throw new UsageError(`${manifestFile}: not valid JSON (${(err as Error).message})`);
  }
  if (!existsSync(cellsFile) || manifest.fingerprint === undefined) {
    throw new UsageError(
      `${dir}: has no episode_metrics.csv or no fingerprint in manifest.json (a run of an older supplygym); run the experiment again to compare it`,
    );
  }
  const rows = parseCsv(readFileSync(cellsFile, "utf8"));
  const cells = rows.map((r, i) => {
    const seed = Number(r.seed);
    const episode = Number(r.episode);
    if (r.condition === undefined || r.metric === undefined || !Number.isInteger(seed) || !Number.isInteger(episode)) {
      throw new UsageError(`${cellsFile}: row ${i + 2} is not ${EPISODE_METRICS_COLUMNS.join(",")}`);
    }
    const num = cellNumber(r.numerator ?? "");
    const den = cellNumber(r.denominator ?? "");
    return {
      condition: r.condition,
      seed,
      episode,
      metric: r.metric,
      value: cellNumber(r.value),
      ...(Number.isNaN(num) || Number.isNaN(den) ? {} : { num, den }),
    };
  });
  const conditions = manifest.config?.conditions?.map((c) => c.name) ?? [...new Set(cells.map((r) => r.condition))];
  return {
    dir,
    name: manifest.config?.name ?? basename(dir),
    baseline: manifest.config?.baseline ?? conditions[0],
    conditions,
    deterministic: (manifest.deterministic_conditions ?? []).map((d) => d.condition),
    fingerprint: manifest.fingerprint,
    cells,
  };
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
    const parsed = parseCommandArgs("compare", argv, {
      baseline: { type: "string" },
      out: { type: "string" },
      unpaired: { type: "boolean" },
      plugin: { type: "string", multiple: true },
    });
    const { positionals, values } = parsed;
    await loadPlugins(pluginFiles(undefined, values.plugin ?? []));
    if (positionals.length === 0) throw new UsageError(`compare: give at least one run directory\n\n${help}`);
    const runs = positionals.map((d) => readRun(resolve(d)));
    const unpaired = values.unpaired === true;
    for (const run of runs.slice(1)) {
      const d = firstDifference(runs[0].fingerprint, run.fingerprint);
      if (d && !unpaired) {
        throw new UsageError(
          `compare: ${run.dir} was not evaluated like ${runs[0].dir}: fingerprint.${d.path} differs (${JSON.stringify(d.b)} vs ${JSON.stringify(d.a)}); ` +
            "paired comparisons need the same evaluation draws and environment. Pass --unpaired to compare them with Welch tests between runs",
        );
      }
    }
    const uniqueNames = new Set(runs.map((r) => r.name)).size === runs.length;
    const label = (run: RunInfo, condition: string) =>
      runs.length === 1 ? condition : `${uniqueNames ? run.name : basename(run.dir)}:${condition}`;
    const cells = runs.flatMap((run) => run.cells.map((r) => ({ ...r, condition: label(run, r.condition) })));
    const conditions = runs.flatMap((run) => run.conditions.map((c) => label(run, c)));
    const deterministic = runs.flatMap((run) => run.deterministic.map((c) => label(run, c)));
    const baseline = values.baseline ?? label(runs[0], runs[0].baseline);
    if (!conditions.includes(baseline)) throw new UsageError(`compare: --baseline "${baseline}" is not one of ${conditions.join(", ")}`);

    const dir = RunDir.open({ experiment: "compare", out: values.out });
    try {
      const records = seedMetricRecords(cells);
      dir.writeCsv("metrics.csv", METRICS_COLUMNS, metricsRows(records, { conditions }));
      dir.writeCsv(
        "episode_metrics.csv",
        EPISODE_METRICS_COLUMNS,
        cells.map((r) => ({ ...r, numerator: r.num, denominator: r.den })),
      );
      const opts = { conditions, deterministic };
      const summary = summaryRows(cells, opts);
      dir.writeCsv("summary.csv", SUMMARY_COLUMNS, summary);
      // Paired wherever a condition's run shares the baseline run's draws (always without --unpaired); Welch otherwise.
      const baseRun = runs.find((run) => run.conditions.some((c) => label(run, c) === baseline))!;
      const onOtherDraws = new Set(
        runs
          .filter((run) => firstDifference(baseRun.fingerprint, run.fingerprint) !== undefined)
          .flatMap((run) => run.conditions.map((c) => label(run, c))),
      );
      const comparison = conditions.length > 1 ? comparisonRows(cells, baseline, { ...opts, unpaired: (c) => onOtherDraws.has(c) }) : [];
      dir.writeCsv("comparison.csv", COMPARISON_COLUMNS, comparison);
      dir.writeCsv("aggregates.csv", AGGREGATES_COLUMNS, aggregateRows(cells, baseline, higherIsBetter, opts));
      dir.writeCsv(
        "metrics_dictionary.csv",
        DICTIONARY_COLUMNS,
        dictionaryRows(
          records.map((r) => r.metric),
          (runs[0].fingerprint as { scenario?: string }).scenario,
        ),
      );
      const eff = ["efficiency/first_best", "efficiency/chain", "efficiency/gain_captured"].find((m) =>
        records.some((r) => r.metric === m),
      );
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
        if (rows.length > 0)
          await saveFigure(
            dir,
            "efficiency_fairness",
            efficiencyFairnessSpec(rows, {
              efficiencyTitle: metricTitle(eff, (runs[0].fingerprint as { scenario?: string }).scenario),
              fairnessTitle: metricTitle("fairness/jain"),
              conditions,
            }),
            true,
          );
      }
      dir.writeJson(
        "manifest.json",
        buildManifest({
          command: `supplygym compare ${argv.join(" ")}`,
          config: { runs: runs.map((r) => r.dir), baseline, conditions, unpaired },
          timings: {},
          extra: {
            fingerprint: runs[0].fingerprint,
            fingerprints: runs.map((r) => ({ run: r.dir, fingerprint: r.fingerprint })),
            deterministic_conditions: deterministic.map((condition) => ({ condition })),
          },
        }),
      );
      const path = dir.commit();
      console.log(
        formatSummary(summary, {
          metrics: [
            "profit/total",
            "efficiency/first_best",
            "welfare/vs_competitive",
            "efficiency/chain",
            "efficiency/gain_captured",
            "fairness/jain",
            "fairness/gini",
          ],
          comparison,
          baseline,
        }),
      );
      console.log(`run directory: ${path}`);
      return 0;
    } catch (err) {
      dir.abort();
      throw err;
    }
  },
};
