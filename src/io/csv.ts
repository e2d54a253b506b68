/**
 * RFC 4180 CSV text from rows. Written by hand on purpose: danfojs-node's `toCSV` does not quote fields that
 * contain commas or quotes (checked with danfojs-node 1.2.0), and a result file must open in pandas, R and a
 * spreadsheet. Numbers keep full round-trip precision; NaN, null and undefined become empty fields (missing
 * in pandas, R and spreadsheets); infinities are written `Inf` / `-Inf`.
 */
export type Cell = string | number | boolean | null | undefined;

export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "";
    if (v === Infinity) return "Inf";
    if (v === -Infinity) return "-Inf";
    return Object.is(v, -0) ? "0" : String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV text with a header row; `rows` are records keyed by column name (missing keys are empty). */
export function toCsv(columns: readonly string[], rows: Iterable<object>): string {
  const lines = [columns.map(formatCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => formatCell((row as Record<string, Cell>)[c])).join(","));
  return lines.join("\n") + "\n";
}

/** Parse CSV text (RFC 4180) into records keyed by the header; values stay strings. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = "";
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      records.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    records.push(row);
  }
  const [header, ...body] = records.filter((r) => !(r.length === 1 && r[0] === ""));
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, j) => [h, r[j] ?? ""])));
}
