import { readFileSync } from "node:fs";
import { UsageError } from "../io/errors.js";

/** Read and parse a JSON file; a missing file or bad JSON is a UsageError that starts with `<path>: `. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Check a saved object's `format` and `version` fields; throws a UsageError naming `path` and what it found. */
export function checkFormat(json: unknown, path: string, format: string, version: number): void {
  const j = (typeof json === "object" && json !== null ? json : {}) as { format?: unknown; version?: unknown };
  if (j.format !== format || j.version !== version) {
    throw new UsageError(`${path}: not a ${format} file version ${version} (found format ${JSON.stringify(j.format ?? null)}, version ${JSON.stringify(j.version ?? null)})`);
  }
}
