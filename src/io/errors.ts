/**
 * Errors a user can fix (bad config, bad arguments, missing file): the CLI prints the message without a stack
 * trace and exits with code 2.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ConfigIssue {
  /** JSON path such as `agents[1].budget`, or "" for the whole document. */
  path: string;
  message: string;
}

/** A configuration file broke one or more rules; the message names the file, each JSON path and rule. */
export class ConfigError extends UsageError {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `${file}: invalid configuration\n` +
        issues.map((i) => `  - ${i.path === "" ? "(root)" : i.path}: ${i.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Format a path like ["agents", 1, "budget"] as `agents[1].budget`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}
