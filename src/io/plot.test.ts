import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { renderSvg, svgToPdf, svgToPng } from "./plot.js";

describe("renderSvg", () => {
  it("renders a vega-lite line chart to SVG and PNG offline", async () => {
    const svg = await renderSvg({
      data: {
        values: [
          { x: 1, y: 2 },
          { x: 2, y: 3 },
        ],
      },
      mark: "line",
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("<path");
    const png = await svgToPng(svg, 200);
    expect(Array.from(png.slice(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
  });
});

describe("svgToPdf", () => {
  it("the drawing fills the page: one SVG pixel is one PDF point (no 0.75 scaling)", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><rect x="0" y="0" width="200" height="100" fill="black"/></svg>';
    const pdf = Buffer.from(await svgToPdf(svg)).toString("latin1");
    expect(pdf).toMatch(/MediaBox \[0 0 200 100\]/);
    const streams = [...pdf.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)].map((m) => {
      try {
        return inflateSync(Buffer.from(m[1], "latin1")).toString("latin1");
      } catch {
        return m[1];
      }
    });
    const content = streams.find((s) => s.includes(" re") || s.includes(" l\n"))!;
    expect(content).toContain("200 100 l"); // the rectangle's far corner in page points
    const scales = [...content.matchAll(/([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) [-\d.]+ [-\d.]+ cm/g)].map((m) => [
      Number(m[1]),
      Number(m[4]),
    ]);
    expect(scales.length).toBeGreaterThan(0);
    for (const [a, d] of scales) expect([Math.abs(a), Math.abs(d)]).toEqual([1, 1]);
  });
});
