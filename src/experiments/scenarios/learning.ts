import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deriveSeed } from "../../core/rng.js";
import type { Env, ParallelEnv, Policy } from "../../core/types.js";
import { ConfigError, formatPath, nestIssues, UsageError, type ConfigIssue } from "../../io/errors.js";
import { initBackend } from "../../rl/backend.js";
import { getAlgorithm, learnerClass, type LearnerOptions } from "../../rl/algorithm-registry.js";
import { totalStepsIssues } from "../../rl/on-policy-options.js";
import { actSeed, LearnedPolicy, MultiAgentPolicy } from "../../rl/policy.js";
import { progressPoints } from "../../rl/curve-points.js";
import { LiveLog, liveTag } from "../../io/live-log.js";
import { taskKey } from "../task.js";
import type { Space } from "../../core/spaces.js";
import { firstDifference } from "../fingerprint.js";
import { conditionEnvOptions, type ResolvedCondition, type ResolvedExperiment } from "../schema.js";
import type { Task, TaskContext, TaskResult } from "../task.js";

/**
 * What every scenario does the same way with learners: check a condition's algorithm before the run, train the
 * condition's learned agents for a task (or load the policies an earlier run saved), and record the curve.
 * Algorithms come from the registry (src/rl/algorithm-registry.ts).
 */

/** Options the experiment sets itself; they are not hyperparameters. */
const RESERVED_HYPERPARAMETERS = ["env", "envOptions", "seed", "backend", "numEnvs", "shareParameters"];

/**
 * Where in an experiment file the learner option at `path` of condition `i` comes from: a hyperparameter at
 * `conditions[i].algorithm.hyperparameters.<path>`; the options the experiment sets at theirs (`training.numEnvs`,
 * `conditions[i].shareParameters`, `seeds`, `backend`); the environment (which the algorithm does not fit) at
 * `conditions[i].algorithm`.
 */
function experimentPath(path: string, i: number): string {
  const head = /^[^.[]*/.exec(path)![0];
  const rest = path.slice(head.length);
  const condition = formatPath(["conditions", i]);
  if (head === "numEnvs") return `training.numEnvs${rest}`;
  if (head === "shareParameters") return `${condition}.shareParameters${rest}`;
  if (head === "seed") return "seeds";
  if (head === "backend") return "backend";
  if (head === "env" || head === "envOptions") return `${condition}.algorithm`;
  return nestIssues([{ path, message: "" }], `${condition}.algorithm.hyperparameters`)[0].path;
}

/**
 * Issues with condition `i`'s algorithm: reserved or unknown hyperparameter names, then invalid values (resolved
 * with the algorithm's own defaults and checks against an env from `makeEnv`; a ConfigError's issues at their
 * JSON paths, see {@link experimentPath}), then `totalSteps` against one batch.
 */
export async function algorithmIssues(
  c: ResolvedCondition,
  i: number,
  numEnvs: number,
  makeEnv: () => Env | ParallelEnv,
  totalSteps?: number,
): Promise<ConfigIssue[]> {
  const def = getAlgorithm(c.algorithm.name);
  if (!def) return [{ path: formatPath(["conditions", i, "algorithm"]), message: `unknown algorithm "${c.algorithm.name}"` }];
  const { defaults, check } = def;
  const issues: ConfigIssue[] = [];
  for (const k of Object.keys(c.algorithm.hyperparameters)) {
    const path = formatPath(["conditions", i, "algorithm", "hyperparameters", k]);
    if (RESERVED_HYPERPARAMETERS.includes(k))
      issues.push({ path, message: "set by the experiment (training.numEnvs, seeds, backend, shareParameters), not a hyperparameter" });
    else if (!(k in defaults))
      issues.push({ path, message: `unknown ${c.algorithm.name} hyperparameter; known: ${Object.keys(defaults).join(", ")}` });
  }
  if (issues.length > 0) return issues;
  try {
    const options = {
      env: makeEnv,
      numEnvs,
      seed: 1,
      shareParameters: c.shareParameters,
      ...c.algorithm.hyperparameters,
    } satisfies LearnerOptions;
    await check?.(options);
    const batch = totalSteps !== undefined ? await def.batchSteps?.(options) : undefined;
    // The rule learn() checks at the first task.
    if (totalSteps !== undefined && batch !== undefined) {
      for (const issue of nestIssues(totalStepsIssues(totalSteps, batch), "training.totalSteps"))
        issues.push({ ...issue, message: `${issue.message} (conditions[${i}], ${c.algorithm.name})` });
    }
  } catch (err) {
    if (err instanceof ConfigError) issues.push(...err.issues.map((issue) => ({ ...issue, path: experimentPath(issue.path, i) })));
    else issues.push({ path: formatPath(["conditions", i, "algorithm", "hyperparameters"]), message: (err as Error).message });
  }
  return issues;
}

/** Where a task's trained policy is saved: `<models>/<condition>-<seed>.policy.json` (undefined without a models folder). */
export function policyFile(task: Pick<Task, "condition" | "seed" | "options">): string | undefined {
  const dir = task.options.models as string | undefined;
  return dir ? join(dir, `${task.condition.name}-${task.seed}.policy.json`) : undefined;
}

/** Where the training fingerprint of a saved policy is kept: beside it, `<condition>-<seed>.fingerprint.json`. */
export function fingerprintFile(policy: string): string {
  return policy.replace(/\.policy\.json$/, ".fingerprint.json");
}

/**
 * What a trained policy was trained for: the scenario, the env id, the condition's env options (the market spec
 * among them), the learned agents and each one's observation and action spaces. `evaluate` refuses a policy whose
 * fingerprint differs from the experiment's (a policy trained on another market, env or spaces).
 */
export function trainingFingerprint(task: Task, learned: readonly string[], makeEnv: () => Env | ParallelEnv): Record<string, unknown> {
  const env = makeEnv();
  const spaces: Record<string, { observation: unknown; action: unknown }> = {};
  const one = (s: Space) => JSON.parse(JSON.stringify(s.toJSON())) as unknown;
  if ("possibleAgents" in env) {
    for (const a of learned) spaces[a] = { observation: one(env.observationSpace(a)), action: one(env.actionSpace(a)) };
  } else {
    spaces[learned[0]] = { observation: one(env.observationSpace), action: one(env.actionSpace) };
  }
  env.close();
  return { ...settingFingerprint(task.experiment, task.condition), learned: [...learned], spaces };
}

/**
 * The part of a training fingerprint that the experiment file alone determines, without building an env: the
 * scenario, the env id, the condition's env options and the market. `evaluate` checks it for every saved policy
 * before any task runs; each task checks the whole fingerprint (learned agents and spaces too).
 */
export function settingFingerprint(cfg: ResolvedExperiment, condition: ResolvedCondition): Record<string, unknown> {
  const { market, ...options } = conditionEnvOptions(cfg, condition) as Record<string, unknown>;
  return { scenario: cfg.scenario, env: { id: cfg.env.id, options }, market: market ?? null };
}

/** {@link checkFingerprint} of the fields of {@link settingFingerprint} only (exit 2 naming the first that differs). */
export function checkSavedSetting(file: string, cfg: ResolvedExperiment, condition: ResolvedCondition): void {
  const expected = settingFingerprint(cfg, condition);
  checkFingerprint(file, expected, Object.keys(expected));
}

/**
 * Throw a UsageError (exit 2) naming the first field where a saved policy's training fingerprint differs from
 * `expected` (only the top-level fields `keys` of the saved one when given).
 */
function checkFingerprint(file: string, expected: Record<string, unknown>, keys?: readonly string[]): void {
  const fp = fingerprintFile(file);
  if (!existsSync(fp))
    throw new UsageError(`${fp}: missing: the policy ${file} has no training fingerprint (saved by an older supplygym); train it again`);
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(fp, "utf8"));
  } catch (err) {
    throw new UsageError(`${fp}: not valid JSON (${(err as Error).message})`);
  }
  const compared =
    keys && typeof saved === "object" && saved !== null
      ? Object.fromEntries(keys.map((k) => [k, (saved as Record<string, unknown>)[k]]))
      : saved;
  const d = firstDifference(compared, expected);
  if (d)
    throw new UsageError(
      `${file}: trained for another setting: training fingerprint field ${d.path} is ${JSON.stringify(d.a)}, the experiment has ${JSON.stringify(d.b)}`,
    );
}

/**
 * A saved single or multi-agent policy, by its `format` field, sampling as the learner with seed `learnerSeed`
 * that trained it (`actSeed`), so that evaluating a saved policy reproduces the run.
 */
export function loadPolicy(file: string, learnerSeed = 0): LearnedPolicy | MultiAgentPolicy {
  let format: string | undefined;
  try {
    format = (JSON.parse(readFileSync(file, "utf8")) as { format?: string }).format;
  } catch (err) {
    throw new UsageError(`${file}: not a saved policy (${(err as Error).message})`);
  }
  return format === "supplygym-multi-agent-policy"
    ? MultiAgentPolicy.load(file, learnerSeed)
    : LearnedPolicy.load(file, actSeed(learnerSeed));
}

/** The saved policies of a condition's learned agents for one training seed, read from the models folder `models`. */
export function learnedPolicies(
  condition: ResolvedCondition,
  seed: number,
  models: string | undefined,
  learned: readonly string[],
): Map<string, Policy> {
  const policies = new Map<string, Policy>();
  if (learned.length === 0) return policies;
  const file = policyFile({ condition, seed, options: { models } });
  if (!file) throw new RangeError(`condition ${condition.name} has learned agents: a models folder is needed`);
  const p = loadPolicy(file);
  for (const a of learned) {
    const one = p instanceof MultiAgentPolicy ? p.policies[a] : p;
    if (!one) throw new RangeError(`${file}: no policy for agent ${a}`);
    policies.set(a, one);
  }
  return policies;
}

/** The seed of the learner of a task (its policies sample from `actSeed` of it). */
function learnerSeed(task: Pick<Task, "seed" | "condition">): number {
  return deriveSeed(task.seed, "train", task.condition.name);
}

export interface Trained {
  /** One policy per learned agent (acting in the training env's action space). */
  policies: Map<string, LearnedPolicy>;
  learningCurve: NonNullable<TaskResult["learningCurve"]>;
  trainSeconds: number;
  /** The TensorFlow.js backend used for training (undefined when nothing was trained). */
  backend?: string;
}

/**
 * Train `learned` with the condition's algorithm on envs from `makeEnv` (a single-agent env for one learner, a
 * ParallelEnv for several), seeded from the task, and save the policy in the models folder; in evaluate mode
 * (`task.options.mode === "evaluate"`) load it instead. Progress covers [0, 0.9] of the task. While training, the
 * curve points are appended to a {@link LiveLog} in `task.options.live` (when set) after every update.
 */
export async function trainOrLoad(
  task: Task,
  ctx: TaskContext,
  learned: readonly string[],
  makeEnv: () => Env | ParallelEnv,
): Promise<Trained> {
  const { condition } = task;
  const cfg = task.experiment;
  const t0 = performance.now();
  const policies = new Map<string, LearnedPolicy>();
  const learningCurve: Trained["learningCurve"] = [];
  if (learned.length === 0) return { policies, learningCurve, trainSeconds: 0 };
  const file = policyFile(task);
  let policy: LearnedPolicy | MultiAgentPolicy;
  let backend: string | undefined;
  if (task.options.mode === "evaluate") {
    if (!file || !existsSync(file))
      throw new UsageError(`no saved policy for condition ${condition.name}, seed ${task.seed}: expected ${file ?? "a --models folder"}`);
    checkFingerprint(file, trainingFingerprint(task, learned, makeEnv));
    policy = loadPolicy(file, learnerSeed(task));
  } else {
    backend = await initBackend(cfg.backend === "auto" ? {} : { backend: cfg.backend });
    const Learner = await learnerClass(condition.algorithm.name);
    const learner = new Learner({
      ...condition.algorithm.hyperparameters,
      env: makeEnv,
      numEnvs: cfg.training.numEnvs,
      seed: learnerSeed(task),
      shareParameters: condition.shareParameters,
      backend: backend as LearnerOptions["backend"],
    });
    // Live metrics (task.options.live: the experiment's .live folder) are appended after every update.
    const live = typeof task.options.live === "string" ? new LiveLog(task.options.live, taskKey(task)) : undefined;
    try {
      policy = (await learner.learn(cfg.training.totalSteps, {
        onProgress: (p) => {
          ctx.progress((0.9 * p.globalStep) / p.totalSteps);
          const points = progressPoints(p);
          for (const pt of points) learningCurve.push({ step: pt.step, metric: liveTag(pt), value: pt.value });
          live?.append(points);
        },
      })) as LearnedPolicy | MultiAgentPolicy;
    } finally {
      live?.close();
    }
    if (file) {
      mkdirSync(task.options.models as string, { recursive: true });
      policy.save(file);
      writeFileSync(fingerprintFile(file), JSON.stringify(trainingFingerprint(task, learned, makeEnv), null, 2) + "\n");
    }
  }
  for (const a of learned) {
    const p = policy instanceof MultiAgentPolicy ? policy.policies[a] : policy;
    if (!p) throw new Error(`the policy of condition ${condition.name} has no agent ${a}`);
    policies.set(a, p);
  }
  return { policies, learningCurve, trainSeconds: (performance.now() - t0) / 1000, backend };
}
