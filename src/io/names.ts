import { isAbsolute, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { UsageError } from "./errors.js";

/**
 * The one rule for every name that becomes part of a path (experiment, run, model, hub, condition and task
 * names): 1 to 100 characters, letters, digits, `_`, `.` and `-`, starting with a letter or digit. That rules out
 * `.` and `..`, hidden names, path separators, absolute paths and drive letters by pattern; `resolveInside` then
 * checks the joined path again after `path.resolve`, so no name can reach outside its root.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const NAME_RULE = "must be 1-100 characters: letters, digits, _ . -, starting with a letter or digit (it names a folder or file)";

/** Why `value` is not a valid path name, or undefined when it is. */
export function nameProblem(value: unknown): string | undefined {
  return typeof value === "string" && NAME_PATTERN.test(value) ? undefined : `${NAME_RULE}; got ${JSON.stringify(value)}`;
}

/** Throw a UsageError (exit 2) naming `field` when `value` breaks the name rule; returns the name. */
export function checkName(field: string, value: unknown): string {
  const problem = nameProblem(value);
  if (problem !== undefined) throw new UsageError(`${field}: ${problem}`);
  return value as string;
}

/** The zod form of the rule, for config schemas (the issue then names the JSON path). */
export const pathNameSchema = z.string().regex(NAME_PATTERN, NAME_RULE);

/**
 * `root/names[0]/names[1]/...` after `path.resolve`, refusing (exit 2, naming `field`) any name that breaks the rule
 * or any result that is not strictly inside `root`.
 */
export function resolveInside(root: string, names: readonly string[], field: string): string {
  for (const n of names) checkName(field, n);
  const base = resolve(root);
  const target = resolve(base, ...names);
  const rel = relative(base, target);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new UsageError(`${field}: ${JSON.stringify(names.join("/"))} resolves to ${target}, outside ${base}`);
  }
  return target;
}
