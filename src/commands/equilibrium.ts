import type { TopLevelSpec } from "vega-lite";
import type { Command } from "./command.js";
import { UsageError } from "../io/errors.js";
import { buildManifest } from "../io/manifest.js";
import { renderSvg } from "../io/plot.js";
import { RunDir } from "../io/run-dir.js";
import { loadEquilibriumConfig, type EquilibriumConfig } from "../market/config.js";
import { EquilibriumSolver, type Equilibrium } from "../market/equilibrium.js";
import type { CompiledMarket } from "../market/spec.js";
import { NoEquilibriumError } from "../market/errors.js";
import { FirstBestSolver, withoutBudgets } from "../market/first-best.js";
import { agentRows, marketRows, welfareRows } from "../market/report.js";
import { tatonnement, type TraceRow } from "../market/tatonnement.js";
import { welfare } from "../market/welfare.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym equilibrium <config.json> [--out DIR] [--method newton|tatonnement]

Clear a layered market (docs/model.md section A) and write its equilibrium.

  <config.json>          a market file, e.g. experiments/kaihara-paper.json (fields: README)
  --out DIR              the run directory to create (default results/<name>/<run-id>/); never overwritten
  --method M             newton (default: fast Newton solver) or tatonnement (the paper's process);
                         the tatonnement trace is written either way

Writes equilibrium.csv, agents.csv, tatonnement_trace.csv, welfare.csv, manifest.json,
price_convergence.svg and quantity_convergence.svg (drawn from at most 2,000 evenly spaced iterations of the
trace; the CSV has every recorded one). Exit code 2 on bad input.`;

export const command: Command = {
  name: "equilibrium",
  summary: "clear a layered market and write its equilibrium, trace and figures",
  help,
  async run(argv) {
    const parsed = parseCommandArgs("equilibrium", argv, { out: { type: "string" }, method: { type: "string" } }, help);
    const { positionals, values } = parsed;
    if (positionals.length !== 1) throw new UsageError(`equilibrium: expected one config file, got ${positionals.length}\n\n${help}`);
    if (values.method !== undefined && values.method !== "newton" && values.method !== "tatonnement") {
      throw new UsageError(`equilibrium: --method must be newton or tatonnement, got "${values.method}"`);
    }
    const file = positionals[0];
    const { config, market } = loadEquilibriumConfig(file);
    if (values.method) config.method = values.method as "newton" | "tatonnement";

    const t0 = performance.now();
    const { newton, tat, trace, newtonError } = clearBoth(file, market, config);
    const t1 = performance.now();
    if (config.method === "tatonnement" && !tat.converged) {
      throw new UsageError(
        `${file}: tatonnement did not converge: ${trace.note}${newton ? "; Newton's solution exists (use --method newton)" : ""}`,
      );
    }
    if (newton === null) throw new UsageError(`${file}: ${newtonError}`);
    if (!tat.converged)
      console.error(`warning: ${config.name}: the tatonnement trace is incomplete (${trace.note}); the equilibrium is Newton's`);
    const shown = overflowedToMissing(tat.trace);
    if (shown.overflowed > 0)
      console.error(
        `warning: ${config.name}: ${shown.overflowed} value${shown.overflowed === 1 ? "" : "s"} of the tatonnement trace overflowed (from iteration ${shown.first}); empty in tatonnement_trace.csv`,
      );
    const eq = config.method === "newton" ? newton : tat.equilibrium;
    const w = welfare(market, eq);
    // The first best: the same market with budgets removed (docs/market-benchmarks.md).
    // It is a benchmark beside the equilibrium: a first best that no solver clears is reported as missing (empty
    // cells, a warning naming the cause), never a reason to lose the equilibrium itself.
    let firstBest = NaN;
    try {
      firstBest = new FirstBestSolver(market, config.solver).totalSurplus();
    } catch (err) {
      if (!(err instanceof NoEquilibriumError)) throw err;
      const free = withoutBudgets(market);
      const retry = clearBoth(file, free, {
        ...config,
        tatonnement: { ...config.tatonnement, traceEvery: config.tatonnement.maxIterations },
      });
      if (retry.newton) firstBest = welfare(free, retry.newton).totalSurplus;
      else
        console.error(
          `warning: ${config.name}: no first best (budgets removed): ${err.message}; ${retry.trace.note || retry.newtonError}; efficiency_first_best is left empty`,
        );
    }

    const dir = RunDir.open({ experiment: config.name, out: values.out });
    try {
      dir.writeCsv("equilibrium.csv", ["layer", "good", "price", "supply", "demand"], marketRows(market, eq));
      dir.writeCsv(
        "agents.csv",
        ["group", "member", "good", "input", "output", "cost", "profit", "budget_multiplier"],
        agentRows(market, eq),
      );
      dir.writeCsv("tatonnement_trace.csv", ["iteration", "layer", "good", "price", "supply", "demand"], shown.rows);
      dir.writeCsv(
        "welfare.csv",
        ["component", "of", "value"],
        [
          ...welfareRows(market, w),
          { component: "first_best_total_surplus", of: "all", value: firstBest },
          { component: "efficiency_first_best", of: "all", value: w.totalSurplus / firstBest },
        ],
      );
      dir.writeText("price_convergence.svg", await renderSvg(convergenceSpec(shown.rows, "price")));
      dir.writeText("quantity_convergence.svg", await renderSvg(convergenceSpec(shown.rows, "quantity")));
      dir.writeJson(
        "manifest.json",
        buildManifest({
          command: `supplygym equilibrium ${argv.join(" ")}`,
          configFile: file,
          config,
          timings: { solve: (t1 - t0) / 1000, total: (performance.now() - t0) / 1000 },
          extra: {
            method: config.method,
            newton: { iterations: newton.iterations, residual: newton.residual },
            tatonnement: {
              iterations: tat.equilibrium.iterations,
              residual: tat.equilibrium.residual,
              converged: tat.converged,
              step_rule: trace.adaptive
                ? "ln p += step_q * (D - S) / (D + S), each market halving its step_q on an undamped oscillation"
                : "ln p += step * (D - S) / (D + S)",
              adaptive_step: trace.adaptive,
              smallest_step: Math.min(...tat.steps),
              ...(trace.note ? { note: trace.note } : {}),
              ...(shown.overflowed > 0 ? { overflowed_values: shown.overflowed, overflowed_from_iteration: shown.first } : {}),
            },
          },
        }),
      );
      const path = dir.commit();
      console.log(
        formatEquilibrium(
          config.name,
          config.method,
          market.names,
          marketRows(market, eq),
          agentRows(market, eq),
          w.totalSurplus,
          firstBest,
          eq.iterations,
        ),
      );
      console.log(`\nrun directory: ${path}`);
      return 0;
    } catch (err) {
      dir.abort();
      throw err;
    }
  },
};

/**
 * Newton's equilibrium and the tatonnement trace (issue 16 part 6). The trace is the paper's fixed-step process
 * when that converges; otherwise each market halves its own step on an undamped oscillation (the adaptive rule
 * of `tatonnement`); if even that does not converge, the trace is reported as incomplete and the equilibrium is
 * Newton's. When Newton fails and tatonnement converges, Newton is restarted from tatonnement's prices.
 */
export function clearBoth(file: string, market: CompiledMarket, config: EquilibriumConfig) {
  let newton: Equilibrium | null = null;
  let newtonError = "";
  try {
    newton = new EquilibriumSolver(market, config.solver).solve();
  } catch (err) {
    if (!(err instanceof NoEquilibriumError)) throw err;
    newtonError = `${err.message}${/maxIterations/.test(err.message) ? " (raise solver.maxIterations, or check the market)" : " (check the market)"}`;
  }
  let tat = tatonnement(market, {}, { ...config.tatonnement, allowIncomplete: true });
  let note = "";
  let adaptive = config.tatonnement.adaptive;
  if (!tat.converged && !adaptive) {
    const fixed = tat.stopReason ?? "";
    tat = tatonnement(market, {}, { ...config.tatonnement, adaptive: true, allowIncomplete: true });
    adaptive = true;
    note = tat.converged
      ? `the fixed step ${config.tatonnement.step} did not converge (${fixed}); the trace uses the adaptive step`
      : `${fixed}; then ${tat.stopReason}`;
  } else if (!tat.converged) note = tat.stopReason ?? "";
  if (newton === null && tat.converged) {
    const polish = new EquilibriumSolver(market, config.solver);
    polish.resetStart(tat.equilibrium.prices);
    try {
      newton = polish.solve();
    } catch (err) {
      if (!(err instanceof NoEquilibriumError)) throw err;
      newtonError += `; from tatonnement's prices: ${err.message}`;
    }
  }
  return { newton, newtonError, tat, trace: { adaptive, note } };
}

function formatEquilibrium(
  name: string,
  method: string,
  agents: readonly string[],
  markets: ReturnType<typeof marketRows>,
  rows: ReturnType<typeof agentRows>,
  totalSurplus: number,
  firstBest: number,
  iterations: number,
): string {
  const f = (v: number) => v.toPrecision(6).padStart(11);
  const lines = [`${name}: equilibrium by ${method} (${iterations} iterations)`, "", "market      price   quantity"];
  for (const m of markets) lines.push(`M[${m.layer}][${m.good}] ${f(m.price)} ${f(m.demand)}`);
  lines.push("", "agent    good      input     output       cost     profit   budget_mult");
  for (const r of rows)
    lines.push(
      `${r.agent.padEnd(8)} ${String(r.good).padStart(4)} ${f(r.input)} ${f(r.output)} ${f(r.cost)} ${f(r.profit)}   ${f(r.budget_multiplier)}`,
    );
  lines.push("", "agent      profit");
  for (const a of agents) {
    const p = rows.filter((r) => r.agent === a).reduce((s, r) => s + r.profit, 0);
    lines.push(`${a.padEnd(8)} ${f(p)}`);
  }
  lines.push("", `total surplus ${totalSurplus.toPrecision(8)}`);
  lines.push(`first-best total surplus (budgets removed) ${Number.isNaN(firstBest) ? "not found" : firstBest.toPrecision(8)}`);
  lines.push(`efficiency/first_best ${Number.isNaN(firstBest) ? "n/a" : (totalSurplus / firstBest).toFixed(4)}`);
  return lines.join("\n");
}

/**
 * The trace with values that overflowed (a tatonnement far from the equilibrium: plans of b near 1 grow like
 * p^(1/(1-b))) as NaN, which the CSV writes as empty (missing) cells; a CSV never holds Infinity. `first` is the
 * first iteration with an overflowed value.
 */
export function overflowedToMissing(trace: readonly TraceRow[]): { rows: TraceRow[]; overflowed: number; first?: number } {
  let overflowed = 0;
  let first: number | undefined;
  const fix = (v: number) => {
    if (Number.isFinite(v) || Number.isNaN(v)) return v;
    overflowed++;
    return NaN;
  };
  const rows = trace.map((r) => {
    const before = overflowed;
    const row = { ...r, price: fix(r.price), supply: fix(r.supply), demand: fix(r.demand) };
    if (overflowed > before && first === undefined) first = r.iteration;
    return row;
  });
  return { rows, overflowed, first };
}

/** Most iterations a convergence figure draws (a 260-pixel-wide panel shows no more). */
export const FIGURE_ITERATIONS = 2_000;

/**
 * The rows of at most `max` recorded iterations, evenly spaced, the first and last always kept. A trace that
 * did not converge records every iteration up to maxIterations (900,000 rows for 100,000 iterations of nine
 * markets): rendered whole, its two figures took over a minute; the CSV keeps every row.
 */
export function thinTrace(trace: readonly TraceRow[], max = FIGURE_ITERATIONS): readonly TraceRow[] {
  const iterations = [...new Set(trace.map((r) => r.iteration))];
  if (iterations.length <= max) return trace;
  const keep = new Set<number>();
  for (let i = 0; i < max; i++) keep.add(iterations[Math.round((i * (iterations.length - 1)) / (max - 1))]);
  return trace.filter((r) => keep.has(r.iteration));
}

/**
 * Figures like the paper's 3 (supply and demand) and 4 (prices): one panel per layer, a line per good, drawn
 * from at most FIGURE_ITERATIONS iterations of the trace (`thinTrace`).
 */
export function convergenceSpec(full: readonly TraceRow[], what: "price" | "quantity"): TopLevelSpec {
  const trace = thinTrace(full);
  const values =
    what === "price"
      ? trace.map((r) => ({ iteration: r.iteration, layer: `layer ${r.layer}`, good: `good ${r.good}`, value: r.price, series: "price" }))
      : trace.flatMap((r) => [
          { iteration: r.iteration, layer: `layer ${r.layer}`, good: `good ${r.good}`, value: r.supply, series: "supply" },
          { iteration: r.iteration, layer: `layer ${r.layer}`, good: `good ${r.good}`, value: r.demand, series: "demand" },
        ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: what === "price" ? "Price convergence under tatonnement" : "Supply and demand under tatonnement",
    data: { values },
    facet: { column: { field: "layer", type: "nominal", title: null } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "iteration", type: "quantitative", title: "iteration" },
        y: { field: "value", type: "quantitative", title: what === "price" ? "price" : "quantity", scale: { type: "log" } },
        color: { field: "good", type: "nominal", title: "good" },
        ...(what === "quantity" ? { strokeDash: { field: "series", type: "nominal", title: "side" } } : {}),
      },
    },
    resolve: { scale: { y: "independent" } },
  } as TopLevelSpec;
}
