import { RegistrationError } from "../io/errors.js";
import type { Env, ParallelEnv } from "../core/types.js";
import type { BackendName } from "./backends.js";
import type { LearnOptions } from "./on-policy.js";
import type { LearnedPolicy, MultiAgentPolicy } from "./policy.js";
import { mappoOptionsSchema, PPO_DEFAULTS, resolvePPOOptions } from "./ppo/options.js";
import { REINFORCE_DEFAULTS, resolveREINFORCEOptions } from "./reinforce/options.js";

/**
 * The learning algorithms an experiment condition can name (`"algorithm": "ppo"` or `{ name, hyperparameters }`).
 * The experiment schema's allowed names, `--help` texts and error messages come from this registry.
 */

/** What the experiment runner passes a learner: the condition's hyperparameters over these fields. */
export interface LearnerOptions {
  /** Builds one training env (a single-agent Env, or a ParallelEnv for several learned agents). */
  env: () => Env | ParallelEnv;
  numEnvs: number;
  seed: number;
  /** One policy for every learned agent of a ParallelEnv. */
  shareParameters: boolean;
  /** The TensorFlow.js backend chosen for the run (already initialised), when the learner uses TensorFlow.js. */
  backend?: BackendName;
  [hyperparameter: string]: unknown;
}

/** A learner: trains, then returns the project's saved-policy type (so `supplygym evaluate` can load it). */
export interface Learner {
  learn(totalSteps: number, opts?: LearnOptions): Promise<LearnedPolicy | MultiAgentPolicy>;
}

export type LearnerClass = new (options: LearnerOptions) => Learner;

export interface AlgorithmDef {
  /** The name conditions use, e.g. "ppo" (letters, digits, `_ . -`). */
  name: string;
  /** One sentence, shown in `--help` and docs. */
  description: string;
  /** Every hyperparameter with its default: the names a condition's `hyperparameters` may set. */
  defaults: Readonly<Record<string, unknown>>;
  /**
   * The learner class, or `{ load }` loading it (the built-ins load lazily, so that validating an experiment does
   * not load TensorFlow.js). Constructed with {@link LearnerOptions}.
   */
  learner: LearnerClass | { load: () => Promise<LearnerClass> };
  /**
   * Check the options a run would construct the learner with (before any task runs); throw an Error whose message
   * says what is wrong. The runner reports a ConfigError's issues under the condition's `algorithm.hyperparameters`
   * path (an issue at `numSteps` at `conditions[i].algorithm.hyperparameters.numSteps`), any other error's message at
   * that path itself.
   */
  check?: (options: LearnerOptions) => void | Promise<void>;
  /**
   * Environment steps per training batch with these options, when the learner trains whole batches: `run` then
   * says when it rounds `training.totalSteps` down to a whole number of them.
   */
  batchSteps?: (options: LearnerOptions) => number | Promise<number>;
}

const algorithms = new Map<string, AlgorithmDef>();
const NAME_RE = /^[A-Za-z0-9][\w.-]*$/;

/** Register an algorithm; a taken or invalid name throws. */
export function registerAlgorithm(def: AlgorithmDef): void {
  if (typeof def?.name !== "string" || !NAME_RE.test(def.name))
    throw new RegistrationError(
      `algorithm name ${JSON.stringify(def?.name)} must start with a letter or digit and use only letters, digits, _ . -`,
    );
  if (typeof def.learner !== "function" && typeof (def.learner as { load?: unknown })?.load !== "function")
    throw new RegistrationError(`algorithm "${def.name}": learner must be a class or { load: () => Promise<class> }`);
  if (typeof def.defaults !== "object" || def.defaults === null)
    throw new RegistrationError(`algorithm "${def.name}": defaults must be an object of hyperparameters`);
  if (algorithms.has(def.name))
    throw new RegistrationError(
      `algorithm "${def.name}" is already registered (${algorithms.get(def.name)!.description}); choose another name`,
    );
  algorithms.set(def.name, def);
}

export function getAlgorithm(name: string): AlgorithmDef | undefined {
  return algorithms.get(name);
}

/** Registered algorithm names in registration order. */
export function algorithmNames(): string[] {
  return [...algorithms.keys()];
}

/** The learner class of a registered algorithm (loading it if needed). */
export async function learnerClass(name: string): Promise<LearnerClass> {
  const def = algorithms.get(name);
  if (!def) throw new RegistrationError(`unknown algorithm "${name}"; registered: ${algorithmNames().join(", ")}`);
  return typeof def.learner === "function" ? def.learner : await def.learner.load();
}

registerAlgorithm({
  name: "ppo",
  description: "PPO with CleanRL's defaults (clipped surrogate, GAE, clipped value loss, entropy bonus, annealed learning rate)",
  defaults: PPO_DEFAULTS as unknown as Record<string, unknown>,
  learner: { load: async () => (await import("./ppo/ppo.js")).PPO as unknown as LearnerClass },
  check: (o) => void resolvePPOOptions(o as never),
  batchSteps: (o) => {
    const r = resolvePPOOptions(o as never);
    return r.numSteps * r.numEnvs;
  },
});
registerAlgorithm({
  name: "reinforce",
  description: "REINFORCE with a learned value baseline (CleanRL-style defaults)",
  defaults: REINFORCE_DEFAULTS as unknown as Record<string, unknown>,
  learner: { load: async () => (await import("./reinforce/reinforce.js")).REINFORCE as unknown as LearnerClass },
  check: (o) => void resolveREINFORCEOptions(o as never),
  batchSteps: (o) => {
    const r = resolveREINFORCEOptions(o as never);
    return r.numSteps * r.numEnvs;
  },
});
registerAlgorithm({
  name: "mappo",
  description:
    "MAPPO: PPO actors per agent (shared or not) with a centralised critic on the env's global state (state()); autodiff gradients",
  defaults: PPO_DEFAULTS as unknown as Record<string, unknown>,
  learner: { load: async () => (await import("./mappo/mappo.js")).MAPPO as unknown as LearnerClass },
  check: (o) => void resolvePPOOptions(o as never, mappoOptionsSchema, "MAPPO"),
});
