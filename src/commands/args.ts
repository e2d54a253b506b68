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
