import type { Command } from "./command.js";
import { SENSITIVITY_COLUMNS, parseSensitivitySpec, runSensitivity, type SensitivityRow } from "../experiments/contracts-sensitivity.js";
import { renderFigure } from "../eval/figures.js";
import { readJsonFile } from "../io/config.js";
import { UsageError } from "../io/errors.js";
import { buildManifest } from "../io/manifest.js";
import { RunDir } from "../io/run-dir.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym contracts-sensitivity <file.json> [--out DIR]

The sensitivity of the contracts finding (seed 004): the analytic negotiation with and without
checkQuantityEfficiency() over number of subcontractors x demand position between sum CN and sum CM x
concession tactic x retailer cost c_R x round limit, on generated instances; the paper's setting once.

  <file.json>   a sensitivity file (experiments/contracts-sensitivity.json; fields: docs/contracts.md)
  --out DIR     the run directory to create (default results/<name>/<run-id>/); never overwritten

Writes sensitivity.csv (one cell a row), table.md (illogical-price rates by tactic and round limit, with and
without the check, averaged over the other factors; the fairness results by c_R), illogical-rate.svg and
manifest.json. Exit code 2 on bad input.`;

const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");

/** Mean of `key` over the rows matching `where` (rows weighted equally: each is a cell of the same size). */
function meanOf(rows: readonly SensitivityRow[], key: keyof SensitivityRow, where: (r: SensitivityRow) => boolean): number {
  const xs = rows
    .filter(where)
    .map((r) => r[key] as number)
    .filter(Number.isFinite);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function sensitivityTable(rows: readonly SensitivityRow[]): string {
  const gen = rows.filter((r) => r.instance === "generated");
  const tactics = [...new Set(gen.map((r) => r.tactic))];
  const deadlines = [...new Set(gen.map((r) => r.deadline))];
  const out: string[] = [];
  out.push(
    "Illogical-price rate (any kind) by tactic and round limit, without / with the check (mean over subcontractors, demand positions, c_R):",
    "",
  );
  out.push(`| tactic | ${deadlines.map((d) => `${d} rounds`).join(" | ")} |`, `|---|${deadlines.map(() => "---").join("|")}|`);
  for (const t of tactics) {
    out.push(
      `| ${t} | ${deadlines
        .map(
          (d) =>
            `${f(
              meanOf(gen, "illogical_rate", (r) => r.tactic === t && r.deadline === d && !r.check),
              2,
            )} / ${f(
              meanOf(gen, "illogical_rate", (r) => r.tactic === t && r.deadline === d && r.check),
              2,
            )}`,
        )
        .join(" | ")} |`,
    );
  }
  out.push("", "By kind (mean over every generated cell), without / with the check:", "", "| kind | without | with |", "|---|---|---|");
  for (const [name, key] of [
    ["overtime while normal capacity idles", "overtime_while_normal_idle_rate"],
    ["prices out of order with average costs", "price_order_inverted_rate"],
    ["price below the seller's average cost", "price_below_average_cost_rate"],
    ["price above the retailer's margin", "price_above_retail_margin_rate"],
    ["agreement rate", "agreement_rate"],
    ["chain efficiency", "chain_efficiency"],
  ] as const) {
    out.push(`| ${name} | ${f(meanOf(gen, key, (r) => !r.check))} | ${f(meanOf(gen, key, (r) => r.check))} |`);
  }
  const ns = [...new Set(gen.map((r) => r.subcontractors))];
  const pos = [...new Set(gen.map((r) => r.demand_position))];
  out.push("", "Illogical-price rate by number of subcontractors and demand position (without / with the check):", "");
  out.push(`| subcontractors | ${pos.map((p) => `D at ${p}`).join(" | ")} |`, `|---|${pos.map(() => "---").join("|")}|`);
  for (const n of ns)
    out.push(
      `| ${n} | ${pos
        .map(
          (p) =>
            `${f(
              meanOf(gen, "illogical_rate", (r) => r.subcontractors === n && r.demand_position === p && !r.check),
              2,
            )} / ${f(
              meanOf(gen, "illogical_rate", (r) => r.subcontractors === n && r.demand_position === p && r.check),
              2,
            )}`,
        )
        .join(" | ")} |`,
    );
  const costs = [...new Set(gen.map((r) => r.retailer_cost))];
  const undefTV = gen.reduce((a, r) => a + r.undefined_fairness_tv, 0);
  const undefJ = gen.reduce((a, r) => a + r.undefined_jain_profit, 0);
  const total = gen.reduce((a, r) => a + r.negotiations, 0);
  out.push(
    "",
    `Fairness against added value by c_R (mean over the other factors; with the check). Undefined indices over all ${total} generated negotiations: added-value TV ${undefTV}, Jain ${undefJ}.`,
    "",
  );
  out.push("| c_R | added-value TV | Jain (profits) |", "|---|---|---|");
  for (const c of costs)
    out.push(
      `| ${c} | ${f(meanOf(gen, "mean_fairness_tv", (r) => r.retailer_cost === c && r.check))} | ${f(meanOf(gen, "mean_jain_profit", (r) => r.retailer_cost === c && r.check))} |`,
    );
  const paper = rows.filter((r) => r.instance === "paper");
  out.push(
    "",
    "The paper's setting (negotiated once per check value):",
    "",
    "| check | agreed | illogical | overtime while normal idles | prices out of order | chain efficiency | added-value TV |",
    "|---|---|---|---|---|---|---|",
  );
  for (const r of paper)
    out.push(
      `| ${r.check ? "with" : "without"} | ${r.agreement_rate} | ${r.illogical_rate} | ${r.overtime_while_normal_idle_rate} | ${r.price_order_inverted_rate} | ${f(r.chain_efficiency, 4)} | ${f(r.mean_fairness_tv)} |`,
    );
  return out.join("\n") + "\n";
}

export const command: Command = {
  name: "contracts-sensitivity",
  summary: "the contracts finding across subcontractors, demand position, tactics, c_R and round limits",
  help,
  async run(argv) {
    const { positionals, values } = parseCommandArgs("contracts-sensitivity", argv, { out: { type: "string" } }, help);
    if (positionals.length !== 1) throw new UsageError(`contracts-sensitivity: expected one file, got ${positionals.length}\n\n${help}`);
    const file = positionals[0];
    const spec = parseSensitivitySpec(readJsonFile(file), file);
    const t0 = performance.now();
    const rows = runSensitivity(spec);
    const t1 = performance.now();
    const table = sensitivityTable(rows);
    const fig = await renderFigure({
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      title: "Illogical-price rate by round limit and tactic (mean over the other factors)",
      data: {
        values: rows.filter((r) => r.instance === "generated").map((r) => ({ ...r, check: r.check ? "with check" : "without check" })),
      },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "deadline", type: "ordinal", title: "round limit" },
        y: { aggregate: "mean", field: "illogical_rate", type: "quantitative", title: "illogical-price rate", scale: { domain: [0, 1] } },
        color: { field: "tactic", type: "nominal" },
        column: { field: "check", type: "nominal", title: null },
      },
    } as never);
    const dir = RunDir.open({ experiment: spec.name, out: values.out });
    try {
      dir.writeCsv("sensitivity.csv", SENSITIVITY_COLUMNS, rows);
      dir.writeText("table.md", table);
      dir.writeText("illogical-rate.svg", fig.svg);
      dir.writeJson(
        "manifest.json",
        buildManifest({
          command: `supplygym contracts-sensitivity ${argv.join(" ")}`,
          configFile: file,
          config: spec,
          seeds: [spec.seed],
          timings: { negotiations: (t1 - t0) / 1000, total: (performance.now() - t0) / 1000 },
        }),
      );
      const path = dir.commit();
      console.log(table);
      console.log(`run directory: ${path}`);
      return 0;
    } catch (err) {
      dir.abort();
      throw err;
    }
  },
};
