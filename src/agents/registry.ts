import { z } from "zod";
import type { Space } from "../core/spaces.js";
import type { Policy } from "../core/types.js";
import { ConfigError, RegistrationError, zodIssues, type ConfigIssue } from "../io/errors.js";

/**
 * Strategies: scripted and analytic agents as registered `Policy` factories, usable in any experiment condition
 * (`"strategies": { "<agent id>": "<name>" | { "name": "<name>", "options": { ... } } }`).
 *
 * A strategy knows nothing of training: the scenario that runs a condition builds, for each agent given a strategy,
 * the context below and calls the factory once per evaluation (and once per training run when the agent acts
 * beside learners); the policy's `act` is called every step with the agent's observation and must return an action
 * of `ctx.actionSpace`, which is the environment's own action space for that agent (not a learner's rescaled one).
 */
export interface StrategyContext<O = unknown, A = unknown> {
  /** The agent this policy plays, e.g. "A[1][1]", "S2", "H3". */
  agent: string;
  /** The registered environment the agent acts in, e.g. "MarketBiddingParallel-v0". */
  envId: string;
  /** The agent's action space in that environment (its own units: e.g. demand scales in [0, 2]). */
  actionSpace: Space<A>;
  observationSpace: Space<O>;
  /** The strategy's options, validated by its `options` schema with its defaults filled in ({} without a schema). */
  options: Record<string, unknown>;
  /** A seed for any randomness of the policy (use the project's `Rng`, never Math.random). */
  seed: number;
  /**
   * The unwrapped environment instance the agent acts in, for strategies that plan on the model (a best response
   * needs the market: its spec, its solver, the other agents' bids). Scripted strategies ignore it. It is the
   * innermost env (no wrappers), it is shared with the other agents, and a strategy must not step or reset it.
   * Undefined where a scenario evaluates without an env object (then a strategy that needs one should throw).
   */
  env?: unknown;
}

export type StrategyFactory<O = unknown, A = unknown> = (ctx: StrategyContext<O, A>) => Policy<O, A>;

export interface StrategyInfo {
  /** One sentence: what the agent does. Shown in error messages and docs/extending.md. */
  description: string;
  /**
   * The options object: a zod schema with a default per field (e.g. `z.object({ demandScale: z.number().default(1) })`).
   * A condition's `options` are validated with it (unknown keys and bad values exit 2 naming the JSON path) and the
   * factory receives the parsed value. Without a schema the strategy takes no options.
   */
  options?: z.ZodType<Record<string, unknown>>;
  /** The environment ids the strategy applies to (default: any). */
  envs?: readonly string[];
}

export interface StrategyEntry {
  name: string;
  factory: StrategyFactory;
  info: StrategyInfo;
}

const strategies = new Map<string, StrategyEntry>();
const NAME_RE = /^[A-Za-z0-9][\w.-]*$/;

/**
 * Register a strategy under `name` (letters, digits, `_ . -`). A taken name throws a RegistrationError; strategies
 * cannot be replaced, so that a condition's name always means one thing.
 */
export function registerStrategy<O = unknown, A = unknown>(
  name: string,
  factory: StrategyFactory<O, A>,
  info: StrategyInfo = { description: "" },
): void {
  if (typeof name !== "string" || !NAME_RE.test(name))
    throw new RegistrationError(
      `strategy name ${JSON.stringify(name)} must start with a letter or digit and use only letters, digits, _ . -`,
    );
  if (typeof factory !== "function") throw new RegistrationError(`strategy "${name}": the factory must be a function (ctx) => Policy`);
  if (strategies.has(name))
    throw new RegistrationError(
      `strategy "${name}" is already registered (${strategies.get(name)!.info.description || "no description"}); choose another name`,
    );
  strategies.set(name, { name, factory: factory as StrategyFactory, info });
}

/** The registered strategy `name`, or undefined. */
export function getStrategy(name: string): StrategyEntry | undefined {
  return strategies.get(name);
}

/** Registered strategy names (sorted); with `envId`, only those that apply to it. */
export function strategyNames(envId?: string): string[] {
  return [...strategies.values()]
    .filter((s) => envId === undefined || s.info.envs === undefined || s.info.envs.includes(envId))
    .map((s) => s.name)
    .sort();
}

/** A strategy as written in a condition: a name, or `{ name, options }`. */
export type StrategyRef = string | { name: string; options?: Record<string, unknown> };

/** A strategy reference with its options validated and defaults filled in. */
export interface ResolvedStrategy {
  name: string;
  options: Record<string, unknown>;
}

/**
 * Check a strategy reference for `envId`: the name is registered and applies to the env, the options parse. Issues
 * carry JSON paths under `path` (e.g. `conditions[2].strategies.A[1][1]`).
 */
export function strategyIssues(ref: StrategyRef, envId: string, path: string): { issues: ConfigIssue[]; resolved?: ResolvedStrategy } {
  const name = typeof ref === "string" ? ref : ref.name;
  const entry = strategies.get(name);
  const at = typeof ref === "string" ? path : `${path}.name`;
  if (!entry)
    return {
      issues: [{ path: at, message: `unknown strategy "${name}"; registered for ${envId}: ${strategyNames(envId).join(", ") || "none"}` }],
    };
  if (entry.info.envs && !entry.info.envs.includes(envId)) {
    return {
      issues: [
        {
          path: at,
          message: `strategy "${name}" applies to ${entry.info.envs.join(", ")}, not ${envId}; registered for ${envId}: ${strategyNames(envId).join(", ") || "none"}`,
        },
      ],
    };
  }
  const raw = typeof ref === "string" ? undefined : ref.options;
  if (!entry.info.options) {
    if (raw !== undefined && Object.keys(raw).length > 0)
      return { issues: [{ path: `${path}.options`, message: `strategy "${name}" takes no options` }] };
    return { issues: [], resolved: { name, options: {} } };
  }
  const parsed = entry.info.options.safeParse(raw ?? {});
  if (!parsed.success) return { issues: zodIssues(parsed.error.issues, [`${path}.options`]) };
  return { issues: [], resolved: { name, options: parsed.data } };
}

/** Validate a reference and build its policy; throws ConfigError (file, JSON path) on a bad reference. */
export function createStrategy(ref: StrategyRef, ctx: Omit<StrategyContext, "options">, file = "<experiment>", path = "strategy"): Policy {
  const { issues, resolved } = strategyIssues(ref, ctx.envId, path);
  if (!resolved) throw new ConfigError(file, issues);
  return strategies.get(resolved.name)!.factory({ ...ctx, options: resolved.options });
}
