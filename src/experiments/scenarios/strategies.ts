import { getStrategy, type ResolvedStrategy, type StrategyContext } from "../../agents/registry.js";
import { deriveSeed } from "../../core/rng.js";
import type { Policy } from "../../core/types.js";
import { ConfigError, formatPath, nestIssues, type ConfigIssue } from "../../io/errors.js";
import type { ResolvedCondition } from "../schema.js";

/**
 * What every scenario does the same way with a condition's `strategies`: which agents are scripted, building their
 * policies, checking them before the run, and naming what each agent was in episodes.csv.
 *
 * An agent given `truthful` without options is left to the simulator's own analytic agent (its fast path inside the
 * env), exactly as an agent not listed at all; a test checks that the registered `truthful` policy acting through
 * the env gives bit-identical results. Strategy policies are seeded from the evaluation seed, the condition and the
 * agent (`deriveSeed(evaluation.seed, "strategy", condition, agent)`), not from the training seed: a condition
 * without learners is then the same for every training seed, and the comparison says its seeds are copies.
 */
export const DEFAULT_STRATEGY = "truthful";

/** The agents of a condition played by a strategy other than the default analytic one, in `agents` order. */
export function scriptedAgents(condition: Pick<ResolvedCondition, "strategies">, agents: readonly string[]): string[] {
  const s = condition.strategies ?? {};
  return agents.filter((a) => s[a] !== undefined && !isDefault(s[a]));
}

function isDefault(s: ResolvedStrategy): boolean {
  return s.name === DEFAULT_STRATEGY && Object.keys(s.options).length === 0;
}

/** What an agent was in a condition, for episodes.csv's `strategy` column: `learned:<algorithm>` or the strategy name. */
export function agentStrategy(
  condition: Pick<ResolvedCondition, "strategies" | "algorithm" | "agents">,
  agent: string,
  learned: boolean,
): string {
  if (learned) return `learned:${(condition.agents[agent] ?? condition.algorithm).name}`;
  return condition.strategies?.[agent]?.name ?? DEFAULT_STRATEGY;
}

/** The context of one agent's strategy, without options (see {@link strategyPolicies}). */
export type AgentContext = Omit<StrategyContext, "options" | "seed" | "agent">;

/**
 * Build the policies of `scripted` agents from the condition's strategies. `context(agent)` gives the env id, the
 * agent's spaces (the env's own) and the unwrapped env. `salt` tells apart several instances of one task (e.g. the
 * training env copies).
 */
export function strategyPolicies(
  condition: Pick<ResolvedCondition, "name" | "strategies">,
  scripted: readonly string[],
  seed: number,
  context: (agent: string) => AgentContext,
  salt: string | number = "evaluate",
): Record<string, Policy> {
  const out: Record<string, Policy> = {};
  for (const agent of scripted) {
    const ref = condition.strategies![agent];
    const entry = getStrategy(ref.name);
    if (!entry) throw new Error(`strategy "${ref.name}" is not registered in this thread (a plugin missing from the worker?)`);
    out[agent] = entry.factory({
      ...context(agent),
      agent,
      options: ref.options,
      seed: deriveSeed(seed, "strategy", condition.name, agent, salt),
    });
  }
  return out;
}

/**
 * Issues with condition `i`'s strategies against the env's agents: unknown agent ids, then a factory that fails for
 * the agent's real spaces (e.g. a per-good list of the wrong length), reported at the strategy's options.
 */
export function strategyPreflightIssues(
  condition: ResolvedCondition,
  i: number,
  agents: readonly string[],
  context: (agent: string) => AgentContext,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [agent, ref] of Object.entries(condition.strategies ?? {})) {
    const path = formatPath(["conditions", i, "strategies", agent]);
    if (!agents.includes(agent)) {
      issues.push({ path, message: `unknown agent "${agent}"; the environment's agents are ${agents.join(", ")}` });
      continue;
    }
    try {
      const entry = getStrategy(ref.name)!;
      const policy = entry.factory({ ...context(agent), agent, options: ref.options, seed: 0 });
      if (typeof policy?.act !== "function")
        issues.push({ path, message: `strategy "${ref.name}" returned no policy (an object with act(observation))` });
    } catch (err) {
      // a ConfigError's paths are relative to the strategy's options; any other error is the options' as a whole
      if (err instanceof ConfigError) issues.push(...nestIssues(err.issues, `${path}.options`));
      else issues.push({ path: `${path}.options`, message: (err as Error).message });
    }
  }
  return issues;
}
