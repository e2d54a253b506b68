import "../../envs/index.js";
import { make } from "../../core/registry.js";
import { deriveSeed } from "../../core/rng.js";
import { Box } from "../../core/spaces.js";
import type { Env, ParallelEnv, Policy } from "../../core/types.js";
import { negotiationMetrics } from "../../eval/contracts-metrics.js";
import type { NegotiationOutcome } from "../../contracts/outcome.js";
import { ContractEpisode, resolveContractEnvOptions, retailerStrategySpaces, subStrategySpaces } from "../../envs/contract-negotiation.js";
import { ContractNegotiationParallelEnv } from "../../envs/contract-negotiation-parallel.js";
import { ConfigError, formatPath, type ConfigIssue } from "../../io/errors.js";
import type { LearnedPolicy } from "../../rl/policy.js";
import { ParallelRescaleAction, RescaleAction, rescaleBetween } from "../../wrappers/rescale-action.js";
import { conditionEnvOptions, type ResolvedCondition, type ResolvedExperiment } from "../schema.js";
import type { Task, TaskContext, TaskResult } from "../task.js";
import { algorithmIssues, trainOrLoad } from "./learning.js";
import { strategyPolicies, strategyPreflightIssues, type AgentContext } from "./strategies.js";

/**
 * The contracts scenario (seed 004): a retailer and subcontractors negotiate wholesale-price (or buy-back) contracts
 * in the Iterated Contract Net (src/contracts, docs/model.md B).
 *
 * - Agents: "retailer" and the subcontractor ids of the env (S1, S2, ...). A condition's `learned` lists the agents
 *   played by learners; the others are the analytic negotiators (Faratin tactics for subcontractors, the
 *   time-dependent retailer that allocates from the quotes). `learned: []` is an all-analytic condition.
 * - Env options: `env.options` (ContractEnvOptions: `config`, `negotiation`, `demand`, `randomInstances`,
 *   `reward`) with the condition's `envOptions` merged over them (`conditionEnvOptions`). The analytic conditions
 *   without / with `checkQuantityEfficiency()` differ only by `envOptions: {"negotiation": {"check": false | true}}`;
 *   the allocation rule of a learned retailer's conditions is also `negotiation.check` (the learner sets prices, the
 *   rule fixes quantities after the round-1 capacity quotes). `learned` is set by the scenario, not an option.
 * - Strategies: a condition's `strategies` agents are played by registered policies (src/agents/contracts/tactics.ts:
 *   `configured`, `time-dependent`, `boulware`, `linear`, `conceder`, `tit-for-tat`, or a plugin's), deciding at
 *   their turn in the protocol (the retailer before the round's cfps, a subcontractor after them) on unnormalised
 *   views (`ContractEpisode.script`), beside the learners while training and in evaluation. Agents neither learned
 *   nor listed are the engine's analytic negotiators (its fast path); `configured` through the env equals them.
 * - Training: a learned retailer alone trains on ContractNegotiation-v0; any other set of learned agents on
 *   ContractNegotiationParallel-v0 with `learned` = that set (independent learners, or one shared network with
 *   `shareParameters`). The retailer and subcontractors can learn together as independent learners (their spaces
 *   differ, so they cannot share one policy; preflight says so). Learners
 *   act in [-1, 1] per action entry, mapped affinely onto the env's [0, 1] (a price or offer as a fraction of R),
 *   so an untrained Gaussian policy's mean action is 0.5 R rather than a clipped 0 (with the env option
 *   `actions: "relative"`, [0, 1] is a move from the counterpart's last price: ContractEpisode.retailerOffer/subPrice).
 * - Evaluation: every condition and training seed negotiates the same `evaluation.episodes` instances: episode k
 *   is reset with seed `deriveSeed(evaluation.seed, "contracts", k)` (its demand draw, and its instance with
 *   `randomInstances`), the seed `runNegotiations` gives negotiation k of an analytic run with base seed
 *   `evaluation.seed`. Learned agents act greedily unless `evaluation.deterministic` is false.
 * - Results: metrics from `negotiationMetrics` (src/eval/contracts-metrics.ts), the
 *   learners' curves, one episodes.csv row per evaluation episode and actor.
 */
export const PARALLEL_ID = "ContractNegotiationParallel-v0";
export const SINGLE_ID = "ContractNegotiation-v0";
export const RETAILER = "retailer";
/** Env options the scenario sets itself. */
const RESERVED_OPTIONS = ["learned"];

/** The learners' action range; the env's is [0, 1]. */
const LOW = -1;
const HIGH = 1;

/** Every agent id of the env with these options: "retailer" then the subcontractor ids. */
export function contractAgents(options: Record<string, unknown>): string[] {
  const env = new ContractNegotiationParallelEnv(options);
  const agents = [...env.possibleAgents];
  env.close();
  return agents;
}

/** The learned agents of a condition in the env's order ("all" expanded). */
function learnedOf(condition: ResolvedCondition, agents: readonly string[]): string[] {
  return condition.learned === "all" ? [...agents] : agents.filter((a) => (condition.learned as string[]).includes(a));
}

/** A condition's strategies to play in an env: seeded from `seed`, told apart by `salt`. */
export interface ContractScripts {
  condition: Pick<ResolvedCondition, "name" | "strategies">;
  seed: number;
  salt: string | number;
}

/** The strategy context of `agent` on an episode: the strategy view and action spaces, the episode as `env`. */
export function strategyContext(ep: ContractEpisode, agent: string): AgentContext {
  const spaces = agent === RETAILER ? retailerStrategySpaces(ep.n) : subStrategySpaces();
  return { envId: PARALLEL_ID, ...spaces, env: ep };
}

/**
 * Let the condition's strategies play their agents on `ep` (except `exclude`d ones: learned agents, a deviator),
 * at their turn in the protocol (`ContractEpisode.script`). Returns the scripted agents.
 */
export function scriptStrategies(ep: ContractEpisode, scripts: ContractScripts, exclude: (a: string) => boolean = () => false): string[] {
  const ids = ep.cfg.subcontractors.map((s) => s.id);
  const agents = Object.keys(scripts.condition.strategies ?? {}).filter((a) => !exclude(a));
  const policies = strategyPolicies(scripts.condition, agents, scripts.seed, (a) => strategyContext(ep, a), scripts.salt);
  for (const [a, p] of Object.entries(policies)) ep.script(a === RETAILER ? 0 : 1 + ids.indexOf(a), p as Policy);
  return agents;
}

/** The ContractEpisode inside an env made by `make` (through its wrappers). */
function episodeOf(env: unknown): ContractEpisode {
  let e = env as { episode?: ContractEpisode; env?: unknown };
  while (!e.episode && e.env) e = e.env as typeof e;
  if (!e.episode) throw new Error("internal: no ContractEpisode inside the contracts env");
  return e.episode;
}

/** The env a condition's learners train on, acting in [LOW, HIGH], with the condition's strategies beside them. */
export function trainingEnv(options: Record<string, unknown>, learned: readonly string[], scripts?: ContractScripts): Env | ParallelEnv {
  const exclude = (a: string) => learned.includes(a);
  if (learned.length === 1 && learned[0] === RETAILER) {
    const env = make(SINGLE_ID, options) as Env<number[], number[]>;
    if (scripts) scriptStrategies(episodeOf(env), scripts, exclude);
    return new RescaleAction(env, LOW, HIGH) as unknown as Env;
  }
  const env = make(PARALLEL_ID, { ...options, learned: [...learned] }) as ParallelEnv<number[], number[]>;
  if (scripts) scriptStrategies(episodeOf(env), scripts, exclude);
  return new ParallelRescaleAction(env, LOW, HIGH) as unknown as ParallelEnv;
}

/** Checks before any task runs: env id, env options (experiment and per condition), agent ids, algorithms. */
export async function preflight(cfg: ResolvedExperiment, file: string): Promise<void> {
  if (cfg.env.id !== PARALLEL_ID && cfg.env.id !== SINGLE_ID) {
    throw new ConfigError(file, [
      { path: "env.id", message: `the contracts scenario runs on ${PARALLEL_ID} (or ${SINGLE_ID}), got "${cfg.env.id}"` },
    ]);
  }
  const issues: ConfigIssue[] = [];
  for (const k of RESERVED_OPTIONS) {
    if (k in cfg.env.options)
      issues.push({ path: `env.options.${k}`, message: "set by the scenario from each condition's learned agents; remove it" });
  }
  issues.push(...optionIssues(cfg.env.options, "env.options"));
  if (issues.length) throw new ConfigError(file, issues);

  const pending: Promise<ConfigIssue[]>[] = [];
  cfg.conditions.forEach((c, i) => {
    const at = (...p: PropertyKey[]) => formatPath(["conditions", i, ...p]);
    if (c.envOptions) {
      for (const k of RESERVED_OPTIONS)
        if (k in c.envOptions) issues.push({ path: at("envOptions", k), message: "set by the scenario from learned; remove it" });
      const own = optionIssues(conditionEnvOptions(cfg, c), at("envOptions"));
      if (own.length) {
        issues.push(...own);
        return;
      }
    }
    const options = conditionEnvOptions(cfg, c);
    const agents = contractAgents(options);
    (cfg.exploitability?.agents ?? []).forEach((a, j) => {
      const path = `exploitability.agents[${j}]`;
      if (!agents.includes(a) && !issues.some((x) => x.path === path))
        issues.push({ path, message: `unknown agent "${a}" in condition ${c.name}; its environment's agents are ${agents.join(", ")}` });
    });
    if (c.learned !== "all") {
      c.learned.forEach((a, j) => {
        if (!agents.includes(a))
          issues.push({ path: at("learned", j), message: `unknown agent "${a}"; the environment's agents are ${agents.join(", ")}` });
      });
    }
    if (Object.keys(c.agents).length > 0) {
      issues.push({
        path: at("agents"),
        message: "per-agent algorithms are not supported by the contracts scenario; give one algorithm per condition",
      });
    }
    if (c.strategies) {
      const { learned: _l, ...rest } = options;
      const probe = new ContractEpisode(resolveContractEnvOptions(rest, PARALLEL_ID));
      const own = strategyPreflightIssues(c, i, agents, (a) => strategyContext(probe, a));
      if (own.length > 0) {
        issues.push(...own);
        return;
      }
    }
    const learned = learnedOf(c, agents);
    if (learned.length === 0) return;
    if (learned.length > 1 && learned.includes(RETAILER) && c.shareParameters) {
      issues.push({
        path: at("shareParameters"),
        message:
          "the retailer and the subcontractors have different observation and action spaces, so they cannot share one policy; set shareParameters to false (independent learners)",
      });
    }
    pending.push(
      algorithmIssues(
        c,
        i,
        cfg.training.numEnvs,
        () => trainingEnv(options, learned, { condition: c, seed: cfg.evaluation.seed, salt: "preflight" }),
        cfg.training.totalSteps,
      ),
    );
  });
  for (const more of await Promise.all(pending)) issues.push(...more);
  if (issues.length) throw new ConfigError(file, issues);
}

/** Validation issues of contract env options, with paths under `prefix`. */
function optionIssues(options: Record<string, unknown>, prefix: string): ConfigIssue[] {
  const { learned: _l, ...rest } = options;
  try {
    resolveContractEnvOptions(rest, PARALLEL_ID);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: i.message }));
    return [{ path: prefix, message: (err as Error).message }];
  }
}

/** Train the condition's learned agents with this seed (or load them), then evaluate on the shared draws. */
export async function runTask(task: Task, ctx: TaskContext): Promise<TaskResult> {
  const cfg = task.experiment;
  const { condition } = task;
  const options = conditionEnvOptions(cfg, condition);
  const agents = contractAgents(options);
  const learned = learnedOf(condition, agents);
  let copy = 0;
  const { policies, learningCurve, trainSeconds, backend } = await trainOrLoad(task, ctx, learned, () =>
    trainingEnv(options, learned, { condition, seed: cfg.evaluation.seed, salt: `train-${task.seed}-${copy++}` }),
  );

  const t1 = performance.now();
  const { outcomes, ids } = evaluate(cfg, condition, options, policies, (f) => ctx.progress(0.9 + 0.1 * f));
  const strategy = (agent: string) =>
    policies.has(agent) ? `learned:${condition.algorithm.name}` : (condition.strategies?.[agent]?.name ?? ANALYTIC);
  const episodes: NonNullable<TaskResult["episodes"]> = [];
  for (const o of outcomes) {
    const common = {
      demand: o.demand,
      agreement: o.agreement,
      rounds_to_agreement: o.roundsToAgreement,
      chain_efficiency: o.efficiency,
      illogical_price: o.illogicalPrice,
    };
    episodes.push({
      episode: o.negotiation,
      agent: RETAILER,
      learned: policies.has(RETAILER),
      strategy: strategy(RETAILER),
      price: NaN,
      quantity: o.agreedQuantity,
      profit: o.retailerProfit,
      added_value: o.retailerCost,
      ...common,
    });
    ids.forEach((id, i) =>
      episodes.push({
        episode: o.negotiation,
        agent: id,
        learned: policies.has(id),
        strategy: strategy(id),
        price: o.price[i],
        quantity: o.quantity[i],
        profit: o.subcontractorProfit[i],
        added_value: o.subcontractorCost[i],
        ...common,
      }),
    );
  }
  const episodeMetrics = outcomes.map((o) => ({
    episode: o.negotiation,
    metrics: negotiationMetrics([o], { metrics: cfg.metrics, subcontractorIds: ids }),
    ratios: { "efficiency/chain": [o.chainProfit, o.maxChainProfit] as [number, number] },
  }));
  const metrics = negotiationMetrics(outcomes, { metrics: cfg.metrics, subcontractorIds: ids });
  let exploitability: TaskResult["exploitability"];
  const exploitHere =
    cfg.exploitability &&
    (cfg.exploitability.conditions ? cfg.exploitability.conditions.includes(condition.name) : condition.strategies === undefined);
  if (cfg.exploitability && exploitHere) {
    // Each listed agent's best-response gain against this profile (the others held fixed), on the same draws;
    // measured once per (condition, seed), so it enters every episode cell as the same value (as in the market).
    const { contractsExploitProfile } = await import("./contracts-exploit.js");
    const { exploitabilityMetrics } = await import("./market-exploit.js");
    const listed = cfg.exploitability.agents ?? (learned.length > 0 ? learned : agents);
    const rows = await contractsExploitProfile(cfg, condition, task.seed, listed, cfg.exploitability.method, {
      budget: cfg.exploitability.budget,
      profile: { cfg, condition, options, agents, policies },
    });
    const perSeed = exploitabilityMetrics(rows);
    Object.assign(metrics, perSeed);
    for (const em of episodeMetrics) Object.assign(em.metrics, perSeed);
    exploitability = rows as unknown as TaskResult["exploitability"];
  }
  return {
    metrics,
    exploitability,
    learningCurve,
    episodeMetrics,
    episodes,
    backend,
    timings: { train_s: trainSeconds, eval_s: (performance.now() - t1) / 1000 },
  };
}

/** What episodes.csv's `strategy` column says of an agent neither learned nor given a strategy: the engine's own negotiator. */
export const ANALYTIC = "analytic";

/**
 * Negotiate the evaluation episodes with the given learned policies and the condition's strategies (agents with
 * neither are the engine's analytic negotiators): episode k reset with `deriveSeed(evaluation.seed, "contracts", k)`.
 * Observations and the action mapping of learned agents are the training envs' (the same ContractEpisode methods,
 * the same affine map from [LOW, HIGH] onto [0, 1] x R); strategies decide at their protocol turn
 * (`scriptStrategies`), seeded from `evaluation.seed`. `exclude` leaves an agent's strategy out (an exploit deviator
 * scripted by the caller through `prepare`).
 */
export function evaluate(
  cfg: Pick<ResolvedExperiment, "evaluation">,
  condition: Pick<ResolvedCondition, "name" | "strategies">,
  options: Record<string, unknown>,
  policies: ReadonlyMap<string, Policy>,
  progress: (fraction: number) => void = () => {},
  prepare?: (ep: ContractEpisode) => void,
  exclude: (agent: string) => boolean = () => false,
): { outcomes: NegotiationOutcome[]; ids: string[] } {
  const conditionName = condition.name;
  const { learned: _l, ...rest } = options;
  const ep = new ContractEpisode(resolveContractEnvOptions(rest, PARALLEL_ID));
  if (condition.strategies)
    scriptStrategies(ep, { condition, seed: cfg.evaluation.seed, salt: "evaluate" }, (a) => policies.has(a) || exclude(a));
  prepare?.(ep);
  const n = ep.n;
  const ids = ep.cfg.subcontractors.map((s) => s.id);
  const retailer = policies.get(RETAILER);
  const subs = ids.map((id) => policies.get(id));
  const anySub = subs.some((p) => p !== undefined);
  const outerOffer = new Box(LOW, HIGH, [n]);
  const innerOffer = new Box(0, 1, [n]);
  const outerPrice = new Box(LOW, HIGH, [1]);
  const innerPrice = new Box(0, 1, [1]);
  const act = { deterministic: cfg.evaluation.deterministic };
  for (const [agent, p] of policies) (p as Partial<LearnedPolicy>).reseed?.(deriveSeed(cfg.evaluation.seed, "act", conditionName, agent));
  const rewards = new Float64Array(n + 1);
  const outcomes: NegotiationOutcome[] = [];
  for (let k = 0; k < cfg.evaluation.episodes; k++) {
    const seed = deriveSeed(cfg.evaluation.seed, "contracts", k);
    ep.reset(seed);
    let done = false;
    while (!done) {
      if (retailer) {
        const inner = rescaleBetween(retailer.act(ep.retailerObservation(), act) as number[], outerOffer, innerOffer);
        for (let i = 0; i < n; i++) ep.offers[i] = ep.retailerOffer(i, inner[i]);
      }
      if (anySub) {
        for (let i = 0; i < n; i++) {
          const p = subs[i];
          ep.prices[i] = p ? ep.subPrice(i, rescaleBetween(p.act(ep.subObservation(i), act) as number[], outerPrice, innerPrice)[0]) : NaN;
        }
      }
      done = ep.play(retailer ? ep.offers : null, anySub ? ep.prices : null, rewards);
    }
    outcomes.push({ ...ep.outcome!, negotiation: k, seed, condition: conditionName });
    progress((k + 1) / cfg.evaluation.episodes);
  }
  return { outcomes, ids };
}
