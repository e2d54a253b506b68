import { describe, expect, it } from "vitest";
import { renderSvg, svgToPng } from "./plot.js";

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
