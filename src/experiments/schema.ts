import { createHash } from "node:crypto";
import { z } from "zod";
import "../agents/index.js";
import { strategyIssues, type ResolvedStrategy } from "../agents/registry.js";
import { selectableMetricNames } from "../eval/metric-registry.js";
import { readJsonFile } from "../io/config.js";
import { boundedInt, LIMITS } from "../io/limits.js";
import { pathNameSchema } from "../io/names.js";
import { ConfigError, formatPath, zodConfigError, type ConfigIssue } from "../io/errors.js";
import { algorithmNames } from "../rl/algorithm-registry.js";
import { BACKENDS as TF_BACKENDS } from "../rl/backends.js";
import { getScenario, scenarioNames } from "./scenarios/index.js";
import { expandSweep, sweepSchema, type SweepInfo } from "./sweep.js";

/**
 * The one schema of experiment files (`experiments/*.json`). Field by field (defaults in EXPERIMENT_DEFAULTS):
 *
 * - `name` (required): the experiment's name; also the results folder `results/<name>/`. Letters, digits,
 *   `_`, `.`, `-`; starts with a letter or digit.
 * - `description` (default ""): free text, copied into the manifest.
 * - `plugins` (optional): ES modules (TypeScript allowed), paths relative to the experiment file, imported before
 *   the file is validated and inside every worker thread; their top-level code registers strategies, metrics,
 *   scenarios or algorithms (src/experiments/plugins.ts, docs/extending.md).
 * - `scenario` (required): a registered scenario: "market" | "contracts" | "hubs" or a plugin's.
 * - `env` (required): `{ id, options }`: a registered environment id (e.g. "MarketBiddingParallel-v0") and the
 *   options passed to `make(id, options)` (default {}), validated by the environment itself.
 * - `conditions` (required, at least one, unique names): each
 *   `{ name, learned, algorithm, agents, strategies, shareParameters, envOptions }`:
 *   - `learned` (default []): which agents learn: a list of agent ids (e.g. ["A[1][1]"]), "all", or [] for the
 *     all-analytic condition. Ids are checked against the environment's agents when the run starts.
 *   - `algorithm` (default "ppo"): the algorithm of every learned agent: a registered algorithm ("ppo", "reinforce"), or
 *     `{ name, hyperparameters }` (hyperparameters: numbers, booleans, strings or number lists, checked by
 *     the algorithm's own options resolver when the run starts).
 *   - `agents` (default {}): per-agent overrides `{ "<agent id>": <algorithm> }`, each agent must be learned.
 *   - `strategies` (default {}): agents played by a registered strategy (src/agents/registry.ts):
 *     `{ "<agent id>": "<name>" | { "name": "<name>", "options": { ... } } }`, options validated by the strategy's
 *     schema. An agent is learned or plays a strategy, not both; agents neither learned nor listed play "truthful".
 *   - `shareParameters` (default false): learned agents share one policy network; needs one algorithm for all.
 *   - `envOptions` (optional; scenarios registered with `conditionEnvOptions`, today "contracts" and "market"): env options
 *     of this condition, merged over `env.options` (plain objects merged key by key at every level, anything
 *     else replaced; see {@link conditionEnvOptions}). E.g. `{"negotiation": {"check": false}}` makes an
 *     "analytic without checkQuantityEfficiency()" condition. Validated by the scenario when the run starts.
 * - `baseline` (default: the first condition with `learned: []` and no strategies, else the first condition): the condition
 *   every other condition is compared with in comparison.csv.
 * - `training`: `{ totalSteps (default 20000, environment steps per seed and condition), numEnvs (default 4) }`.
 * - `seeds` (default {count: 3, start: 0}): a list of distinct non-negative integers, or `{count, start}`
 *   meaning start, start+1, ..., start+count-1.
 * - `evaluation`: `{ episodes (default 10), seed (default 1000: the evaluation demand draws, shared by every
 *   condition and training seed), deterministic (default true: greedy actions) }`.
 * - `metrics` (default: the scenario's `defaultMetrics`): registered metrics of the scenario (src/eval/metric-registry.ts);
 *   per-agent profits `profit/<agent>` are always reported.
 * - `exploitability` (optional; market, contracts and hubs scenarios): `{ method ("search", default; or "ppo"), agents
 *   (default: each condition's learned agents, every agent for a condition without learners), budget (search evaluations,
 *   default 120), conditions (default: those without strategies) }`: after evaluation, each listed agent's best-response gain against the others held fixed is
 *   reported as `exploitability/<agent>` and their sum as `exploitability/nash_conv` (docs/market-benchmarks.md,
 *   docs/hubs.md), and the rows go to exploitability.csv.
 * - `backend` (default "auto"): the TensorFlow.js backend, "auto" (tensorflow when tfjs-node is installed and
 *   loads, else wasm, else cpu) | "tensorflow" | "wasm" | "cpu". The manifest records the backend used.
 * - `output` (default "results"): the results root; runs go to `<output>/<name>/<run-id>/`.
 * - `sweep` (optional): a grid or random sweep over condition paths, expanded into named conditions before the rest
 *   is validated (src/experiments/sweep.ts; docs/experiments.md "Sweeps").
 * - `$schema` (optional, ignored): lets editors find a JSON schema.
 */

/** TensorFlow.js backends an experiment may ask for: "auto" and the backends of src/rl/backends.ts. */
export const BACKENDS = ["auto", ...TF_BACKENDS] as const;

export type Scenario = string;
export type AlgorithmName = string;

/** The metrics each scenario reports by default: its registration's `defaultMetrics`. */
export function defaultMetrics(scenario: string): readonly string[] {
  return getScenario(scenario)?.defaultMetrics ?? [];
}

export const EXPERIMENT_DEFAULTS = {
  description: "",
  condition: { learned: [] as string[], algorithm: "ppo" as AlgorithmName, agents: {}, shareParameters: false },
  training: { totalSteps: 20_000, numEnvs: 4 },
  seeds: { count: 3, start: 0 },
  evaluation: { episodes: 10, seed: 1000, deterministic: true },
  backend: "auto" as (typeof BACKENDS)[number],
  output: "results",
} as const;

/** Names that become folders or files follow the one rule of src/io/names.ts. */
const nameSchema = pathNameSchema;
/** Seeds are 32-bit non-negative integers; counts and budgets have the bounds of src/io/limits.ts. */
const seedValue = boundedInt(0, LIMITS.seedValue, "seeds are 32-bit");

const hyperValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.number())], {
  error: "must be a number, boolean, string or list of numbers",
});

const quoted = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(", ");

/**
 * The experiment schema, built from the registries as they are now (scenarios, algorithms, metrics, strategies),
 * so that names registered by plugins are accepted and error messages list what is registered. Doc comments per
 * field are `describe()` texts: they appear in experiments/experiment.schema.json (editors show them on hover).
 */
export function experimentFileSchema(opts: { open?: boolean } = {}) {
  /**
   * A registered name: an enum of the registry's names, or with `open` (the shipped JSON schema, which editors use
   * without knowing a file's plugins) any string, with the built-in names as examples.
   */
  const registered = (names: string[], what: string) =>
    opts.open
      ? z.string().min(1, "must not be empty").meta({ examples: names })
      : z.enum(names as [string, ...string[]], { error: `unknown ${what}; registered: ${quoted(names)}` });
  const algorithmList = algorithmNames();
  const algorithmName = registered(algorithmList, "algorithm");
  const algorithmSchema = z.union(
    [
      algorithmName,
      z.strictObject({
        /** A registered algorithm. */
        name: algorithmName.describe("A registered algorithm."),
        /** Hyperparameters over the algorithm's defaults (names checked against them). */
        hyperparameters: z
          .record(z.string(), hyperValue)
          .optional()
          .describe("Hyperparameters over the algorithm's defaults (names checked against them)."),
      }),
    ],
    { error: `must be an algorithm name (${quoted(algorithmList)}) or {name, hyperparameters}` },
  );
  const strategyRef = z.union(
    [
      z.string().min(1, "must not be empty"),
      z.strictObject({
        /** A registered strategy. */
        name: z.string().min(1, "must not be empty").describe("A registered strategy."),
        /** The strategy's options (validated by the strategy's own schema). */
        options: z.record(z.string(), z.unknown()).optional().describe("The strategy's options (validated by the strategy's own schema)."),
      }),
    ],
    { error: "must be a strategy name or {name, options}" },
  );
  const conditionSchema = z.strictObject({
    /** The condition's name (letters, digits, _ . -); unique. */
    name: nameSchema.describe("The condition's name (letters, digits, _ . -); unique."),
    /** Which agents learn: agent ids, "all", or [] (default) for none. */
    learned: z
      .union([z.literal("all", { error: 'must be "all" or a list of agent ids' }), z.array(z.string().min(1, "must not be empty"))], {
        error: 'must be "all" or a list of agent ids',
      })
      .optional()
      .describe('Which agents learn: agent ids, "all", or [] (default) for none.'),
    /** The algorithm of every learned agent (default "ppo"). */
    algorithm: algorithmSchema.optional().describe('The algorithm of every learned agent (default "ppo").'),
    /** Per-agent algorithm overrides; each agent must be learned. */
    agents: z.record(z.string(), algorithmSchema).optional().describe("Per-agent algorithm overrides; each agent must be learned."),
    /**
     * Agents played by a registered strategy: { "<agent id>": "<name>" | { "name", "options" } }. Agents neither
     * learned nor listed play "truthful".
     */
    strategies: z
      .record(z.string(), strategyRef)
      .optional()
      .describe(
        'Agents played by a registered strategy: { "<agent id>": "<name>" | { "name", "options" } }. Agents neither learned nor listed play "truthful".',
      ),
    /** Learned agents share one policy network (default false). */
    shareParameters: z.boolean().optional().describe("Learned agents share one policy network (default false)."),
    /** Env options of this condition, merged over env.options. */
    envOptions: z
      .record(z.string(), z.unknown(), { error: "must be an object of env options" })
      .optional()
      .describe("Env options of this condition, merged over env.options."),
  });
  const scenarioList = scenarioNames();
  const metricList = selectableMetricNames();
  return z
    .strictObject({
      /** Path or URL of this JSON schema (ignored). */
      $schema: z.string().optional().describe("Path or URL of this JSON schema (ignored)."),
      /** The experiment's name; results go to results/<name>/. */
      name: nameSchema.describe("The experiment's name; results go to results/<name>/."),
      /** Free text, copied into the manifest. */
      description: z.string().optional().describe("Free text, copied into the manifest."),
      /**
       * ES modules (TypeScript allowed) imported before validation and in every worker, paths relative to this file;
       * their top-level code calls the register... functions.
       */
      plugins: z
        .array(z.string().min(1, "must not be empty"))
        .optional()
        .describe(
          "ES modules (TypeScript allowed) imported before validation and in every worker, paths relative to this file; their top-level code calls the register... functions.",
        ),
      /** A registered scenario. */
      scenario: registered(scenarioList, "scenario").describe("A registered scenario."),
      /** The environment and its options. */
      env: z
        .strictObject({
          /** A registered environment id. */
          id: z.string().min(1, "must not be empty").describe("A registered environment id."),
          /** Options passed to make(id, options), validated by the environment. */
          options: z
            .record(z.string(), z.unknown())
            .optional()
            .describe("Options passed to make(id, options), validated by the environment."),
        })
        .describe("The environment and its options."),
      /** The conditions compared, each trained and evaluated with every seed. */
      conditions: z
        .array(conditionSchema)
        .min(1, "needs at least one condition")
        .max(LIMITS.conditions, `at most ${LIMITS.conditions} conditions`)
        .describe("The conditions compared, each trained and evaluated with every seed."),
      /** The condition comparison.csv compares against (default the first all-analytic one). */
      baseline: z.string().optional().describe("The condition comparison.csv compares against (default the first all-analytic one)."),
      training: z
        .strictObject({
          /** Environment steps per condition and seed (default 20000; at most `LIMITS.totalSteps`). */
          totalSteps: boundedInt(1, LIMITS.totalSteps)
            .optional()
            .describe(`Environment steps per condition and seed (default 20000; at most ${LIMITS.totalSteps}).`),
          /** Parallel env copies per learner (default 4; at most `LIMITS.numEnvs`). */
          numEnvs: boundedInt(1, LIMITS.numEnvs)
            .optional()
            .describe(`Parallel env copies per learner (default 4; at most ${LIMITS.numEnvs}).`),
        })
        .optional(),
      /** Training seeds: a list, or {count, start} (default {count: 3, start: 0}); at most `LIMITS.seeds` seeds, each at most `LIMITS.seedValue`. */
      seeds: z
        .union(
          [
            z.array(seedValue).min(1, "needs at least one seed").max(LIMITS.seeds, `at most ${LIMITS.seeds} seeds`),
            z.strictObject({
              /** Number of training seeds. */
              count: boundedInt(1, LIMITS.seeds, "each seed is a task per condition").describe("Number of training seeds."),
              /** First seed (default 0); the seeds are start, start + 1, ... */
              start: seedValue.optional().describe("First seed (default 0); the seeds are start, start + 1, ..."),
            }),
          ],
          {
            error: "must be a list of non-negative integers or {count, start}",
          },
        )
        .optional()
        .describe(
          `Training seeds: a list, or {count, start} (default {count: 3, start: 0}); at most ${LIMITS.seeds} seeds, each at most ${LIMITS.seedValue}.`,
        ),
      evaluation: z
        .strictObject({
          /** Evaluation episodes (default 10; at most `LIMITS.episodes`). */
          episodes: boundedInt(1, LIMITS.episodes).optional().describe(`Evaluation episodes (default 10; at most ${LIMITS.episodes}).`),
          /** Seed of the evaluation draws shared by every condition and seed (default 1000). */
          seed: seedValue.optional().describe("Seed of the evaluation draws shared by every condition and seed (default 1000)."),
          /** Greedy actions (default true). */
          deterministic: z.boolean().optional().describe("Greedy actions (default true)."),
        })
        .optional(),
      /** A subset of the registered metrics (default the scenario's list). */
      metrics: z
        .array(
          opts.open
            ? registered(metricList, "metric")
            : z.enum(metricList as [string, ...string[]], { error: `unknown metric; registered: ${metricList.join(", ")}` }),
        )
        .optional()
        .describe("A subset of the registered metrics (default the scenario's list)."),
      /** TensorFlow.js backend (default "auto"). */
      backend: z
        .enum(BACKENDS, { error: `unknown backend; expected one of ${quoted(BACKENDS)}` })
        .optional()
        .describe('TensorFlow.js backend (default "auto").'),
      /**
       * Report each listed agent's best-response gain (exploitability/<agent>, exploitability/nash_conv); market,
       * contracts and hubs scenarios.
       */
      exploitability: z
        .strictObject({
          /** How best responses are found: "search" (best constant bid, default) or "ppo". */
          method: z
            .enum(["search", "ppo"], { error: 'must be "search" or "ppo"' })
            .optional()
            .describe('How best responses are found: "search" (best constant bid, default) or "ppo".'),
          /** Agents to best-respond for (default: the condition's learned agents, else every producer). */
          agents: z
            .array(z.string().min(1, "must not be empty"))
            .min(1, "list at least one agent")
            .optional()
            .describe("Agents to best-respond for (default: the condition's learned agents, else every producer)."),
          /** search: objective evaluations per agent (default 120; at most `LIMITS.iterations`). */
          budget: boundedInt(1, LIMITS.iterations)
            .optional()
            .describe(`search: objective evaluations per agent (default 120; at most ${LIMITS.iterations}).`),
          /**
           * Conditions to examine (default: those without strategies; a best-responding profile costs a best-response
           * search per period per objective evaluation).
           */
          conditions: z
            .array(z.string().min(1, "must not be empty"))
            .min(1, "list at least one condition")
            .optional()
            .describe(
              "Conditions to examine (default: those without strategies; a best-responding profile costs a best-response search per period per objective evaluation).",
            ),
        })
        .optional()
        .describe(
          "Report each listed agent's best-response gain (exploitability/<agent>, exploitability/nash_conv); market, contracts and hubs scenarios.",
        ),
      /** The results root (default "results"). */
      output: z.string().min(1, "must not be empty").optional().describe('The results root (default "results").'),
      /**
       * Hyperparameter / env-option sweep, expanded into named conditions: { "grid": { "<path>": [values] } } or
       * { "random": { "<path>": { "uniform" | "loguniform" | "choice": ... } }, "samples": N, "seed": S }; paths
       * relative to a condition (algorithm.hyperparameters.<name>, agents.<id>.hyperparameters.<name>,
       * envOptions.<key>...).
       */
      sweep: sweepSchema
        .optional()
        .describe(
          'Hyperparameter / env-option sweep, expanded into named conditions: { "grid": { "<path>": [values] } } or { "random": { "<path>": { "uniform" | "loguniform" | "choice": ... } }, "samples": N, "seed": S }; paths relative to a condition (algorithm.hyperparameters.<name>, agents.<id>.hyperparameters.<name>, envOptions.<key>...).',
        ),
    })
    .superRefine((cfg, ctx) => {
      const names = new Map<string, number>();
      const scenario = getScenario(cfg.scenario);
      cfg.conditions.forEach((c, i) => {
        if (names.has(c.name))
          ctx.addIssue({
            code: "custom",
            path: ["conditions", i, "name"],
            message: `duplicate condition name "${c.name}" (also conditions[${names.get(c.name)}])`,
          });
        else names.set(c.name, i);
        const learned = c.learned ?? [];
        if (Array.isArray(learned)) {
          const seen = new Set<string>();
          learned.forEach((a, j) => {
            if (seen.has(a)) ctx.addIssue({ code: "custom", path: ["conditions", i, "learned", j], message: `agent "${a}" listed twice` });
            seen.add(a);
          });
          for (const a of Object.keys(c.agents ?? {})) {
            if (!seen.has(a))
              ctx.addIssue({
                code: "custom",
                path: ["conditions", i, "agents", a],
                message: `agent "${a}" has an algorithm but is not in learned`,
              });
          }
        }
        for (const agent of Object.keys(c.strategies ?? {})) {
          if (learned === "all" || learned.includes(agent)) {
            ctx.addIssue({
              code: "custom",
              path: ["conditions", i, "strategies", agent],
              message: `agent "${agent}" is learned in this condition; an agent is learned or plays a strategy, not both`,
            });
          }
        }
        if (c.envOptions !== undefined && scenario && !scenario.conditionEnvOptions) {
          const allowed = scenarioNames().filter((n) => getScenario(n)!.conditionEnvOptions);
          ctx.addIssue({
            code: "custom",
            path: ["conditions", i, "envOptions"],
            message: `per-condition env options are supported by the ${quoted(allowed)} scenario only; set env.options`,
          });
        }
        if (
          c.shareParameters &&
          Object.values(c.agents ?? {}).some((s) => algorithmOf(s) !== algorithmOf(c.algorithm ?? EXPERIMENT_DEFAULTS.condition.algorithm))
        ) {
          ctx.addIssue({
            code: "custom",
            path: ["conditions", i, "shareParameters"],
            message: "shared parameters need one algorithm for every learned agent (remove the per-agent overrides)",
          });
        }
      });
      if (cfg.baseline !== undefined && !names.has(cfg.baseline)) {
        ctx.addIssue({ code: "custom", path: ["baseline"], message: `no condition named "${cfg.baseline}"` });
      }
      if (cfg.seeds && !Array.isArray(cfg.seeds) && (cfg.seeds.start ?? 0) + cfg.seeds.count - 1 > LIMITS.seedValue) {
        ctx.addIssue({
          code: "custom",
          path: ["seeds"],
          message: `start + count - 1 must be at most ${LIMITS.seedValue} (seeds are 32-bit)`,
        });
      }
      (cfg.exploitability?.conditions ?? []).forEach((n, i) => {
        if (!names.has(n))
          ctx.addIssue({
            code: "custom",
            path: ["exploitability", "conditions", i],
            message: `no condition named "${n}"; conditions: ${[...names.keys()].join(", ")}`,
          });
      });
      if (Array.isArray(cfg.seeds)) {
        const seen = new Set<number>();
        cfg.seeds.forEach((s, i) => {
          if (seen.has(s)) ctx.addIssue({ code: "custom", path: ["seeds", i], message: `seed ${s} listed twice` });
          seen.add(s);
        });
      }
      if (cfg.metrics) {
        const seen = new Set<string>();
        const own = new Set(selectableMetricNames(cfg.scenario));
        cfg.metrics.forEach((m, i) => {
          if (seen.has(m)) ctx.addIssue({ code: "custom", path: ["metrics", i], message: `metric "${m}" listed twice` });
          else if (scenario && !own.has(m))
            ctx.addIssue({
              code: "custom",
              path: ["metrics", i],
              message: `"${m}" is not a ${cfg.scenario} metric; the ${cfg.scenario} scenario reports ${[...own].join(", ")}`,
            });
          seen.add(m);
        });
      }
    });
}

export type ExperimentFile = z.infer<ReturnType<typeof experimentFileSchema>>;

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
  /**
   * Agents played by a registered strategy, options validated with defaults filled in (absent when none). Every
   * other agent that is not learned plays "truthful" (the simulators' analytic agent).
   */
  strategies?: Record<string, ResolvedStrategy>;
}

/** An experiment with every default filled in: what the manifest records and the runner uses. */
export interface ResolvedExperiment {
  name: string;
  description: string;
  /** The file's `plugins`, as written (relative to the experiment file); absent when none. */
  plugins?: string[];
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
  /** The file's sweep, expanded into `conditions`: the swept paths and each swept condition's base and values (absent without a sweep). */
  sweep?: SweepInfo;
  /** Present only when the file asks for it (so that the hash of other experiments is unchanged). */
  exploitability?: { method: "search" | "ppo"; agents?: string[]; budget?: number; conditions?: string[] };
}

type AlgorithmRef = string | { name: string; hyperparameters?: Record<string, number | boolean | string | number[]> };

function algorithmOf(s: AlgorithmRef): AlgorithmName {
  return typeof s === "string" ? s : s.name;
}

function resolveAlgorithm(s: AlgorithmRef | undefined): AlgorithmSpec {
  if (s === undefined) return { name: EXPERIMENT_DEFAULTS.condition.algorithm, hyperparameters: {} };
  return typeof s === "string" ? { name: s, hyperparameters: {} } : { name: s.name, hyperparameters: { ...(s.hyperparameters ?? {}) } };
}

/**
 * Validate a parsed JSON value against the experiment schema and fill every default. Throws ConfigError
 * naming `file`, each JSON path and the rule it breaks.
 */
export function resolveExperiment(file0: unknown, file = "<experiment>"): ResolvedExperiment {
  // A sweep becomes ordinary named conditions first (src/experiments/sweep.ts); everything below sees those.
  const { raw, info: sweep } = expandSweep(file0, file);
  const parsed = experimentFileSchema().safeParse(raw);
  if (!parsed.success) throw zodConfigError(file, parsed.error);
  const c = parsed.data;
  // Strategies: registered, applicable to the env, options valid (agent ids are checked by the scenario's preflight).
  const strategyIssueList: ConfigIssue[] = [];
  const strategies = c.conditions.map((k, i) => {
    const out: Record<string, ResolvedStrategy> = {};
    for (const [agent, ref] of Object.entries(k.strategies ?? {})) {
      const { issues, resolved } = strategyIssues(ref, c.env.id, formatPath(["conditions", i, "strategies", agent]));
      strategyIssueList.push(...issues);
      if (resolved) out[agent] = resolved;
    }
    return out;
  });
  if (strategyIssueList.length > 0) throw new ConfigError(file, strategyIssueList);
  const conditions: ResolvedCondition[] = c.conditions.map((k, i) => ({
    name: k.name,
    learned: k.learned === "all" ? "all" : [...(k.learned ?? [])],
    algorithm: resolveAlgorithm(k.algorithm),
    agents: Object.fromEntries(Object.entries(k.agents ?? {}).map(([a, s]) => [a, resolveAlgorithm(s)])),
    shareParameters: k.shareParameters ?? EXPERIMENT_DEFAULTS.condition.shareParameters,
    // Left out when absent so that the hash (resumable partial results) of existing experiments is unchanged.
    ...(k.envOptions !== undefined ? { envOptions: structuredClone(k.envOptions) } : {}),
    ...(Object.keys(strategies[i]).length > 0 ? { strategies: strategies[i] } : {}),
  }));
  const seedSpec = c.seeds ?? EXPERIMENT_DEFAULTS.seeds;
  const seeds = Array.isArray(seedSpec) ? [...seedSpec] : Array.from({ length: seedSpec.count }, (_, i) => (seedSpec.start ?? 0) + i);
  const allAnalytic = conditions.find((k) => Array.isArray(k.learned) && k.learned.length === 0 && k.strategies === undefined);
  return {
    name: c.name,
    description: c.description ?? EXPERIMENT_DEFAULTS.description,
    ...(c.plugins && c.plugins.length > 0 ? { plugins: [...c.plugins] } : {}),
    scenario: c.scenario,
    env: { id: c.env.id, options: { ...(c.env.options ?? {}) } },
    conditions,
    baseline: c.baseline ?? allAnalytic?.name ?? conditions[0].name,
    training: { ...EXPERIMENT_DEFAULTS.training, ...stripUndefined(c.training ?? {}) },
    seeds,
    evaluation: { ...EXPERIMENT_DEFAULTS.evaluation, ...stripUndefined(c.evaluation ?? {}) },
    metrics: [...(c.metrics ?? defaultMetrics(c.scenario))],
    backend: c.backend ?? EXPERIMENT_DEFAULTS.backend,
    output: c.output ?? EXPERIMENT_DEFAULTS.output,
    ...(sweep ? { sweep } : {}),
    ...(c.exploitability
      ? {
          exploitability: {
            method: c.exploitability.method ?? "search",
            ...stripUndefined({
              agents: c.exploitability.agents,
              budget: c.exploitability.budget,
              conditions: c.exploitability.conditions,
            }),
          },
        }
      : {}),
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
export function conditionEnvOptions(
  cfg: Pick<ResolvedExperiment, "env">,
  condition: Pick<ResolvedCondition, "envOptions">,
): Record<string, unknown> {
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
        if (!known.has(a))
          issues.push({
            path: formatPath(["conditions", i, "learned", j]),
            message: `unknown agent "${a}"; the environment's agents are ${possibleAgents.join(", ")}`,
          });
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
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
