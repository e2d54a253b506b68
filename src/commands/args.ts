import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../io/errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * node's `parseArgs` with positionals for one `supplygym` command: an unknown or malformed flag is a UsageError
 * (exit 2) that names the command and, when given, shows its help.
 */
export function parseCommandArgs<O extends Options>(name: string, argv: string[], options: O, help?: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message}${help ? `\n\n${help}` : ""}`);
  }
}

/**
 * An integer flag in [min, max], or undefined when absent: `--name` must be an integer within the bound, else a
 * UsageError (exit 2) naming the command, the flag and the bound (LIMITS in src/io/limits.ts).
 */
export function intFlag(command: string, name: string, value: string | boolean | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const x = typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new UsageError(
      `${command}: --${name} must be an integer from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}, got "${value}"`,
    );
  }
  return x;
}
