import { readFileSync } from "node:fs";
import { UsageError } from "../io/errors.js";
import { parseCsv } from "../io/csv.js";

/** A CSV of historical demand that cannot be replayed; the message names the file, the row and the column. */
export class DemandCsvError extends UsageError {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "DemandCsvError";
  }
}

/** Historical outside demand: `values[t][g]` is alpha of good g in period t. */
export interface DemandHistory {
  /** Column of each good, in good order. */
  columns: string[];
  values: number[][];
  /** The `period` column when the file has one. */
  periods?: number[];
}

export interface ParseDemandCsvOptions {
  /** Name shown in errors. Default "demand CSV". */
  file?: string;
  /** Columns to read, one per good in good order. Default: every column but `period`. */
  columns?: string[];
  /** Number of goods the caller needs (checked against the columns). */
  goods?: number;
  /** Fewest data rows accepted. Default 1. */
  minRows?: number;
}

/**
 * Read and validate a CSV of historical demand: a header row, optionally a `period` column of consecutive integers,
 * and one column per final good with a positive, finite demand scale in every row. Each rule broken gives a
 * `DemandCsvError` that says which row (data row k is line k + 1, counting the header as line 1) and column.
 */
export function parseDemandCsv(text: string, opts: ParseDemandCsvOptions = {}): DemandHistory {
  const file = opts.file ?? "demand CSV";
  if (text.trim() === "") throw new DemandCsvError(file, "is empty; expected a header row and one row per period");
  const rows = parseCsv(text);
  const header = text
    .split(/\r?\n/, 1)[0]
    .split(",")
    .map((h) => h.trim().replace(/^"|"$/g, ""));
  if (rows.length === 0) throw new DemandCsvError(file, "has a header but no data rows");
  const available = Object.keys(rows[0]);
  const hasPeriod = available.includes("period");
  let columns = opts.columns;
  if (columns) {
    for (const c of columns) {
      if (!available.includes(c)) throw new DemandCsvError(file, `column "${c}" not found; the header has: ${header.join(", ")}`);
    }
  } else {
    columns = available.filter((c) => c !== "period");
    if (columns.length === 0)
      throw new DemandCsvError(file, "has no demand column; add one column per final good (and optionally a `period` column)");
  }
  if (opts.goods !== undefined && columns.length !== opts.goods) {
    throw new DemandCsvError(
      file,
      `has ${columns.length} demand column(s) (${columns.join(", ")}); the market has ${opts.goods} final good(s): give one column per good, or choose them with "columns"`,
    );
  }
  const minRows = opts.minRows ?? 1;
  if (rows.length < minRows) throw new DemandCsvError(file, `has ${rows.length} data row(s); needs at least ${minRows}`);
  const values: number[][] = [];
  const periods: number[] = [];
  rows.forEach((row, k) => {
    const where = `data row ${k + 1} (line ${k + 2})`;
    if (hasPeriod) {
      const p = Number(row.period);
      if (row.period.trim() === "" || !Number.isInteger(p))
        throw new DemandCsvError(file, `${where}, column "period": expected an integer, got "${row.period}"`);
      if (k > 0 && p !== periods[k - 1] + 1)
        throw new DemandCsvError(file, `${where}, column "period": periods must be consecutive; ${periods[k - 1]} is followed by ${p}`);
      periods.push(p);
    }
    values.push(
      columns!.map((c) => {
        const raw = row[c] ?? "";
        if (raw.trim() === "") throw new DemandCsvError(file, `${where}, column "${c}": missing value`);
        const v = Number(raw);
        if (!Number.isFinite(v)) throw new DemandCsvError(file, `${where}, column "${c}": "${raw}" is not a number`);
        if (!(v > 0)) throw new DemandCsvError(file, `${where}, column "${c}": demand scale must be positive, got ${v}`);
        return v;
      }),
    );
  });
  return { columns: [...columns], values, periods: hasPeriod ? periods : undefined };
}

/** Read a CSV file of historical demand (see {@link parseDemandCsv}); a missing file is a DemandCsvError too. */
export function readDemandCsv(path: string, opts: Omit<ParseDemandCsvOptions, "file"> = {}): DemandHistory {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new DemandCsvError(path, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseDemandCsv(text, { ...opts, file: path });
}

/** One good's series from a history. */
export function historyColumn(h: DemandHistory, good: number): number[] {
  return h.values.map((row) => row[good]);
}
