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

/**
 * A registration (`registerStrategy`, `registerMetric`, `registerScenario`, `registerAlgorithm`) with a taken or
 * invalid name or a missing field. A plugin that causes one exits 2 naming the plugin file.
 */
export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistrationError";
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
    super(`${file}: invalid configuration\n` + issues.map((i) => `  - ${i.path === "" ? "(root)" : i.path}: ${i.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

/**
 * Format a path like ["agents", 1, "budget"] as `agents[1].budget`. A later key holding a dot is quoted
 * (`grid["a.b"]`); the first element is taken as written (callers pass an already formatted prefix there).
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (out !== "" && typeof key === "string" && key.includes(".")) out += `[${JSON.stringify(key)}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The parts of a zod issue the conversion reads (zod 4's `$ZodIssue`, structurally). */
export type ZodIssueLike = { code: string; path: PropertyKey[]; message: string; keys?: string[]; errors?: ZodIssueLike[][] };

/**
 * zod issues -> ConfigIssues with JSON paths. Unknown keys get one issue per key (path includes the key).
 * For a union, the branch that got furthest into the value explains the error (so `seeds: [1, 2.5]`
 * reports `seeds[1]: must be an integer`); when no branch fits the value's kind, the union's own message.
 */
export function zodIssues(issues: readonly ZodIssueLike[], prefix: PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys" && issue.keys) {
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: "unknown key" });
    } else if (issue.code === "invalid_union" && issue.errors && issue.errors.length > 0) {
      const branch = bestBranch(issue.errors);
      if (branch) out.push(...zodIssues(branch, path));
      else out.push({ path: formatPath(path), message: issue.message });
    } else {
      out.push({ path: formatPath(path), message: issue.message });
    }
  }
  return out;
}

function bestBranch(branches: ZodIssueLike[][]): ZodIssueLike[] | undefined {
  const depth = (b: ZodIssueLike[]) => Math.max(...b.map((i) => i.path.length));
  const wrongKind = (b: ZodIssueLike[]) => b.some((i) => i.path.length === 0 && i.code === "invalid_type");
  const maxDepth = Math.max(...branches.map(depth));
  let candidates = branches.filter((b) => depth(b) === maxDepth);
  if (candidates.length > 1) candidates = candidates.filter((b) => !wrongKind(b));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * THE way to turn a zod error into the project's ConfigError: every options object and config file validated
 * with zod reports through it, so that every message names the file, each JSON path (under `prefix`, e.g.
 * `["env", "options"]`) and the rule broken, the same way.
 */
export function zodConfigError(file: string, error: { issues: readonly ZodIssueLike[] }, prefix: PropertyKey[] = []): ConfigError {
  return new ConfigError(file, zodIssues(error.issues, prefix));
}

/**
 * A ConfigError of a nested object (an env's options inside an experiment file, a market spec inside an
 * equilibrium file) re-anchored: the same issues under `prefix` (a JSON path such as `env.options`), reported
 * against `file`. An issue at the nested object's root ("") lands at `prefix` itself.
 */
export function nestConfigError(err: ConfigError, file: string, prefix: string): ConfigError {
  return new ConfigError(file, nestIssues(err.issues, prefix));
}

/** `issues` with their paths moved under `prefix` (see {@link nestConfigError}). */
export function nestIssues(issues: readonly ConfigIssue[], prefix: string): ConfigIssue[] {
  const join = (p: string) => (prefix === "" ? p : p === "" ? prefix : p.startsWith("[") ? `${prefix}${p}` : `${prefix}.${p}`);
  return issues.map((i) => ({ path: join(i.path), message: i.message }));
}
