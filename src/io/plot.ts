import type { TopLevelSpec } from "vega-lite";

/**
 * Render a vega-lite spec to SVG text, offline, in Node (vega 5: it also loads inside the tslab notebook
 * kernel, where vega 6 does not). Figures are built from the same rows that the CSVs hold.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise SVG text to PNG bytes (resvg, bundled binary; no download at install). */
export async function svgToPng(svg: string, width = 1200): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  return new Resvg(svg, { fitTo: { mode: "width", value: width }, background: "white" }).render().asPng();
}
