import { readFileSync, statSync } from "node:fs";
import type { z } from "zod";
import { UsageError, zodConfigError } from "./errors.js";

/** Read and parse a JSON file; a missing or unreadable file, or text that is not JSON, is a UsageError. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory, expected a JSON file`);
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : `cannot read (${code ?? err})`}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** Validate parsed JSON against a zod schema; every problem becomes a ConfigError issue naming its JSON path. */
export function parseConfig<S extends z.ZodType>(schema: S, data: unknown, file: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw zodConfigError(file, result.error);
  return result.data;
}

/** readJsonFile + parseConfig. */
export function loadConfig<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  return parseConfig(schema, readJsonFile(file), file);
}

/** Check a saved object's `format` and `version` fields; throws a UsageError naming `path` and what it found. */
export function checkFormat(json: unknown, path: string, format: string, version: number): void {
  const j = (typeof json === "object" && json !== null ? json : {}) as { format?: unknown; version?: unknown };
  if (j.format !== format || j.version !== version) {
    throw new UsageError(
      `${path}: not a ${format} file version ${version} (found format ${JSON.stringify(j.format ?? null)}, version ${JSON.stringify(j.version ?? null)})`,
    );
  }
}
