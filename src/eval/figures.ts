import type { TopLevelSpec } from "vega-lite";
import { renderSvg, svgToPng } from "../io/plot.js";
import { mean, tConfidenceInterval } from "./statistics.js";
import { compareStrings, groupBy } from "./tables.js";

/**
 * The figures of a results section, each a pure function from tidy rows to a vega-lite spec (render it with
 * {@link renderFigure}). Aggregation over seeds (means and 95% Student-t intervals) happens here, in
 * TypeScript, so the figure shows the same numbers as summary.csv.
 */

const WIDTH = 420;
const HEIGHT = 260;

/** Mean and t interval of values; with one value the band collapses to it. */
function band(xs: number[], level: number): { mean: number; ci_low: number; ci_high: number; n: number } {
  const finite = xs.filter((x) => !Number.isNaN(x));
  const ci = tConfidenceInterval(finite, level);
  const m = mean(finite);
  return { mean: m, ci_low: Number.isNaN(ci.low) ? m : ci.low, ci_high: Number.isNaN(ci.high) ? m : ci.high, n: finite.length };
}

// ---- learning curves --------------------------------------------------------------------------------

export type LearningCurveRow = { condition: string; seed: number; step: number; value: number };
export type LearningCurveBand = { condition: string; step: number; mean: number; ci_low: number; ci_high: number; n: number };

/** Mean and confidence band over seeds at each (condition, step). */
export function learningCurveBands(rows: readonly LearningCurveRow[], level = 0.95): LearningCurveBand[] {
  return groupBy(rows, ["condition", "step"])
    .map(([[condition], g]) => ({ condition, step: g[0].step, ...band(g.map((r) => r.value), level) }))
    .sort((a, b) => compareStrings(a.condition, b.condition) || a.step - b.step);
}

/** Learning curves: the mean over seeds as a line, its 95% confidence band as a shaded area, per condition. */
export function learningCurveSpec(
  rows: readonly LearningCurveRow[],
  opts: { title?: string; yTitle?: string; level?: number; conditions?: readonly string[] } = {},
): TopLevelSpec {
  const color = { field: "condition", type: "nominal", title: "condition", sort: opts.conditions ? [...opts.conditions] : undefined } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: opts.title ?? "Learning curves (mean over seeds, 95% CI)",
    width: WIDTH,
    height: HEIGHT,
    data: { values: learningCurveBands(rows, opts.level) },
    encoding: { x: { field: "step", type: "quantitative", title: "environment steps" }, color },
    layer: [
      { mark: { type: "area", opacity: 0.2 }, encoding: { y: { field: "ci_low", type: "quantitative", title: opts.yTitle ?? "episode return" }, y2: { field: "ci_high" } } },
      { mark: { type: "line" }, encoding: { y: { field: "mean", type: "quantitative" } } },
    ],
  } as TopLevelSpec;
}

// ---- per-agent profit by condition ----------------------------------------------------------------------

export type AgentProfitRow = { condition: string; seed: number; agent: string; profit: number };
export type AgentProfitSummary = { condition: string; agent: string; mean: number; ci_low: number; ci_high: number; n: number };

export function agentProfitSummary(rows: readonly AgentProfitRow[], level = 0.95): AgentProfitSummary[] {
  return groupBy(rows, ["condition", "agent"])
    .map(([[condition, agent], g]) => ({ condition, agent, ...band(g.map((r) => r.profit), level) }))
    .sort((a, b) => compareStrings(a.agent, b.agent) || compareStrings(a.condition, b.condition));
}

/** Grouped bars: mean profit per agent (x) and condition (colour, side by side), with 95% CI error bars. */
export function agentProfitSpec(rows: readonly AgentProfitRow[], opts: { title?: string; conditions?: readonly string[]; level?: number } = {}): TopLevelSpec {
  const sort = opts.conditions ? [...opts.conditions] : undefined;
  const xOffset = { field: "condition", type: "nominal", sort } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: opts.title ?? "Profit per period by agent and condition (mean over seeds, 95% CI)",
    width: WIDTH,
    height: HEIGHT,
    data: { values: agentProfitSummary(rows, opts.level) },
    encoding: { x: { field: "agent", type: "nominal", title: "agent", axis: { labelAngle: 0 } }, xOffset },
    layer: [
      { mark: "bar", encoding: { y: { field: "mean", type: "quantitative", title: "profit per period" }, color: { field: "condition", type: "nominal", sort } } },
      { mark: { type: "rule", color: "black" }, encoding: { y: { field: "ci_low", type: "quantitative" }, y2: { field: "ci_high" } } },
    ],
  } as TopLevelSpec;
}

// ---- efficiency against fairness -----------------------------------------------------------------------

export type TradeoffRow = { condition: string; seed: number; efficiency: number; fairness: number };
export type TradeoffSummary = {
  condition: string;
  efficiency: number;
  eff_low: number;
  eff_high: number;
  fairness: number;
  fair_low: number;
  fair_high: number;
  n: number;
};

export function tradeoffSummary(rows: readonly TradeoffRow[], level = 0.95): TradeoffSummary[] {
  return groupBy(rows, ["condition"])
    .map(([[condition], g]) => {
      const e = band(g.map((r) => r.efficiency), level);
      const f = band(g.map((r) => r.fairness), level);
      return { condition, efficiency: e.mean, eff_low: e.ci_low, eff_high: e.ci_high, fairness: f.mean, fair_low: f.ci_low, fair_high: f.ci_high, n: g.length };
    })
    .sort((a, b) => compareStrings(a.condition, b.condition));
}

/**
 * The efficiency-fairness trade-off: one faint point per seed, one large point per condition at its means,
 * with a cross of 95% confidence intervals (horizontal: efficiency, vertical: fairness).
 */
export function efficiencyFairnessSpec(
  rows: readonly TradeoffRow[],
  opts: { title?: string; efficiencyTitle?: string; fairnessTitle?: string; level?: number; conditions?: readonly string[] } = {},
): TopLevelSpec {
  const color = { field: "condition", type: "nominal", title: "condition", sort: opts.conditions ? [...opts.conditions] : undefined } as const;
  const x = { field: "efficiency", type: "quantitative", title: opts.efficiencyTitle ?? "efficiency", scale: { zero: false } } as const;
  const y = { field: "fairness", type: "quantitative", title: opts.fairnessTitle ?? "fairness (Jain's index)", scale: { zero: false } } as const;
  const summary = tradeoffSummary(rows, opts.level);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: opts.title ?? "Efficiency against fairness (seeds and condition means with 95% CI)",
    width: WIDTH,
    height: HEIGHT,
    layer: [
      { data: { values: rows.map((r) => ({ ...r })) }, mark: { type: "point", opacity: 0.45 }, encoding: { x, y, color } },
      { data: { values: summary }, mark: { type: "rule" }, encoding: { x: { ...x, field: "eff_low" }, x2: { field: "eff_high" }, y, color } },
      { data: { values: summary }, mark: { type: "rule" }, encoding: { x, y: { ...y, field: "fair_low" }, y2: { field: "fair_high" }, color } },
      { data: { values: summary }, mark: { type: "point", filled: true, size: 120, shape: "diamond" }, encoding: { x, y, color } },
    ],
  } as TopLevelSpec;
}

// ---- price paths ---------------------------------------------------------------------------------------

export type PricePathRow = { period: number; market: string; price: number; equilibrium: number };

/** Price paths per market (solid) against the period's all-analytic equilibrium price (dashed). */
export function pricePathSpec(rows: readonly PricePathRow[], opts: { title?: string } = {}): TopLevelSpec {
  const long = [...rows]
    .sort((a, b) => compareStrings(a.market, b.market) || a.period - b.period)
    .flatMap((r) => [
      { period: r.period, market: r.market, series: "outcome", price: r.price },
      { period: r.period, market: r.market, series: "equilibrium", price: r.equilibrium },
    ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: opts.title ?? "Prices against the all-analytic equilibrium",
    width: WIDTH,
    height: HEIGHT,
    data: { values: long },
    mark: { type: "line", point: false },
    encoding: {
      x: { field: "period", type: "quantitative", title: "period" },
      y: { field: "price", type: "quantitative", title: "price", scale: { type: "log" } },
      color: { field: "market", type: "nominal", title: "market" },
      strokeDash: { field: "series", type: "nominal", title: "", sort: ["outcome", "equilibrium"], scale: { domain: ["outcome", "equilibrium"], range: [[1, 0], [5, 3]] } },
      detail: { field: "series" },
    },
  } as TopLevelSpec;
}

// ---- rendering -----------------------------------------------------------------------------------------

/** Render a figure spec to SVG text and, unless `png: false`, PNG bytes. */
export async function renderFigure(spec: TopLevelSpec, opts: { png?: boolean; width?: number } = {}): Promise<{ svg: string; png?: Uint8Array }> {
  const svg = await renderSvg(spec);
  if (opts.png === false) return { svg };
  return { svg, png: await svgToPng(svg, opts.width ?? 1200) };
}
