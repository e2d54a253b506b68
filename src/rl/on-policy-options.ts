import { z } from "zod";
import type { Env, ParallelEnv } from "../core/types.js";
import { ConfigError, nestConfigError, nestIssues, zodConfigError, zodIssues, type ConfigIssue } from "../io/errors.js";
import { LIMITS } from "../io/limits.js";
import { ACTIVATION_NAMES } from "./activation-names.js";
import { BACKENDS } from "./backends.js";

/**
 * The options every on-policy learner (PPO, MAPPO, REINFORCE) shares, as zod fields that carry each option's type,
 * rule, default and text; each algorithm's schema (ppo/options.ts, reinforce/options.ts) composes them with its own
 * defaults and fields. Errors are ConfigErrors of the file `<algorithm> options` at the option's path, which callers
 * re-anchor under their own JSON paths (learner-from-config.ts, the experiment runner). No TensorFlow.js here:
 * validating an experiment does not load it.
 */

export const AGENT_ID_FEATURES = ["none", "onehot", "embedding"] as const;
export type AgentIdFeature = (typeof AGENT_ID_FEATURES)[number];

/** What the learners can train on: a registered id, or a factory of fresh environments. */
export type EnvSource = string | (() => Env | ParallelEnv);

/** A rejected value as a message shows it: numbers as written, anything else as JSON. */
function shown(v: unknown): string {
  return typeof v === "number" || typeof v === "function" || v === undefined ? String(v) : (JSON.stringify(v) ?? String(v));
}

/** zod parameters of one rule's message: `<rule>, got <value>`. */
function says(text: string) {
  return { error: (issue: { input?: unknown }) => `${text}, got ${shown(issue.input)}` };
}

/** zod parameters of one rule: its message ({@link says}), and no further checks of a value that broke it. */
export function rule(text: string) {
  return { ...says(text), abort: true };
}

/** An integer >= 1, at most `max` when given (`why` says what it counts). */
export function positiveInt(max?: number, why?: string) {
  const r = rule("must be a positive integer");
  const s = z.number(r).int(r).min(1, r);
  return max === undefined ? s : s.max(max, rule(`must be at most ${max.toLocaleString("en-US")}${why ? ` (${why})` : ""}`));
}

/** A finite number > 0 (`"> 0"`) or >= 0 (`">= 0"`). A zero clip or learning rate would silently stop learning. */
export function finiteNumber(bound: "> 0" | ">= 0") {
  const r = rule(`must be a finite number ${bound}`);
  return bound === "> 0" ? z.number(r).gt(0, r) : z.number(r).min(0, r);
}

const unitInterval = () => {
  const r = rule("must be in [0, 1]");
  return z.number(r).min(0, r).max(1, r);
};

export const flag = () => z.boolean(rule("must be true or false"));

export function oneOf<const T extends readonly [string, ...string[]]>(names: T) {
  return z.enum(names, rule(`must be one of ${names.map((n) => JSON.stringify(n)).join(", ")}`));
}

/** Hidden layer sizes: at most LIMITS.hiddenLayers layers of at most LIMITS.hiddenUnits units. */
const layers = () =>
  z
    .array(positiveInt(LIMITS.hiddenUnits, "units in a layer"), rule("must be a list of positive integers"))
    .max(LIMITS.hiddenLayers, rule(`must have at most ${LIMITS.hiddenLayers} layers`));

/**
 * The hyperparameters every on-policy learner takes. Each algorithm's schema gives the fields without a default here
 * ({@link OwnDefaults}) its own default ({@link onPolicyFieldsWith}); the others have one default for every algorithm
 * (CleanRL's, its flags named). PPO with Box actions starts from CleanRL's continuous script instead
 * (PPO_CONTINUOUS_DEFAULTS).
 */
export const onPolicyFields = {
  /** Parallel environment copies (CleanRL's `--num-envs 4`). */
  numEnvs: positiveInt(LIMITS.numEnvs, "parallel environments")
    .default(4)
    .describe("Parallel environment copies (CleanRL's `--num-envs 4`)."),
  /** Steps per environment copy per rollout; one batch is numEnvs * numSteps transitions. */
  numSteps: positiveInt(LIMITS.numSteps, "steps per environment per rollout").describe(
    "Steps per environment copy per rollout; one batch is numEnvs * numSteps transitions.",
  ),
  /** Adam learning rate (of the first update when annealLr). */
  learningRate: finiteNumber("> 0")
    .max(
      LIMITS.learningRate,
      rule(`must be at most ${LIMITS.learningRate} (a larger Adam step overshoots every update and ends in NaN weights)`),
    )
    .describe("Adam learning rate (of the first update when annealLr)."),
  /** Anneal the learning rate linearly to 0 over the run. */
  annealLr: flag().describe("Anneal the learning rate linearly to 0 over the run."),
  /** Adam epsilon. */
  adamEps: finiteNumber(">= 0").describe("Adam epsilon."),
  /** Global gradient-norm clip (CleanRL's `--max-grad-norm 0.5`). */
  maxGradNorm: finiteNumber("> 0").default(0.5).describe("Global gradient-norm clip (CleanRL's `--max-grad-norm 0.5`)."),
  /** Discount factor (CleanRL's `--gamma 0.99`). */
  gamma: unitInterval().default(0.99).describe("Discount factor (CleanRL's `--gamma 0.99`)."),
  /** GAE lambda (REINFORCE: must stay 1, Monte-Carlo returns). */
  gaeLambda: unitInterval().describe("GAE lambda (REINFORCE: must stay 1, Monte-Carlo returns)."),
  /** Entropy bonus coefficient. */
  entCoef: finiteNumber(">= 0").describe("Entropy bonus coefficient."),
  /** Value (baseline) loss coefficient (CleanRL's `--vf-coef 0.5`). */
  vfCoef: finiteNumber(">= 0").default(0.5).describe("Value (baseline) loss coefficient (CleanRL's `--vf-coef 0.5`)."),
  /** Normalise advantages: PPO per minibatch (CleanRL's `--norm-adv True`), REINFORCE over the batch. */
  normAdv: flag()
    .default(true)
    .describe("Normalise advantages: PPO per minibatch (CleanRL's `--norm-adv True`), REINFORCE over the batch."),
  /** Policy MLP hidden layer sizes (CleanRL: 64, 64). */
  actorHidden: layers().default([64, 64]).describe("Policy MLP hidden layer sizes (CleanRL: 64, 64)."),
  /** Value MLP hidden layer sizes (CleanRL: 64, 64). */
  criticHidden: layers().default([64, 64]).describe("Value MLP hidden layer sizes (CleanRL: 64, 64)."),
  /** Hidden activation (CleanRL: tanh), a name of the activations table. */
  activation: oneOf(ACTIVATION_NAMES).default("tanh").describe("Hidden activation (CleanRL: tanh), a name of the activations table."),
  /** Hidden layers shared by actor and critic before their own layers (CleanRL: none, separate networks). */
  sharedHidden: layers()
    .default([])
    .describe("Hidden layers shared by actor and critic before their own layers (CleanRL: none, separate networks)."),
  /** Shared policies (shareParameters with several agents): an agent-id input, "onehot" (one input per agent) or "embedding" (a learned table, agentEmbeddingDim wide; trains through autodiff); "none": every agent looks the same to the network. */
  agentId: oneOf(AGENT_ID_FEATURES)
    .default("none")
    .describe(
      'Shared policies (shareParameters with several agents): an agent-id input, "onehot" (one input per agent) or "embedding" (a learned table, agentEmbeddingDim wide; trains through autodiff); "none": every agent looks the same to the network.',
    ),
  /** Width of the learned agent-id embedding (agentId "embedding"). */
  agentEmbeddingDim: positiveInt().default(8).describe('Width of the learned agent-id embedding (agentId "embedding").'),
  /** Initial log-std of the Gaussian policy, Box actions (CleanRL: 0). */
  initLogStd: z
    .number(rule("must be a finite number"))
    .default(0)
    .describe("Initial log-std of the Gaussian policy, Box actions (CleanRL: 0)."),
  /** Normalise observations by their running mean and std, then clip them to +- clipObservation. */
  normalizeObservation: flag()
    .default(false)
    .describe("Normalise observations by their running mean and std, then clip them to +- clipObservation."),
  /** Normalise rewards by the running std of the discounted return, then clip them to +- clipReward. */
  normalizeReward: flag()
    .default(false)
    .describe("Normalise rewards by the running std of the discounted return, then clip them to +- clipReward."),
  /** Clip normalised observations to +- this (CleanRL's continuous script: 10). */
  clipObservation: finiteNumber("> 0").default(10).describe("Clip normalised observations to +- this (CleanRL's continuous script: 10)."),
  /** Clip normalised rewards to +- this (CleanRL's continuous script: 10). */
  clipReward: finiteNumber("> 0").default(10).describe("Clip normalised rewards to +- this (CleanRL's continuous script: 10)."),
  /** ParallelEnv: one policy shared by every agent (true) or one independent learner per agent (false). */
  shareParameters: flag()
    .default(false)
    .describe("ParallelEnv: one policy shared by every agent (true) or one independent learner per agent (false)."),
  /** Most recent episodes averaged in the learning curve's episode_return_mean and episode_length_mean (SB3 uses 100). */
  statsWindow: positiveInt(LIMITS.episodes, "episodes in the statistics window")
    .default(20)
    .describe("Most recent episodes averaged in the learning curve's episode_return_mean and episode_length_mean (SB3 uses 100)."),
};

type OnPolicyFields = typeof onPolicyFields;

/** The shared fields whose default each algorithm chooses, with their values: one algorithm's {@link onPolicyFieldsWith} argument. */
export type OwnDefaults = {
  [K in keyof OnPolicyFields as OnPolicyFields[K] extends z.ZodDefault ? never : K]: z.output<OnPolicyFields[K]>;
};

/** The shared fields with an algorithm's own defaults (`own`) filled in; every field keeps its rule and text. */
export function onPolicyFieldsWith(own: OwnDefaults): {
  [K in keyof OnPolicyFields]: K extends keyof OwnDefaults ? z.ZodDefault<OnPolicyFields[K]> : OnPolicyFields[K];
} {
  const defaults = own as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(onPolicyFields).map(([k, s]) => [k, k in defaults ? (s as z.ZodType).default(defaults[k] as never) : s]),
  ) as never;
}

/** The options of a learner beside its hyperparameters: what it trains on, its seed and backend. */
export const learnerFields = {
  /** The environment: a registered id, or a function returning a fresh Env or ParallelEnv. */
  env: z
    .union(
      [z.string().min(1), z.custom<() => Env | ParallelEnv>((v) => typeof v === "function")],
      says("must be a registered id or a function returning an Env or ParallelEnv"),
    )
    .describe("The environment: a registered id, or a function returning a fresh Env or ParallelEnv."),
  /** Options passed to make(env, envOptions) when env is an id. */
  envOptions: z
    .record(z.string(), z.unknown(), rule("must be an object"))
    .optional()
    .describe("Options passed to make(env, envOptions) when env is an id."),
  /** Seed of the learner (weights, action sampling, minibatch order) and its environments (copy i: seed + i). */
  seed: z
    .number(rule("must be an integer"))
    .int(rule("must be an integer"))
    .default(1)
    .describe("Seed of the learner (weights, action sampling, minibatch order) and its environments (copy i: seed + i)."),
  /** TensorFlow.js backend; default the fastest that loads. */
  backend: oneOf(BACKENDS).optional().describe("TensorFlow.js backend; default the fastest that loads."),
};

const commonOptionsSchema = z.object({ ...onPolicyFields, ...learnerFields });

/** Options every on-policy learner has after resolving (each algorithm's resolved options extend them). */
export type CommonOptions = z.output<typeof commonOptionsSchema>;

/** The rule between shared fields: one batch's rollout buffer is held in memory. */
export function checkBatchSize(c: { numEnvs: number; numSteps: number }, ctx: z.RefinementCtx): void {
  const batch = c.numEnvs * c.numSteps;
  if (batch > LIMITS.batchSteps)
    ctx.addIssue({
      code: "custom",
      path: ["numSteps"],
      input: c.numSteps,
      message: `numEnvs * numSteps (${c.numEnvs} * ${c.numSteps} = ${batch}) must be at most ${LIMITS.batchSteps.toLocaleString("en-US")} steps per batch (the rollout buffer is held in memory)`,
    });
}

/** The ConfigError "file" of a learner's options: `PPO options`. */
export function optionsFile(algorithm: string): string {
  return `${algorithm} options`;
}

/** One broken rule of `algorithm`'s options, at `path` (`env`, `gradients`, ...). */
export function optionError(algorithm: string, path: string, message: string): ConfigError {
  return new ConfigError(optionsFile(algorithm), [{ path, message }]);
}

/**
 * The options as given with the undefined ones left out (an undefined option means "the default"), after checking
 * that they are an object.
 */
export function definedOptions(opts: unknown, algorithm: string): Record<string, unknown> {
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) throw optionError(algorithm, "", "must be an object");
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
}

/** Parse a learner's options with its schema: the resolved options, or a ConfigError naming each option and rule. */
export function parseOptions<S extends z.ZodType>(schema: S, opts: Record<string, unknown>, algorithm: string): z.output<S> {
  const r = schema.safeParse(opts);
  if (!r.success) throw zodConfigError(optionsFile(algorithm), r.error);
  return r.data;
}

/** Check `env` and `envOptions` alone (before an environment is built from them). */
export function checkEnvOptions(opts: Record<string, unknown>, algorithm: string): void {
  parseOptions(z.object({ env: learnerFields.env, envOptions: learnerFields.envOptions }), opts, algorithm);
}

/**
 * An error building or inspecting the environment as a ConfigError of `algorithm`'s options: the env's own option
 * issues (`<env id> options`) under `envOptions`, anything else at `env` with its message. One of the learner's
 * own ConfigErrors passes unchanged.
 */
export function envError(algorithm: string, env: EnvSource, err: unknown): ConfigError {
  if (err instanceof ConfigError && err.file === optionsFile(algorithm)) return err;
  if (err instanceof ConfigError && typeof env === "string" && err.file === optionsFile(env))
    return nestConfigError(err, optionsFile(algorithm), "envOptions");
  return optionError(algorithm, "env", err instanceof Error ? err.message : String(err));
}

/** Run `fn` (which builds or inspects the environment); its errors become {@link envError}s. */
export function envErrors<T>(algorithm: string, env: EnvSource, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw envError(algorithm, env, err);
  }
}

/**
 * A training budget in environment steps: `learn(totalSteps)` trains whole batches of `batch = numEnvs * numSteps`
 * steps, so a budget smaller than one batch would train nothing.
 */
export function totalStepsSchema(batch: number) {
  return z
    .number(rule("must be a finite number"))
    .max(LIMITS.totalSteps, rule(`must be at most ${LIMITS.totalSteps.toLocaleString("en-US")}`))
    .min(batch, rule(`must be at least one batch, numEnvs * numSteps = ${batch} steps (a smaller budget trains nothing)`));
}

/** The issues of a training budget (paths relative to it, "" for the budget itself); [] when it is valid. */
export function totalStepsIssues(totalSteps: unknown, batch: number): ConfigIssue[] {
  const r = totalStepsSchema(batch).safeParse(totalSteps);
  return r.success ? [] : zodIssues(r.error.issues);
}

/** `learn`'s check of its budget: a ConfigError of `<algorithm>.learn` at `totalSteps`. */
export function checkTotalSteps(totalSteps: unknown, batch: number, algorithm: string): void {
  const issues = totalStepsIssues(totalSteps, batch);
  if (issues.length > 0) throw new ConfigError(`${algorithm}.learn`, nestIssues(issues, "totalSteps"));
}
