import { describe, expect, it } from "vitest";
import {
  agentProfitSpec,
  agentProfitSummary,
  efficiencyFairnessSpec,
  learningCurveBands,
  learningCurveSpec,
  pricePathSpec,
  renderFigure,
  tradeoffSummary,
} from "./figures.js";

/** Count SVG groups of a vega mark type (vega's SVG renderer tags each mark group with `mark-<type>`). */
function marks(svg: string, type: string): number {
  return (svg.match(new RegExp(`class="mark-${type} role-mark`, "g")) ?? []).length;
}

const curves = [1, 2, 3].flatMap((seed) =>
  [0, 100, 200].flatMap((step) => [
    { condition: "ppo", seed, step, value: step / 100 + seed },
    { condition: "reinforce", seed, step, value: step / 200 },
  ]),
);

describe("learning curves", () => {
  it("aggregates mean and t band per condition and step", () => {
    const b = learningCurveBands(curves);
    expect(b).toHaveLength(6);
    const ppo100 = b.find((r) => r.condition === "ppo" && r.step === 100)!;
    expect(ppo100.mean).toBe(3); // 2, 3, 4
    const half = (4.302652729749462 * 1) / Math.sqrt(3);
    expect(ppo100.ci_low).toBeCloseTo(3 - half, 10);
    expect(b.find((r) => r.condition === "reinforce" && r.step === 200)!.ci_low).toBe(1); // no spread
  });
  it("renders a band (area) and a line per condition", async () => {
    const { svg, png } = await renderFigure(learningCurveSpec(curves));
    // vega draws a series-wise mark (area, line) as one mark group per series: two conditions
    expect(marks(svg, "area")).toBe(2);
    expect(marks(svg, "line")).toBe(2);
    expect(svg).toContain("reinforce");
    expect(png && Array.from(png.slice(1, 4))).toEqual([0x50, 0x4e, 0x47]);
  });
});

describe("per-agent profit", () => {
  const rows = [1, 2].flatMap((seed) =>
    ["A[1][0]", "A[1][1]"].flatMap((agent) => [
      { condition: "analytic", seed, agent, profit: 10 + seed },
      { condition: "learned", seed, agent, profit: agent === "A[1][1]" ? 15 + seed : 8 },
    ]),
  );
  it("summarises by condition and agent", () => {
    const s = agentProfitSummary(rows);
    expect(s).toHaveLength(4);
    expect(s.find((r) => r.condition === "learned" && r.agent === "A[1][1]")!.mean).toBe(16.5);
  });
  it("marks learned agents; the others (analytic or a strategy) are 'not learned' in the legend", async () => {
    const marked = rows.map((r) => ({ ...r, learned: r.condition === "learned" && r.agent === "A[1][1]" }));
    expect(agentProfitSummary(marked).map((r) => `${r.condition}:${r.agent}:${r.role}`)).toEqual([
      "analytic:A[1][0]:not learned",
      "learned:A[1][0]:not learned",
      "analytic:A[1][1]:not learned",
      "learned:A[1][1]:learned",
    ]);
    const { svg } = await renderFigure(agentProfitSpec(marked), { png: false });
    expect(svg).toContain(">not learned<");
  });
  it("renders bars with CI rules", async () => {
    const { svg } = await renderFigure(agentProfitSpec(rows, { conditions: ["analytic", "learned"] }), { png: false });
    expect(marks(svg, "rect")).toBe(1);
    expect(marks(svg, "rule")).toBe(1);
    // four bars: one path per datum inside the rect mark group
    const rectGroup = svg.slice(svg.indexOf('class="mark-rect role-mark'));
    expect((rectGroup.slice(0, rectGroup.indexOf("</g>")).match(/<path/g) ?? []).length).toBe(4);
  });
});

describe("efficiency against fairness", () => {
  const rows = [1, 2, 3].flatMap((seed) => [
    { condition: "analytic", seed, efficiency: 1, fairness: 0.8 + 0.01 * seed },
    { condition: "learned", seed, efficiency: 0.9 + 0.01 * seed, fairness: 0.7 },
  ]);
  it("condition means with intervals on both axes", () => {
    const s = tradeoffSummary(rows);
    expect(s.map((r) => r.condition)).toEqual(["analytic", "learned"]);
    expect(s[0].efficiency).toBe(1);
    expect([s[0].eff_low, s[0].eff_high]).toEqual([1, 1]);
    expect(s[1].efficiency).toBeCloseTo(0.92, 14);
    expect(s[1].eff_low).toBeLessThan(0.92);
  });
  it("renders seed points, CI crosses and mean diamonds", async () => {
    const { svg } = await renderFigure(efficiencyFairnessSpec(rows), { png: false });
    expect(marks(svg, "symbol")).toBe(2); // seeds and means
    expect(marks(svg, "rule")).toBe(2); // horizontal and vertical CI
  });
});

describe("price paths", () => {
  it("renders outcome and equilibrium lines per market", async () => {
    const rows = [0, 1, 2, 3].flatMap((period) => [
      { period, market: "M[2][0]", price: 1 + 0.1 * period, equilibrium: 1 },
      { period, market: "M[2][1]", price: 2, equilibrium: 2.2 },
    ]);
    const spec = pricePathSpec(rows);
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(16);
    const { svg } = await renderFigure(spec, { png: false });
    expect(marks(svg, "line")).toBe(4); // one group per series: 2 markets x (outcome, equilibrium)
    expect(svg).toMatch(/stroke-dasharray="5(,| )3"/);
  });
});
