import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TopLevelSpec } from "vega-lite";

/**
 * Render a vega-lite spec to SVG text, offline, in Node (vega 5: it also loads inside the tslab notebook
 * kernel, where vega 6 does not). Figures are built from the same rows that the CSVs hold.
 *
 * Fonts: every figure names the sans-serif family DejaVu Sans (FIGURE_FONT, set in the spec's config by
 * `withFigureFont`), and the PNG and PDF renderers load it from the `dejavu-fonts-ttf` npm package, so that the
 * font is the same on any machine after `npm ci`, with no system fonts needed.
 */
export const FIGURE_FONT = "DejaVu Sans";

const require = createRequire(import.meta.url);
/** The DejaVu Sans TrueType files shipped by the dejavu-fonts-ttf package. */
export function figureFontFiles(): { regular: string; bold: string } {
  const dir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  return { regular: join(dir, "DejaVuSans.ttf"), bold: join(dir, "DejaVuSans-Bold.ttf") };
}

/** The spec with FIGURE_FONT as the font of every text mark, title, axis and legend. */
export function withFigureFont(spec: TopLevelSpec): TopLevelSpec {
  const f = FIGURE_FONT;
  const config = (spec as { config?: Record<string, unknown> }).config ?? {};
  return { ...spec, config: { font: f, ...config } } as TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vl.compile(withFigureFont(spec)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise SVG text to PNG bytes (resvg, bundled binary; no download at install), in DejaVu Sans. */
export async function svgToPng(svg: string, width = 1200): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const fonts = figureFontFiles();
  return new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "white",
    font: { fontFiles: [fonts.regular, fonts.bold], loadSystemFonts: false, defaultFontFamily: FIGURE_FONT, sansSerifFamily: FIGURE_FONT },
  })
    .render()
    .asPng();
}

/**
 * Convert SVG text to a vector PDF (pdfkit + svg-to-pdfkit: pure JavaScript, no browser or DOM), text in DejaVu
 * Sans embedded from the dejavu-fonts-ttf package. The page has the SVG's size in points.
 */
export async function svgToPdf(svg: string): Promise<Uint8Array> {
  const PDFDocument = (await import("pdfkit")).default;
  const SVGtoPDF = (await import("svg-to-pdfkit")).default as (
    doc: unknown,
    svg: string,
    x: number,
    y: number,
    opts?: Record<string, unknown>,
  ) => void;
  const w = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 600);
  const h = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 400);
  const fonts = figureFontFiles();
  const doc = new PDFDocument({
    size: [w, h],
    margin: 0,
    compress: true,
    info: { Producer: "supplygym", Creator: "supplygym", CreationDate: new Date(0) },
  });
  doc.registerFont("figure", fonts.regular);
  doc.registerFont("figure-bold", fonts.bold);
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((res, rej) => {
    doc.on("end", () => res());
    doc.on("error", rej);
  });
  // pdfkit refuses dash arrays with a zero length (vega writes "1,0" for solid strokes): those strokes are solid.
  const clean = svg.replace(/\sstroke-dasharray="([^"]*)"/g, (m, v: string) => (v.split(/[\s,]+/).some((x) => Number(x) <= 0) ? "" : m));
  // assumePt: one SVG pixel is one PDF point, as the page size says (svg-to-pdfkit would otherwise scale the drawing
  // by 0.75, leaving a quarter of the page blank on the right and at the bottom).
  SVGtoPDF(doc, clean, 0, 0, {
    width: w,
    height: h,
    assumePt: true,
    fontCallback: (_family: string, bold: boolean) => (bold ? "figure-bold" : "figure"),
  });
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
