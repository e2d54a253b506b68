import { createHash } from "node:crypto";
import { z } from "zod";
import { NEGOTIATION_METRICS } from "../contracts/metrics.js";
import { HUBS_METRICS } from "../eval/hubs-metrics.js";
import { KNOWN_METRICS, MARKET_METRICS } from "../eval/outcome-metrics.js";
import { readJsonFile } from "../io/config.js";
import { ConfigError, formatPath, type ConfigIssue } from "../io/errors.js";

/**
 * The one schema of experiment files (`experiments/*.json`). Field by field (defaults in EXPERIMENT_DEFAULTS):
 *
 * - `name` (required): the experiment's name; also the results folder `results/<name>/`. Letters, digits,
 *   `_`, `.`, `-`; starts with a letter or digit.
 * - `description` (default ""): free text, copied into the manifest.
 * - `scenario` (required): "market" | "contracts" | "hubs".
 * - `env` (required): `{ id, options }`: a registered environment id (e.g. "MarketBiddingParallel-v0") and the
 *   options passed to `make(id, options)` (default {}), validated by the environment itself.
 * - `conditions` (required, at least one, unique names): each
 *   `{ name, learned, algorithm, agents, shareParameters, envOptions }`:
 *   - `learned` (default []): which agents learn: a list of agent ids (e.g. ["A[1][1]"]), "all", or [] for the
 *     all-analytic condition. Ids are checked against the environment's agents when the run starts.
 *   - `algorithm` (default "ppo"): the algorithm of every learned agent: "ppo" | "reinforce", or
 *     `{ name, hyperparameters }` (hyperparameters: numbers, booleans, strings or number lists, checked by
 *     the algorithm's own options resolver when the run starts).
 *   - `agents` (default {}): per-agent overrides `{ "<agent id>": <algorithm> }`, each agent must be learned.
 *   - `shareParameters` (default false): learned agents share one policy network; needs one algorithm for all.
 *   - `envOptions` (optional; scenarios in CONDITION_ENV_OPTIONS_SCENARIOS only, today "contracts" and "market"): env options
 *     of this condition, merged over `env.options` (plain objects merged key by key at every level, anything
 *     else replaced; see {@link conditionEnvOptions}). E.g. `{"negotiation": {"check": false}}` makes an
 *     "analytic without checkQuantityEfficiency()" condition. Validated by the scenario when the run starts.
 * - `baseline` (default: the first condition with `learned: []`, else the first condition): the condition
 *   every other condition is compared with in comparison.csv.
 * - `training`: `{ totalSteps (default 20000, environment steps per seed and condition), numEnvs (default 4) }`.
 * - `seeds` (default {count: 3, start: 0}): a list of distinct non-negative integers, or `{count, start}`
 *   meaning start, start+1, ..., start+count-1.
 * - `evaluation`: `{ episodes (default 10), seed (default 1000: the evaluation demand draws, shared by every
 *   condition and training seed), deterministic (default true: greedy actions) }`.
 * - `metrics` (default: the scenario's list, see DEFAULT_METRICS): a subset of KNOWN_METRICS; per-agent
 *   profits `profit/<agent>` are always reported.
 * - `exploitability` (optional; market scenario): `{ method ("search", default; or "ppo"), agents (default: each
 *   condition's learned agents, every producer for a condition without learners), budget (search evaluations,
 *   default 120) }`: after evaluation, each listed agent's best-response gain against the others held fixed is
 *   reported as `exploitability/<agent>` and their sum as `exploitability/nash_conv` (docs/market-benchmarks.md),
 *   and the rows go to exploitability.csv.
 * - `backend` (default "auto"): the TensorFlow.js backend, "auto" (tensorflow when tfjs-node is installed and
 *   loads, else wasm, else cpu) | "tensorflow" | "wasm" | "cpu". The manifest records the backend used.
 * - `output` (default "results"): the results root; runs go to `<output>/<name>/<run-id>/`.
 * - `$schema` (optional, ignored): lets editors find a JSON schema.
 */

export const SCENARIOS = ["market", "contracts", "hubs"] as const;
export const ALGORITHMS = ["ppo", "reinforce"] as const;
export const BACKENDS = ["auto", "tensorflow", "wasm", "cpu"] as const;
/** Scenarios whose conditions may set their own `envOptions` (the others would silently ignore them). */
export const CONDITION_ENV_OPTIONS_SCENARIOS: readonly Scenario[] = ["contracts", "market"];

export type Scenario = (typeof SCENARIOS)[number];
export type AlgorithmName = (typeof ALGORITHMS)[number];

/** The metrics each scenario reports by default: the lists of the modules that compute them. */
export const DEFAULT_METRICS: Record<Scenario, readonly string[]> = {
  market: MARKET_METRICS,
  contracts: NEGOTIATION_METRICS,
  hubs: HUBS_METRICS,
};

export const EXPERIMENT_DEFAULTS = {
  description: "",
  condition: { learned: [] as string[], algorithm: "ppo" as AlgorithmName, agents: {}, shareParameters: false },
  training: { totalSteps: 20_000, numEnvs: 4 },
  seeds: { count: 3, start: 0 },
  evaluation: { episodes: 10, seed: 1000, deterministic: true },
  backend: "auto" as (typeof BACKENDS)[number],
  output: "results",
} as const;

const NAME_RE = /^[A-Za-z0-9][\w.-]*$/;
const nameSchema = z.string().regex(NAME_RE, "must start with a letter or digit and use only letters, digits, _ . -");
const nonNegInt = z.int("must be an integer").nonnegative("must be >= 0");
const posInt = z.int("must be an integer").positive("must be > 0");

const hyperValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.number())], {
  error: "must be a number, boolean, string or list of numbers",
});
const algorithmSchema = z.union(
  [
    z.enum(ALGORITHMS, { error: `unknown algorithm; expected one of ${ALGORITHMS.map((a) => `"${a}"`).join(", ")}` }),
    z.strictObject({
      name: z.enum(ALGORITHMS, { error: `unknown algorithm; expected one of ${ALGORITHMS.map((a) => `"${a}"`).join(", ")}` }),
      hyperparameters: z.record(z.string(), hyperValue).optional(),
    }),
  ],
  { error: 'must be an algorithm name ("ppo", "reinforce") or {name, hyperparameters}' },
);

const conditionSchema = z.strictObject({
  name: nameSchema,
  learned: z
    .union([z.literal("all", { error: 'must be "all" or a list of agent ids' }), z.array(z.string().min(1, "must not be empty"))], {
      error: 'must be "all" or a list of agent ids',
    })
    .optional(),
  algorithm: algorithmSchema.optional(),
  agents: z.record(z.string(), algorithmSchema).optional(),
  shareParameters: z.boolean().optional(),
  envOptions: z.record(z.string(), z.unknown(), { error: "must be an object of env options" }).optional(),
});

export const experimentSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: nameSchema,
    description: z.string().optional(),
    scenario: z.enum(SCENARIOS, { error: `unknown scenario; expected one of ${SCENARIOS.map((s) => `"${s}"`).join(", ")}` }),
    env: z.strictObject({
      id: z.string().min(1, "must not be empty"),
      options: z.record(z.string(), z.unknown()).optional(),
    }),
    conditions: z.array(conditionSchema).min(1, "needs at least one condition"),
    baseline: z.string().optional(),
    training: z.strictObject({ totalSteps: posInt.optional(), numEnvs: posInt.optional() }).optional(),
    seeds: z
      .union([z.array(nonNegInt).min(1, "needs at least one seed"), z.strictObject({ count: posInt, start: nonNegInt.optional() })], {
        error: "must be a list of non-negative integers or {count, start}",
      })
      .optional(),
    evaluation: z.strictObject({ episodes: posInt.optional(), seed: nonNegInt.optional(), deterministic: z.boolean().optional() }).optional(),
    metrics: z.array(z.enum(KNOWN_METRICS, { error: `unknown metric; known: ${KNOWN_METRICS.join(", ")}` })).optional(),
    backend: z.enum(BACKENDS, { error: `unknown backend; expected one of ${BACKENDS.map((b) => `"${b}"`).join(", ")}` }).optional(),
    exploitability: z
      .strictObject({
        method: z.enum(["search", "ppo"], { error: 'must be "search" or "ppo"' }).optional(),
        agents: z.array(z.string().min(1, "must not be empty")).min(1, "list at least one agent").optional(),
        budget: posInt.optional(),
      })
      .optional(),
    output: z.string().min(1, "must not be empty").optional(),
  })
  .superRefine((cfg, ctx) => {
    const names = new Map<string, number>();
    cfg.conditions.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: "custom", path: ["conditions", i, "name"], message: `duplicate condition name "${c.name}" (also conditions[${names.get(c.name)}])` });
      else names.set(c.name, i);
      const learned = c.learned ?? [];
      if (Array.isArray(learned)) {
        const seen = new Set<string>();
        learned.forEach((a, j) => {
          if (seen.has(a)) ctx.addIssue({ code: "custom", path: ["conditions", i, "learned", j], message: `agent "${a}" listed twice` });
          seen.add(a);
        });
        for (const a of Object.keys(c.agents ?? {})) {
          if (!seen.has(a)) ctx.addIssue({ code: "custom", path: ["conditions", i, "agents", a], message: `agent "${a}" has an algorithm but is not in learned` });
        }
      }
      if (c.envOptions !== undefined && !CONDITION_ENV_OPTIONS_SCENARIOS.includes(cfg.scenario)) {
        ctx.addIssue({
          code: "custom",
          path: ["conditions", i, "envOptions"],
          message: `per-condition env options are supported by the ${CONDITION_ENV_OPTIONS_SCENARIOS.map((x) => `"${x}"`).join(", ")} scenario only; set env.options`,
        });
      }
      if (c.shareParameters && Object.values(c.agents ?? {}).some((s) => algorithmName(s) !== algorithmName(c.algorithm ?? EXPERIMENT_DEFAULTS.condition.algorithm))) {
        ctx.addIssue({ code: "custom", path: ["conditions", i, "shareParameters"], message: "shared parameters need one algorithm for every learned agent (remove the per-agent overrides)" });
      }
    });
    if (cfg.baseline !== undefined && !names.has(cfg.baseline)) {
      ctx.addIssue({ code: "custom", path: ["baseline"], message: `no condition named "${cfg.baseline}"` });
    }
    if (Array.isArray(cfg.seeds)) {
      const seen = new Set<number>();
      cfg.seeds.forEach((s, i) => {
        if (seen.has(s)) ctx.addIssue({ code: "custom", path: ["seeds", i], message: `seed ${s} listed twice` });
        seen.add(s);
      });
    }
    if (cfg.metrics) {
      const seen = new Set<string>();
      cfg.metrics.forEach((m, i) => {
        if (seen.has(m)) ctx.addIssue({ code: "custom", path: ["metrics", i], message: `metric "${m}" listed twice` });
        seen.add(m);
      });
    }
  });

export type ExperimentFile = z.infer<typeof experimentSchema>;

export interface AlgorithmSpec {
  name: AlgorithmName;
  hyperparameters: Record<string, number | boolean | string | number[]>;
}

export interface ResolvedCondition {
  name: string;
  /** Agent ids, or "all" (expanded against the environment's agents when the run starts). */
  learned: string[] | "all";
  /** Algorithm of every learned agent without an override. */
  algorithm: AlgorithmSpec;
  /** Per-agent overrides. */
  agents: Record<string, AlgorithmSpec>;
  shareParameters: boolean;
  /** This condition's env options over `env.options` (absent when the file gives none; see conditionEnvOptions). */
  envOptions?: Record<string, unknown>;
}

/** An experiment with every default filled in: what the manifest records and the runner uses. */
export interface ResolvedExperiment {
  name: string;
  description: string;
  scenario: Scenario;
  env: { id: string; options: Record<string, unknown> };
  conditions: ResolvedCondition[];
  baseline: string;
  training: { totalSteps: number; numEnvs: number };
  seeds: number[];
  evaluation: { episodes: number; seed: number; deterministic: boolean };
  metrics: string[];
  backend: (typeof BACKENDS)[number];
  output: string;
  /** Present only when the file asks for it (so that the hash of other experiments is unchanged). */
  exploitability?: { method: "search" | "ppo"; agents?: string[]; budget?: number };
}

function algorithmName(s: z.infer<typeof algorithmSchema>): AlgorithmName {
  return typeof s === "string" ? s : s.name;
}

function resolveAlgorithm(s: z.infer<typeof algorithmSchema> | undefined): AlgorithmSpec {
  if (s === undefined) return { name: EXPERIMENT_DEFAULTS.condition.algorithm, hyperparameters: {} };
  return typeof s === "string" ? { name: s, hyperparameters: {} } : { name: s.name, hyperparameters: { ...(s.hyperparameters ?? {}) } };
}

/**
 * Validate a parsed JSON value against the experiment schema and fill every default. Throws ConfigError
 * naming `file`, each JSON path and the rule it breaks.
 */
export function resolveExperiment(raw: unknown, file = "<experiment>"): ResolvedExperiment {
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, zodIssues(parsed.error.issues));
  const c = parsed.data;
  const conditions: ResolvedCondition[] = c.conditions.map((k) => ({
    name: k.name,
    learned: k.learned === "all" ? "all" : [...(k.learned ?? [])],
    algorithm: resolveAlgorithm(k.algorithm),
    agents: Object.fromEntries(Object.entries(k.agents ?? {}).map(([a, s]) => [a, resolveAlgorithm(s)])),
    shareParameters: k.shareParameters ?? EXPERIMENT_DEFAULTS.condition.shareParameters,
    // Left out when absent so that the hash (resumable partial results) of existing experiments is unchanged.
    ...(k.envOptions !== undefined ? { envOptions: structuredClone(k.envOptions) } : {}),
  }));
  const seedSpec = c.seeds ?? EXPERIMENT_DEFAULTS.seeds;
  const seeds = Array.isArray(seedSpec) ? [...seedSpec] : Array.from({ length: seedSpec.count }, (_, i) => (seedSpec.start ?? 0) + i);
  const allAnalytic = conditions.find((k) => Array.isArray(k.learned) && k.learned.length === 0);
  return {
    name: c.name,
    description: c.description ?? EXPERIMENT_DEFAULTS.description,
    scenario: c.scenario,
    env: { id: c.env.id, options: { ...(c.env.options ?? {}) } },
    conditions,
    baseline: c.baseline ?? allAnalytic?.name ?? conditions[0].name,
    training: { ...EXPERIMENT_DEFAULTS.training, ...stripUndefined(c.training ?? {}) },
    seeds,
    evaluation: { ...EXPERIMENT_DEFAULTS.evaluation, ...stripUndefined(c.evaluation ?? {}) },
    metrics: [...(c.metrics ?? DEFAULT_METRICS[c.scenario])],
    backend: c.backend ?? EXPERIMENT_DEFAULTS.backend,
    output: c.output ?? EXPERIMENT_DEFAULTS.output,
    ...(c.exploitability ? { exploitability: { method: c.exploitability.method ?? "search", ...stripUndefined({ agents: c.exploitability.agents, budget: c.exploitability.budget }) } } : {}),
  };
}

/** Read, parse and resolve an experiment file. Missing, unreadable or non-JSON files give exit-2 errors. */
export function loadExperiment(path: string): ResolvedExperiment {
  return resolveExperiment(readJsonFile(path), path);
}

/**
 * The env options of one condition: `env.options` with the condition's `envOptions` merged over them. Plain
 * objects are merged key by key at every level; arrays and other values replace. Returns a fresh object.
 */
export function conditionEnvOptions(cfg: Pick<ResolvedExperiment, "env">, condition: Pick<ResolvedCondition, "envOptions">): Record<string, unknown> {
  return deepMerge(cfg.env.options, condition.envOptions ?? {});
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k] as Record<string, unknown>, v) : structuredClone(v);
  }
  return out;
}

/**
 * Check the agent ids of every condition against the environment's agents (`possibleAgents`), and expand
 * `learned: "all"`. Returns, per condition, the learned agents in the environment's order.
 */
export function checkAgents(cfg: ResolvedExperiment, possibleAgents: readonly string[], file = "<experiment>"): Record<string, string[]> {
  const issues: ConfigIssue[] = [];
  const known = new Set(possibleAgents);
  const out: Record<string, string[]> = {};
  cfg.conditions.forEach((c, i) => {
    if (c.learned === "all") out[c.name] = [...possibleAgents];
    else {
      c.learned.forEach((a, j) => {
        if (!known.has(a)) issues.push({ path: formatPath(["conditions", i, "learned", j]), message: `unknown agent "${a}"; the environment's agents are ${possibleAgents.join(", ")}` });
      });
      out[c.name] = possibleAgents.filter((a) => (c.learned as string[]).includes(a));
    }
    for (const a of Object.keys(c.agents)) {
      if (!known.has(a)) issues.push({ path: formatPath(["conditions", i, "agents", a]), message: `unknown agent "${a}"` });
    }
  });
  if (issues.length > 0) throw new ConfigError(file, issues);
  return out;
}

/**
 * A short stable hash of a resolved experiment, naming its resumable partial directory. `seeds` and `output`
 * are left out: a task's result does not depend on which other seeds run or where results go, so adding
 * seeds to an interrupted experiment keeps the finished tasks.
 */
export function experimentHash(cfg: ResolvedExperiment): string {
  const { seeds: _seeds, output: _output, ...rest } = cfg;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex").slice(0, 12);
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

type ZodIssueLike = { code: string; path: PropertyKey[]; message: string; keys?: string[]; errors?: ZodIssueLike[][] };

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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
