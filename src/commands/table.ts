import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "./command.js";
import { metricInfo } from "../eval/metric-dictionary.js";
import { comparisonTestsPhrase, holmFloor } from "../eval/estimates.js";
import { parseCsv, toCsv } from "../io/csv.js";
import { writeFileAtomic } from "../io/atomic.js";
import { UsageError } from "../io/errors.js";
import { parseCommandArgs } from "./args.js";

const FORMATS = ["latex", "markdown", "csv"] as const;
type Format = (typeof FORMATS)[number];

const help = `usage: supplygym table <run-dir> [--metrics M1,M2,...] [--format latex|markdown|csv] [--out FILE]

A table for a paper from a run directory (or a \`compare\` directory): one row per condition, one column per
metric, each cell the mean and its 95% interval from summary.csv; the header gives each metric's unit (from
metrics_dictionary.csv), the baseline row is named, the best value of a column is bold where the dictionary says
which direction is better, and * / ** mark differences to the baseline with Holm-adjusted p < 0.05 / 0.01
(comparison.csv). A caption states the seeds, evaluation episodes and the interval method (and the smallest
Holm-adjusted p the bootstrap can give). LaTeX puts each interval on a line under its mean and shrinks the table
to the line width when it is wider (\\resizebox): the document needs \\usepackage{booktabs} and {graphicx}.

  --metrics M,...  the metrics (columns), in this order (default: the run's headline metrics that it has)
  --format F       latex (booktabs; default), markdown or csv
  --out FILE       write the table to FILE (must not exist) instead of standard output`;

const DEFAULT_METRICS = [
  "profit/total",
  "welfare/total_surplus",
  "efficiency/first_best",
  "welfare/vs_competitive",
  "efficiency/chain",
  "efficiency/gain_captured",
  "contracts/agreement_rate",
  "contracts/illogical_rate",
  "fairness/jain",
];

type Row = Record<string, string>;

interface RunTables {
  summary: Row[];
  comparison: Row[];
  dictionary: Map<string, Row>;
  baseline: string;
  conditions: string[];
  deterministic: string[];
  scenario?: string;
}

function readCsvFile(dir: string, name: string): Row[] {
  const file = join(dir, name);
  try {
    return parseCsv(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: cannot read (${(err as Error).message})`);
  }
}

function readRun(dir: string): RunTables {
  for (const f of ["manifest.json", "summary.csv", "comparison.csv"]) {
    if (!existsSync(join(dir, f))) throw new UsageError(`${dir}: not a run directory of \`supplygym run\` or \`compare\` (no ${f})`);
  }
  let manifest: {
    config?: { baseline?: string; conditions?: ({ name: string } | string)[] };
    deterministic_conditions?: { condition: string }[];
    fingerprint?: { scenario?: string };
  };
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  } catch (err) {
    throw new UsageError(`${join(dir, "manifest.json")}: not valid JSON (${(err as Error).message})`);
  }
  const summary = readCsvFile(dir, "summary.csv");
  if (summary.length > 0 && !("interval" in summary[0]))
    throw new UsageError(`${join(dir, "summary.csv")}: has no interval column (a run of an older supplygym); run it again`);
  const comparison = readCsvFile(dir, "comparison.csv");
  const dictionary = new Map(
    existsSync(join(dir, "metrics_dictionary.csv")) ? readCsvFile(dir, "metrics_dictionary.csv").map((r) => [r.metric, r]) : [],
  );
  const conditions = (manifest.config?.conditions ?? []).map((c) => (typeof c === "string" ? c : c.name));
  const inSummary = [...new Set(summary.map((r) => r.condition))];
  return {
    summary,
    comparison,
    dictionary,
    baseline: manifest.config?.baseline ?? comparison[0]?.baseline ?? inSummary[0],
    conditions: conditions.length > 0 ? conditions.filter((c) => inSummary.includes(c)) : inSummary,
    deterministic: (manifest.deterministic_conditions ?? []).map((d) => d.condition),
    scenario: manifest.fingerprint?.scenario,
  };
}

const num = (s: string | undefined) => (s === undefined || s === "" ? NaN : Number(s));

/** Three decimals below 1000 in magnitude, else rounded to an integer (no exponent, so LaTeX and Markdown read it); NaN is "--". */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "--";
  if (Math.abs(x) >= 1000) return Math.round(x).toString();
  return x.toFixed(3);
}

function latexEscape(s: string): string {
  return s
    .replace(/\\/g, "\\textbackslash{}")
    .replace(/([&%$#_{}])/g, "\\$1")
    .replace(/~/g, "\\textasciitilde{}")
    .replace(/\^/g, "\\textasciicircum{}");
}

/**
 * A LaTeX header cell on at most two lines: a name longer than 12 characters is broken at the space nearest its
 * middle (a nested right-aligned tabular), so that long metric names do not set the column width.
 */
export function twoLines(name: string): string {
  if (name.length <= 12 || !name.includes(" ")) return name;
  const mid = name.length / 2;
  let at = -1;
  for (let i = name.indexOf(" "); i >= 0; i = name.indexOf(" ", i + 1)) if (at < 0 || Math.abs(i - mid) < Math.abs(at - mid)) at = i;
  return `\\begin{tabular}[b]{@{}r@{}}${name.slice(0, at)}\\\\${name.slice(at + 1)}\\end{tabular}`;
}

export interface Cell {
  mean: number;
  low: number;
  high: number;
  exact: boolean;
  marks: string;
  best: boolean;
}

/** The table's cells and caption, independent of the output format. */
export function buildTable(run: RunTables, metrics: readonly string[]) {
  const cells = new Map<string, Cell>();
  const tests = run.comparison.filter((r) => r.p_value !== "" && r.p_value !== undefined);
  for (const c of run.conditions) {
    for (const m of metrics) {
      const s = run.summary.find((r) => r.condition === c && r.metric === m);
      if (!s) continue;
      const cmp = run.comparison.find((r) => r.condition === c && r.metric === m && r.baseline === run.baseline);
      const p = num(cmp?.p_holm);
      cells.set(`${c}\u0000${m}`, {
        mean: num(s.mean),
        low: num(s.ci_low),
        high: num(s.ci_high),
        exact: s.note === "deterministic",
        marks: p < 0.01 ? "**" : p < 0.05 ? "*" : "",
        best: false,
      });
    }
  }
  for (const m of metrics) {
    const dir = higherIsBetterOf(run, m);
    if (dir === undefined) continue;
    const vals = run.conditions.map((c) => cells.get(`${c}\u0000${m}`)).filter((x): x is Cell => x !== undefined && !Number.isNaN(x.mean));
    if (vals.length < 2) continue;
    const best = dir ? Math.max(...vals.map((v) => v.mean)) : Math.min(...vals.map((v) => v.mean));
    for (const v of vals) if (v.mean === best) v.best = true;
  }
  const design = run.conditions
    .map((c) => {
      const s = run.summary.find((r) => r.condition === c && Number(r.n) > 0);
      return s
        ? `${c}: ${s.n_seeds} seed${s.n_seeds === "1" ? "" : "s"} x ${s.n_episodes} episode${s.n_episodes === "1" ? "" : "s"}${run.deterministic.includes(c) ? " (deterministic, computed once)" : ""}`
        : c;
    })
    .join("; ");
  const method = run.summary.find((r) => r.interval && r.interval !== "none")?.interval ?? "none";
  const floor = holmFloor(run.comparison);
  const caption =
    `Mean and 95% interval per condition over training seeds x evaluation episodes (${method}); ${design}. ` +
    `Baseline: ${run.baseline}. * / **: Holm-adjusted p < 0.05 / 0.01 for the difference to the baseline, ${comparisonTestsPhrase(run.comparison)} (family: the ${tests.length} tests of comparison.csv` +
    (floor === undefined ? "" : `; no Holm-adjusted p can be below ${floor.toPrecision(2)} here, a bootstrap p being at least 2/(B+1)`) +
    `). Bold: the best value of a column. "exact": no variation over seeds and episodes.`;
  return { cells, caption };
}

function higherIsBetterOf(run: RunTables, metric: string): boolean | undefined {
  const d = run.dictionary.get(metric)?.higher_is_better;
  if (d === "true") return true;
  if (d === "false") return false;
  if (run.dictionary.has(metric)) return undefined;
  return metricInfo(metric)?.higherIsBetter;
}

function header(run: RunTables, metric: string): { name: string; unit: string } {
  const info = metricInfo(metric, run.scenario);
  return { name: info?.label ?? metric, unit: run.dictionary.get(metric)?.unit || info?.unit || "" };
}

export function renderTable(run: RunTables, metrics: readonly string[], format: Format): string {
  const { cells, caption } = buildTable(run, metrics);
  const label = (c: string) => (c === run.baseline ? `${c} (baseline)` : c);
  if (format === "csv") {
    const rows = run.conditions.flatMap((c) =>
      metrics.flatMap((m) => {
        const x = cells.get(`${c}\u0000${m}`);
        if (!x) return [];
        return [
          {
            condition: c,
            metric: m,
            unit: header(run, m).unit,
            mean: x.mean,
            ci_low: x.low,
            ci_high: x.high,
            exact: x.exact,
            holm_marks: x.marks,
            best: x.best,
          },
        ];
      }),
    );
    return toCsv(["condition", "metric", "unit", "mean", "ci_low", "ci_high", "exact", "holm_marks", "best"], rows);
  }
  const text = (x: Cell | undefined, bold: (s: string) => string, sup: (s: string) => string) => {
    if (!x) return "";
    const mean = x.best ? bold(formatNumber(x.mean)) : formatNumber(x.mean);
    const iv = x.exact ? " (exact)" : Number.isNaN(x.low) ? "" : ` [${formatNumber(x.low)}, ${formatNumber(x.high)}]`;
    return `${mean}${iv}${x.marks ? sup(x.marks) : ""}`;
  };
  if (format === "markdown") {
    const head = ["condition", ...metrics.map((m) => `${header(run, m).name} (${header(run, m).unit})`)];
    const rows = run.conditions.map((c) => [
      label(c),
      ...metrics.map((m) =>
        text(
          cells.get(`${c}\u0000${m}`),
          (s) => `**${s}**`,
          (s) => s.replace(/\*/g, "\\*"),
        ),
      ),
    ]);
    return (
      [
        `| ${head.join(" | ")} |`,
        `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
        ...rows.map((r) => `| ${r.join(" | ")} |`),
        "",
        caption,
      ].join("\n") + "\n"
    );
  }
  const e = latexEscape;
  const small = (t: string) => (t === "" ? "" : `{\\footnotesize ${t}}`);
  const meanCell = (x: Cell | undefined) =>
    x
      ? `${x.best ? `\\textbf{${formatNumber(x.mean)}}` : formatNumber(x.mean)}${x.marks ? `$^{${x.marks.replace(/\*/g, "\\ast")}}$` : ""}`
      : "";
  const intervalCell = (x: Cell | undefined) =>
    !x ? "" : x.exact ? small("exact") : Number.isNaN(x.low) ? "" : small(`[${formatNumber(x.low)}, ${formatNumber(x.high)}]`);
  const rows = run.conditions.flatMap((c, i) => {
    const cs = metrics.map((m) => cells.get(`${c}\u0000${m}`));
    return [
      ...(i > 0 ? ["\\addlinespace"] : []),
      `${e(c)} & ${cs.map(meanCell).join(" & ")} \\\\`,
      `${c === run.baseline ? small("(baseline)") : ""} & ${cs.map(intervalCell).join(" & ")} \\\\`,
    ];
  });
  const lines = [
    "% supplygym table; needs \\usepackage{booktabs} and \\usepackage{graphicx} (\\resizebox shrinks the table to the line width when it is wider)",
    "\\begin{table}[ht]",
    "\\centering",
    `\\caption{${e(caption)
      .replace(/\bx\b/g, "$\\times$")
      .replace(/</g, "$<$")
      .replace(/"([^"]*)"/g, "``$1''")}}`,
    "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%",
    `\\begin{tabular}{l${"r".repeat(metrics.length)}}`,
    "\\toprule",
    `condition & ${metrics.map((m) => twoLines(e(header(run, m).name))).join(" & ")} \\\\`,
    ` & ${metrics.map((m) => small(`(${e(header(run, m).unit)})`)).join(" & ")} \\\\`,
    "\\midrule",
    ...rows,
    "\\bottomrule",
    "\\end{tabular}}",
    "\\end{table}",
  ];
  return lines.join("\n") + "\n";
}

export const command: Command = {
  name: "table",
  summary: "a LaTeX (booktabs), Markdown or CSV table of a run's results for a paper",
  help,
  async run(argv) {
    const { positionals, values } = parseCommandArgs(
      "table",
      argv,
      { metrics: { type: "string" }, format: { type: "string" }, out: { type: "string" } },
      help,
    );
    if (positionals.length !== 1) throw new UsageError(`table: expected one run directory, got ${positionals.length}\n\n${help}`);
    const format = (values.format ?? "latex") as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`table: unknown --format "${values.format}"; use one of ${FORMATS.join(", ")}`);
    const dir = resolve(positionals[0]);
    const run = readRun(dir);
    const available = [...new Set(run.summary.map((r) => r.metric))];
    const metrics =
      values.metrics !== undefined
        ? values.metrics
            .split(",")
            .map((m) => m.trim())
            .filter(Boolean)
        : DEFAULT_METRICS.filter((m) => available.includes(m));
    const unknown = metrics.filter((m) => !available.includes(m));
    if (unknown.length > 0)
      throw new UsageError(`table: ${dir} has no metric ${unknown.map((m) => `"${m}"`).join(", ")}; it has ${available.join(", ")}`);
    if (metrics.length === 0)
      throw new UsageError(`table: no metrics to show; pick some with --metrics (the run has ${available.join(", ")})`);
    const out = renderTable(run, metrics, format);
    if (values.out) {
      if (existsSync(values.out)) throw new UsageError(`${values.out}: already exists; table never overwrites a file`);
      writeFileAtomic(values.out, out);
    } else process.stdout.write(out);
    return 0;
  },
};
