import type { TopLevelSpec } from "vega-lite";
import { renderSvg, svgToPdf, svgToPng } from "../io/plot.js";
import { mean, tConfidenceInterval } from "./statistics.js";
import { compareStrings, groupBy } from "./tables.js";

/**
 * The figures of a results section, each a pure function from tidy rows to a vega-lite spec (render it with
 * {@link renderFigure}). Aggregation over seeds (means and 95% Student-t intervals) happens here, in
 * TypeScript. The run's figures pass the means and intervals of summary.csv (`summary` options), so bars and crosses
 * show the same numbers as the table; without them the figures fall back to t intervals over the rows' seeds.
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
    .map(([[condition], g]) => ({
      condition,
      step: g[0].step,
      ...band(
        g.map((r) => r.value),
        level,
      ),
    }))
    .sort((a, b) => compareStrings(a.condition, b.condition) || a.step - b.step);
}

/** A horizontal reference line of a learning curve, e.g. the analytic agents' return on the evaluation draws. */
export type CurveReference = { condition: string; value: number; label: string };

/**
 * Learning curves: the mean over seeds as a line, its 95% confidence band as a shaded area, per condition; each
 * `references` entry is a dashed horizontal line in its condition's colour (the analytic agents' return).
 */
export function learningCurveSpec(
  rows: readonly LearningCurveRow[],
  opts: { title?: string; yTitle?: string; level?: number; conditions?: readonly string[]; references?: readonly CurveReference[] } = {},
): TopLevelSpec {
  const color = {
    field: "condition",
    type: "nominal",
    title: "condition",
    sort: opts.conditions ? [...opts.conditions] : undefined,
  } as const;
  const yTitle = opts.yTitle ?? "episode return";
  const x = { field: "step", type: "quantitative", title: "environment steps (count)" } as const;
  const layers: unknown[] = [
    {
      mark: { type: "area", opacity: 0.2 },
      encoding: { x, y: { field: "ci_low", type: "quantitative", title: yTitle }, y2: { field: "ci_high" } },
    },
    { mark: { type: "line" }, encoding: { x, y: { field: "mean", type: "quantitative" } } },
  ];
  if (opts.references && opts.references.length > 0) {
    layers.push({
      data: { values: opts.references.map((r) => ({ ...r })) },
      mark: { type: "rule", strokeDash: [6, 4] },
      encoding: { y: { field: "value", type: "quantitative" }, color },
    });
    layers.push({
      data: { values: opts.references.map((r) => ({ ...r })) },
      mark: { type: "text", align: "left", dx: 4, dy: -6, fontSize: 10 },
      encoding: { y: { field: "value", type: "quantitative" }, x: { value: 0 }, text: { field: "label" }, color },
    });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: opts.title ?? "Learning curves (mean over seeds, 95% CI; dashed: analytic reference)",
    width: WIDTH,
    height: HEIGHT,
    data: { values: learningCurveBands(rows, opts.level) },
    encoding: { color },
    layer: layers,
  } as TopLevelSpec;
}

// ---- per-agent profit by condition ----------------------------------------------------------------------

/** `learned`: whether the agent is played by a learner in this condition (drawn solid; analytic and strategy agents faint). */
export type AgentProfitRow = { condition: string; seed: number; agent: string; profit: number; learned?: boolean };
export type AgentProfitSummary = {
  condition: string;
  agent: string;
  mean: number;
  ci_low: number;
  ci_high: number;
  n: number;
  role: AgentRole;
};

/** How an agent is played in a condition, for the bars' opacity: by a learner, or not (analytic or a strategy). */
export type AgentRole = "learned" | "not learned";

export function agentProfitSummary(rows: readonly AgentProfitRow[], level = 0.95): AgentProfitSummary[] {
  return groupBy(rows, ["condition", "agent"])
    .map(([[condition, agent], g]) => ({
      condition,
      agent,
      ...band(
        g.map((r) => r.profit),
        level,
      ),
      role: (g[0].learned ? "learned" : "not learned") as AgentRole,
    }))
    .sort((a, b) => compareStrings(a.agent, b.agent) || compareStrings(a.condition, b.condition));
}

/** Grouped bars: mean profit per agent (x) and condition (colour, side by side), with 95% CI error bars. */
export function agentProfitSpec(
  rows: readonly AgentProfitRow[],
  opts: { title?: string; conditions?: readonly string[]; level?: number; yTitle?: string; summary?: readonly AgentProfitSummary[] } = {},
): TopLevelSpec {
  const sort = opts.conditions ? [...opts.conditions] : undefined;
  const xOffset = { field: "condition", type: "nominal", sort } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title:
      opts.title ??
      (opts.summary
        ? "Profit by agent and condition (mean, 95% interval over seeds x episodes; solid: learned agents)"
        : "Profit by agent and condition (mean over seeds, 95% CI; solid bars: learned agents)"),
    width: WIDTH,
    height: HEIGHT,
    data: { values: opts.summary ? opts.summary.map((r) => ({ ...r })) : agentProfitSummary(rows, opts.level) },
    encoding: { x: { field: "agent", type: "nominal", title: "agent", axis: { labelAngle: -30 } }, xOffset },
    layer: [
      {
        mark: "bar",
        encoding: {
          y: { field: "mean", type: "quantitative", title: opts.yTitle ?? "profit (money per period)" },
          color: { field: "condition", type: "nominal", sort },
          opacity: {
            field: "role",
            type: "ordinal",
            title: "agent",
            sort: ["learned", "not learned"],
            scale: { domain: ["learned", "not learned"], range: [1, 0.35] },
          },
        },
      },
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
      const e = band(
        g.map((r) => r.efficiency),
        level,
      );
      const f = band(
        g.map((r) => r.fairness),
        level,
      );
      return {
        condition,
        efficiency: e.mean,
        eff_low: e.ci_low,
        eff_high: e.ci_high,
        fairness: f.mean,
        fair_low: f.ci_low,
        fair_high: f.ci_high,
        n: g.length,
      };
    })
    .sort((a, b) => compareStrings(a.condition, b.condition));
}

/**
 * The efficiency-fairness trade-off: one faint point per seed, one large point per condition at its means,
 * with a cross of 95% confidence intervals (horizontal: efficiency, vertical: fairness).
 */
export function efficiencyFairnessSpec(
  rows: readonly TradeoffRow[],
  opts: {
    title?: string;
    efficiencyTitle?: string;
    fairnessTitle?: string;
    level?: number;
    conditions?: readonly string[];
    summary?: readonly TradeoffSummary[];
  } = {},
): TopLevelSpec {
  const color = {
    field: "condition",
    type: "nominal",
    title: "condition",
    sort: opts.conditions ? [...opts.conditions] : undefined,
  } as const;
  const x = {
    field: "efficiency",
    type: "quantitative",
    title: opts.efficiencyTitle ?? "efficiency (ratio)",
    scale: { zero: false },
  } as const;
  const y = {
    field: "fairness",
    type: "quantitative",
    title: opts.fairnessTitle ?? "Jain index of profits (index in [1/n, 1])",
    scale: { zero: false },
  } as const;
  const summary = opts.summary ? opts.summary.map((r) => ({ ...r })) : tradeoffSummary(rows, opts.level);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: opts.title ?? "Efficiency against fairness (seeds and condition means with 95% CI)",
    width: WIDTH,
    height: HEIGHT,
    layer: [
      { data: { values: rows.map((r) => ({ ...r })) }, mark: { type: "point", opacity: 0.45 }, encoding: { x, y, color } },
      {
        data: { values: summary },
        mark: { type: "rule" },
        encoding: { x: { ...x, field: "eff_low" }, x2: { field: "eff_high" }, y, color },
      },
      {
        data: { values: summary },
        mark: { type: "rule" },
        encoding: { x, y: { ...y, field: "fair_low" }, y2: { field: "fair_high" }, color },
      },
      { data: { values: summary }, mark: { type: "point", filled: true, size: 120, shape: "diamond" }, encoding: { x, y, color } },
    ],
  } as TopLevelSpec;
}

// ---- price paths ---------------------------------------------------------------------------------------

export type PricePathRow = { period: number; market: string; price: number; equilibrium: number };

/**
 * Price paths per market (solid) against the period's all-analytic equilibrium price (dashed), one panel per layer
 * of the market (markets are named `M[layer][good]`).
 */
export function pricePathSpec(rows: readonly PricePathRow[], opts: { title?: string; xTitle?: string } = {}): TopLevelSpec {
  const layerOf = (m: string) => {
    const k = /^M\[(\d+)\]/.exec(m);
    return k ? `layer ${k[1]}` : "markets";
  };
  const long = [...rows]
    .sort((a, b) => compareStrings(a.market, b.market) || a.period - b.period)
    .flatMap((r) => [
      { period: r.period, market: r.market, layer: layerOf(r.market), series: "outcome", price: r.price },
      { period: r.period, market: r.market, layer: layerOf(r.market), series: "all-analytic equilibrium", price: r.equilibrium },
    ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: opts.title ?? "Prices against the all-analytic equilibrium",
    data: { values: long },
    facet: { row: { field: "layer", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left" } } },
    resolve: { scale: { y: "independent" } },
    config: { legend: { labelLimit: 260 } },
    spec: {
      width: WIDTH,
      height: 120,
      mark: { type: "line", point: false },
      encoding: {
        x: { field: "period", type: "quantitative", title: opts.xTitle ?? "period of the first evaluation episode", axis: { format: "d" } },
        y: { field: "price", type: "quantitative", title: "price (money per unit)", scale: { type: "log" } },
        color: { field: "market", type: "nominal", title: "market" },
        strokeDash: {
          field: "series",
          type: "nominal",
          title: "",
          sort: ["outcome", "all-analytic equilibrium"],
          scale: {
            domain: ["outcome", "all-analytic equilibrium"],
            range: [
              [1, 0],
              [5, 3],
            ],
          },
        },
        detail: { field: "series" },
      },
    },
  } as TopLevelSpec;
}

// ---- rendering -----------------------------------------------------------------------------------------

/** Render a figure spec to SVG text and, unless `png: false`, PNG bytes; with `pdf: true` also a vector PDF. */
export async function renderFigure(
  spec: TopLevelSpec,
  opts: { png?: boolean; pdf?: boolean; width?: number } = {},
): Promise<{ svg: string; png?: Uint8Array; pdf?: Uint8Array }> {
  const svg = await renderSvg(spec);
  const out: { svg: string; png?: Uint8Array; pdf?: Uint8Array } = { svg };
  if (opts.png !== false) out.png = await svgToPng(svg, opts.width ?? 1200);
  if (opts.pdf) out.pdf = await svgToPdf(svg);
  return out;
}
