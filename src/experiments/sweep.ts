import { z } from "zod";
import { Rng } from "../core/rng.js";
import { getMetric } from "../eval/metric-registry.js";
import type { SummaryRow } from "../eval/estimates.js";
import { ConfigError, formatPath, zodConfigError, type ConfigIssue } from "../io/errors.js";
import { getAlgorithm } from "../rl/algorithm-registry.js";
import { getScenario } from "./scenarios/index.js";

/**
 * Sweeps: an experiment's `sweep` field expands the conditions it applies to into one named condition per setting,
 * before the experiment is validated, so that resume, the pool, the tables and the statistics see ordinary conditions.
 *
 * Paths are relative to a condition (docs/experiments.md, "Sweeps"):
 * - `algorithm.hyperparameters.<name>`: a hyperparameter of the condition's algorithm (checked against its defaults);
 * - `agents.<agent id>.hyperparameters.<name>`: a hyperparameter of an agent's override in `agents` (which must exist);
 * - `envOptions.<key>[.<key>...]`: a (nested) per-condition env option, merged over `env.options` as usual (scenarios
 *   with per-condition env options only; the values are validated by the environment when the run starts).
 * The sweep applies to the conditions named in `sweep.conditions`, default every condition with learned agents;
 * the others (e.g. the all-analytic baseline) stay as they are. A swept condition `one` becomes
 * `one_learningRate-0.001_entCoef-0.01` (the last path segment and the value; the whole path when two paths end alike).
 */

const hyperValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.number())], {
  error: "must be a number, boolean, string or list of numbers",
});
const finite = z.number().refine(Number.isFinite, "must be finite");
const range = z.tuple([finite, finite], { error: "must be [low, high]" });

const distribution = z.union(
  [
    z.strictObject({
      /** [low, high]: uniform on the interval. */
      uniform: range.describe("[low, high]: uniform on the interval."),
    }),
    z.strictObject({
      /** [low, high], both > 0: uniform in log space. */
      loguniform: range.describe("[low, high], both > 0: uniform in log space."),
    }),
    z.strictObject({
      /** Values, each equally likely. */
      choice: z.array(hyperValue).min(1, "needs at least one value").describe("Values, each equally likely."),
    }),
  ],
  { error: 'must be { "uniform": [low, high] }, { "loguniform": [low, high] } or { "choice": [values] }' },
);

const conditionsField = z
  .array(z.string().min(1))
  .min(1, "needs at least one condition")
  .optional()
  .describe("The conditions swept (default every condition with learned agents).");

export const sweepSchema = z.union(
  [
    z.strictObject({
      /** Every combination of the values of each path (paths relative to a condition). */
      grid: z
        .record(z.string(), z.array(hyperValue).min(1, "needs at least one value"))
        .describe("Every combination of the values of each path (paths relative to a condition)."),
      /** The conditions swept (default every condition with learned agents). */
      conditions: conditionsField,
    }),
    z.strictObject({
      /** A distribution per path (relative to a condition). */
      random: z.record(z.string(), distribution).describe("A distribution per path (relative to a condition)."),
      /** Number of settings drawn. */
      samples: z.int("must be an integer").positive("must be > 0").describe("Number of settings drawn."),
      /** Seed of the draws (the project's Rng). */
      seed: z.int("must be an integer").nonnegative("must be >= 0").describe("Seed of the draws (the project's Rng)."),
      /** The conditions swept (default every condition with learned agents). */
      conditions: conditionsField,
    }),
  ],
  { error: 'must be { "grid": {...} } or { "random": {...}, "samples": N, "seed": S }' },
);

export type SweepSpec = z.infer<typeof sweepSchema>;
type Value = z.infer<typeof hyperValue>;

/** What the resolved experiment records of a sweep: the paths, and per swept condition its base and values. */
export interface SweepInfo {
  paths: string[];
  settings: Record<string, { base: string; values: Record<string, Value> }>;
}

const RESERVED = ["env", "envOptions", "seed", "backend", "numEnvs", "shareParameters"];

type RawCondition = Record<string, unknown> & { name?: unknown; learned?: unknown; algorithm?: unknown; agents?: unknown };

function algorithmNameOf(a: unknown): string | undefined {
  if (a === undefined) return "ppo";
  if (typeof a === "string") return a;
  if (a && typeof a === "object" && typeof (a as { name?: unknown }).name === "string") return (a as { name: string }).name;
  return undefined;
}

/** Issues with one path against one base condition (undefined when fine). */
function pathIssue(path: string, c: RawCondition, scenario: string | undefined): string | undefined {
  const parts = path.split(".");
  if (parts.some((p) => p === "")) return "empty segment in the path";
  const checkHyper = (algo: unknown, name: string) => {
    const algoName = algorithmNameOf(algo);
    const def = algoName ? getAlgorithm(algoName) : undefined;
    if (!def) return `condition "${String(c.name)}" has no registered algorithm to set it on`;
    if (RESERVED.includes(name)) return `${name} is set by the experiment, not a hyperparameter`;
    if (!(name in def.defaults)) return `unknown ${algoName} hyperparameter "${name}"; known: ${Object.keys(def.defaults).join(", ")}`;
    return undefined;
  };
  if (parts[0] === "algorithm") {
    if (parts.length !== 3 || parts[1] !== "hyperparameters") return "an algorithm path is algorithm.hyperparameters.<name>";
    return checkHyper(c.algorithm, parts[2]);
  }
  if (parts[0] === "agents") {
    if (parts.length !== 4 || parts[2] !== "hyperparameters") return "an agent path is agents.<agent id>.hyperparameters.<name>";
    const agents = (c.agents ?? {}) as Record<string, unknown>;
    if (!(parts[1] in agents)) return `condition "${String(c.name)}" has no per-agent algorithm for "${parts[1]}" (add it under agents)`;
    return checkHyper(agents[parts[1]], parts[3]);
  }
  if (parts[0] === "envOptions") {
    if (parts.length < 2) return "an env-option path is envOptions.<key>[.<key>...]";
    if (scenario && getScenario(scenario) && !getScenario(scenario)!.conditionEnvOptions)
      return `the ${scenario} scenario has no per-condition env options`;
    return undefined;
  }
  return 'a sweep path starts with "algorithm.hyperparameters.", "agents.<id>.hyperparameters." or "envOptions."';
}

/** Set `value` at a dotted path of a condition (objects created; a string algorithm becomes `{ name }`). */
function setPath(c: RawCondition, path: string, value: Value): void {
  const parts = path.split(".");
  const normalizeAlgo = (a: unknown) => (typeof a === "string" || a === undefined ? { name: a ?? "ppo" } : a);
  if (parts[0] === "algorithm") c.algorithm = normalizeAlgo(c.algorithm);
  if (parts[0] === "agents")
    (c.agents as Record<string, unknown>)[parts[1]] = normalizeAlgo((c.agents as Record<string, unknown>)[parts[1]]);
  let o = c as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    if (o[p] === null || typeof o[p] !== "object" || Array.isArray(o[p])) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = structuredClone(value);
}

/** A filename-safe rendering of a value for condition names. */
function valueLabel(v: Value): string {
  const s = Array.isArray(v) ? v.join("x") : String(v);
  return s.replace(/\+/g, "").replace(/[^\w.-]+/g, "_");
}

/** The settings of a sweep: path -> value, in the order they become conditions. */
function settings(spec: SweepSpec): Record<string, Value>[] {
  if ("grid" in spec) {
    let out: Record<string, Value>[] = [{}];
    for (const [path, values] of Object.entries(spec.grid)) out = out.flatMap((s) => values.map((v) => ({ ...s, [path]: v })));
    return out;
  }
  const rng = new Rng(spec.seed);
  // Drawn values are rounded to 4 significant digits, so that the condition name states the value exactly.
  const round = (x: number) => Number(x.toPrecision(4));
  return Array.from({ length: spec.samples }, () => {
    const s: Record<string, Value> = {};
    for (const [path, d] of Object.entries(spec.random)) {
      if ("uniform" in d) s[path] = round(rng.uniform(d.uniform[0], d.uniform[1]));
      else if ("loguniform" in d) s[path] = round(Math.exp(rng.uniform(Math.log(d.loguniform[0]), Math.log(d.loguniform[1]))));
      else s[path] = d.choice[rng.int(d.choice.length)];
    }
    return s;
  });
}

/**
 * Expand `raw.sweep` (a parsed experiment file) into conditions. Returns the file with the swept conditions replaced
 * (in place of each base condition, one per setting) and `sweep` removed, plus what to record; a file without
 * `sweep` is returned as it is. Throws ConfigError naming the sweep's JSON paths.
 */
export function expandSweep(raw: unknown, file: string): { raw: unknown; info?: SweepInfo } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || !("sweep" in raw)) return { raw };
  const { sweep, ...rest } = raw as Record<string, unknown>;
  const parsed = sweepSchema.safeParse(sweep);
  if (!parsed.success) throw zodConfigError(file, parsed.error, ["sweep"]);
  const spec = parsed.data;
  const conditions = Array.isArray(rest.conditions) ? (rest.conditions as RawCondition[]) : [];
  const hasLearned = (c: RawCondition) => c.learned === "all" || (Array.isArray(c.learned) && c.learned.length > 0);
  const issues: ConfigIssue[] = [];
  const names = spec.conditions ?? conditions.filter(hasLearned).map((c) => String(c.name));
  spec.conditions?.forEach((n, i) => {
    if (!conditions.some((c) => c.name === n))
      issues.push({ path: formatPath(["sweep", "conditions", i]), message: `no condition named "${n}"` });
  });
  if (names.length === 0)
    issues.push({ path: "sweep", message: "no condition to sweep: no condition has learned agents (name them in sweep.conditions)" });
  const table = "grid" in spec ? spec.grid : spec.random;
  const paths = Object.keys(table);
  const key = "grid" in spec ? "grid" : "random";
  if (paths.length === 0) issues.push({ path: formatPath(["sweep", key]), message: "needs at least one path" });
  for (const path of paths) {
    for (const c of conditions.filter((k) => names.includes(String(k.name)))) {
      const why = pathIssue(path, c, typeof rest.scenario === "string" ? rest.scenario : undefined);
      if (why) {
        issues.push({ path: formatPath(["sweep", key, path]), message: why });
        break;
      }
    }
    if ("random" in spec) {
      const d = spec.random[path];
      if ("uniform" in d && !(d.uniform[0] < d.uniform[1]))
        issues.push({ path: formatPath(["sweep", "random", path, "uniform"]), message: "needs low < high" });
      if ("loguniform" in d && !(0 < d.loguniform[0] && d.loguniform[0] < d.loguniform[1]))
        issues.push({ path: formatPath(["sweep", "random", path, "loguniform"]), message: "needs 0 < low < high" });
    }
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  const last = (p: string) => p.split(".").at(-1)!;
  const label = (p: string) => (paths.filter((q) => last(q) === last(p)).length > 1 ? p.replace(/\./g, "-") : last(p));
  const info: SweepInfo = { paths, settings: {} };
  const out: RawCondition[] = [];
  const all = settings(spec);
  for (const c of conditions) {
    if (!names.includes(String(c.name))) {
      out.push(c);
      continue;
    }
    const seen = new Set<string>();
    for (const s of all) {
      const name = [String(c.name), ...paths.map((p) => `${label(p)}-${valueLabel(s[p])}`)].join("_");
      // A random sweep can draw one setting twice: it is run once.
      if (seen.has(name)) continue;
      seen.add(name);
      const copy = structuredClone(c);
      for (const p of paths) setPath(copy, p, s[p]);
      copy.name = name;
      out.push(copy);
      info.settings[name] = { base: String(c.name), values: s };
    }
  }
  return { raw: { ...rest, conditions: out }, info };
}

/** One row of best_settings.csv: per base condition and metric, the swept condition with the best mean. */
export interface BestSettingRow {
  base: string;
  metric: string;
  direction: string;
  condition: string;
  mean: number;
  ci_low: number;
  ci_high: number;
  n: number;
  setting: string;
}

export const BEST_SETTING_COLUMNS: readonly (keyof BestSettingRow)[] = [
  "base",
  "metric",
  "direction",
  "condition",
  "mean",
  "ci_low",
  "ci_high",
  "n",
  "setting",
];

/**
 * The best setting per metric: for each swept base condition and each metric with a registered direction
 * (`higherIsBetter`), the swept condition with the highest (or lowest) summary.csv mean. Metrics without a direction
 * are left out (which is best is not defined). Overlapping intervals mean the seeds
 * do not separate the settings (see summary.csv / comparison.csv for the tests).
 */
export function bestSettings(info: SweepInfo, summary: readonly SummaryRow[]): BestSettingRow[] {
  const out: BestSettingRow[] = [];
  const bases = [...new Set(Object.values(info.settings).map((s) => s.base))];
  for (const base of bases) {
    const swept = Object.entries(info.settings)
      .filter(([, s]) => s.base === base)
      .map(([n]) => n);
    const metrics = [...new Set(summary.filter((r) => swept.includes(r.condition)).map((r) => r.metric))];
    for (const metric of metrics) {
      const higher = getMetric(metric)?.higherIsBetter ?? (metric.startsWith("profit/") ? true : undefined);
      if (higher === undefined) continue;
      let best: SummaryRow | undefined;
      for (const r of summary) {
        if (r.metric !== metric || !swept.includes(r.condition) || Number.isNaN(r.mean)) continue;
        if (!best || (higher ? r.mean > best.mean : r.mean < best.mean)) best = r;
      }
      if (!best) continue;
      const values = info.settings[best.condition].values;
      out.push({
        base,
        metric,
        direction: higher ? "higher" : "lower",
        condition: best.condition,
        mean: best.mean,
        ci_low: best.ci_low,
        ci_high: best.ci_high,
        n: best.n,
        setting: info.paths.map((p) => `${p}=${JSON.stringify(values[p])}`).join("; "),
      });
    }
  }
  return out;
}
