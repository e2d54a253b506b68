import "../../envs/index.js";
import { make, UnknownEnvError } from "../../core/registry.js";
import { deriveSeed } from "../../core/rng.js";
import type { Box } from "../../core/spaces.js";
import type { ParallelEnv, Policy } from "../../core/types.js";
import type { PeriodOutcome } from "../../envs/market-bidding-core.js";
import { computeRegisteredMetrics } from "../../eval/metric-registry.js";
import { marketMetrics } from "../../eval/outcome-metrics.js";
import { totalSurplus, type Outcome, type PeriodPair } from "../../eval/outcome.js";
import { ConfigError, formatPath, nestConfigError, nestIssues, type ConfigIssue } from "../../io/errors.js";
import { MarketSpecError } from "../../market/errors.js";
import { outsideConsumerSurplus, outsideProducerSurplus } from "../../market/welfare.js";
import { compileMarket, type CompiledMarket } from "../../market/spec.js";
import { resolveMarketOption } from "../../envs/market-option.js";
import { ParallelRescaleAction, rescaleBetween } from "../../wrappers/rescale-action.js";
import { ScriptedAgents } from "../../wrappers/scripted-agents.js";
import { checkAgents, conditionEnvOptions, type ResolvedCondition, type ResolvedExperiment } from "../schema.js";
import type { Task, TaskContext, TaskResult } from "../task.js";
import { algorithmIssues, trainOrLoad } from "./learning.js";
import { exploitabilityMetrics, exploitProfile } from "./market-exploit.js";
import { agentStrategy, scriptedAgents, strategyPolicies, strategyPreflightIssues } from "./strategies.js";

/**
 * The market scenario (seed 002): learned producers bid in `MarketBiddingParallel-v0` against analytic ones.
 *
 * - Training: one learner per condition and seed on the parallel env with the condition's learned agents
 *   (independent learners, or one shared policy with `shareParameters`), the others analytic. The
 *   counterfactual is switched off while training (it only feeds evaluation).
 * - Action parameterisation: learned bidders act in deviations from the truthful bid (demand scale 1, withhold 0),
 *   so an untrained policy's mean action is the analytic agent's; the env still receives actions in its own space.
 * - Strategies: a condition's `strategies` agents are played by their registered policies (src/agents), acting in
 *   the env's own action space: beside the learners while training (ScriptedAgents), and in evaluation. Agents
 *   neither learned nor scripted are the env's analytic (truthful) bidders.
 * - Evaluation: every condition and training seed on the same evaluation episodes, seeded
 *   `deriveSeed(evaluation.seed, "episode", e)`, so on the same demand draws; analytic agents bid truthfully.
 */
const ENV_ID = "MarketBiddingParallel-v0";
const SINGLE_ID = "MarketBidding-v0";

/**
 * Env options a condition may set for itself: what learned agents see and hold, and solver settings. Options that
 * move the demand draws or the market (demand, market, forecaster, warmup, episodeLength, seeds, ...) belong in
 * `env.options`, shared by every condition, so that every condition is evaluated on the same draws.
 */
const CONDITION_OPTIONS = ["observeForecasts", "horizon", "inventory", "solver"];

/**
 * The env options of a condition (the experiment's, with the condition's `envOptions` merged over them) without
 * the ones the scenario sets itself.
 */
function baseOptions(cfg: ResolvedExperiment, condition?: Pick<ResolvedCondition, "envOptions">): Record<string, unknown> {
  const { learned: _l, agent: _a, counterfactual: _c, ...rest } = condition ? conditionEnvOptions(cfg, condition) : cfg.env.options;
  return rest;
}

/** The strategies of a condition's scripted agents in an env built for a task: seeded from `seed`, told apart by `salt`. */
interface ScriptedSpec {
  condition: ResolvedCondition;
  seed: number;
  salt: string | number;
}

/**
 * A parallel market env whose learned agents act in deviations from the truthful bid. With `scripted`, the
 * condition's scripted agents (strategies other than the default truthful one) are agents of the env too, played by
 * their strategy policies inside a ScriptedAgents wrapper (in the env's own action space), hidden from the learners.
 */
export function marketEnv(
  cfg: ResolvedExperiment,
  learned: readonly string[],
  counterfactual: boolean,
  condition?: Pick<ResolvedCondition, "envOptions">,
  scripted?: ScriptedSpec,
): ParallelEnv {
  const names = marketOf(cfg).names;
  const bots = scripted ? scriptedAgents(scripted.condition, names).filter((a) => !learned.includes(a)) : [];
  const agents = bots.length > 0 ? names.filter((a) => learned.includes(a) || bots.includes(a)) : [...learned];
  const base = make(ENV_ID, { ...baseOptions(cfg, condition), learned: agents, counterfactual }) as ParallelEnv<unknown, number[]>;
  const env =
    bots.length > 0
      ? new ScriptedAgents(
          base,
          strategyPolicies(
            scripted!.condition,
            bots,
            scripted!.seed,
            (a) => ({ envId: ENV_ID, actionSpace: base.actionSpace(a), observationSpace: base.observationSpace(a), env: base }),
            scripted!.salt,
          ) as Record<string, Policy<unknown, number[]>>,
        )
      : base;
  const inner = env.actionSpace(learned[0]) as Box;
  const truthful = Array.from({ length: inner.size }, (_, k) => (inner.high[k] === 2 ? 1 : 0)); // demand scales are [0, 2]
  return new ParallelRescaleAction(
    env,
    inner.low.map((l, k) => l - truthful[k]),
    inner.high.map((h, k) => h - truthful[k]),
  ) as ParallelEnv;
}

/**
 * The evaluation policies of a condition's scripted agents on `env` (a market env from {@link marketEnv} with every
 * producer an agent), acting in the scenario's shifted action space: each strategy is built with the unwrapped env
 * (ctx.env) and acts in the env's own space. `exclude` leaves out agents (the learned ones, a deviator).
 */
export function evaluationStrategies(
  cfg: ResolvedExperiment,
  condition: ResolvedCondition,
  env: ParallelEnv,
  exclude: (a: string) => boolean = () => false,
): Map<string, Policy> {
  const wrapped = env as ParallelRescaleAction<unknown>;
  const base = wrapped.env;
  const names = marketOf(cfg).names;
  const bots = strategyPolicies(
    condition,
    scriptedAgents(condition, names).filter((a) => !exclude(a)),
    cfg.evaluation.seed,
    (a) => ({
      envId: ENV_ID,
      actionSpace: base.actionSpace(a),
      observationSpace: base.observationSpace(a),
      env: base,
    }),
  );
  const out = new Map<string, Policy>();
  for (const [a, bot] of Object.entries(bots)) {
    out.set(a, { act: (o, opts) => rescaleBetween(bot.act(o, opts) as number[], base.actionSpace(a) as Box, wrapped.actionSpace(a)) });
  }
  return out;
}

/** The experiment's market (the paper's by default), compiled. */
export function marketOf(cfg: ResolvedExperiment): CompiledMarket {
  return compileMarket(resolveMarketOption(cfg.env.options.market) as Parameters<typeof compileMarket>[0]);
}

export function learnedOf(cfg: ResolvedExperiment, condition: Task["condition"]): string[] {
  const agents = marketOf(cfg).names;
  return condition.learned === "all" ? [...agents] : agents.filter((a) => (condition.learned as string[]).includes(a));
}

/** Checks before any task runs: env id and options, agent ids, per-condition options, algorithms. */
export async function preflight(cfg: ResolvedExperiment, file: string): Promise<void> {
  if (cfg.env.id !== ENV_ID && cfg.env.id !== SINGLE_ID) {
    throw new ConfigError(file, [
      { path: "env.id", message: `the market scenario runs on ${ENV_ID} (or ${SINGLE_ID}), got "${cfg.env.id}"` },
    ]);
  }
  let agents: readonly string[];
  try {
    agents = marketOf(cfg).names;
    make(ENV_ID, baseOptions(cfg)).close();
  } catch (err) {
    if (err instanceof UnknownEnvError) throw new ConfigError(file, [{ path: "env.id", message: err.message }]);
    if (err instanceof MarketSpecError) throw nestConfigError(err, file, "env.options.market");
    if (err instanceof ConfigError && err.file === `${ENV_ID} options`) throw nestConfigError(err, file, "env.options");
    throw new ConfigError(file, [{ path: "env.options", message: (err as Error).message }]);
  }
  checkAgents(cfg, agents, file);
  const issues: ConfigIssue[] = [];
  (cfg.exploitability?.agents ?? []).forEach((a, k) => {
    if (!agents.includes(a))
      issues.push({
        path: formatPath(["exploitability", "agents", k]),
        message: `unknown agent "${a}"; the market's producers are ${agents.join(", ")}`,
      });
  });
  const pending: Promise<ConfigIssue[]>[] = [];
  cfg.conditions.forEach((c, i) => {
    if (Object.keys(c.agents).length > 0) {
      issues.push({
        path: formatPath(["conditions", i, "agents"]),
        message: "per-agent algorithms are not supported by the market scenario; give one algorithm per condition",
      });
    }
    const options = conditionEnvOptions(cfg, c);
    for (const k of Object.keys(c.envOptions ?? {})) {
      if (!CONDITION_OPTIONS.includes(k)) {
        issues.push({
          path: formatPath(["conditions", i, "envOptions", k]),
          message: `would change the demand draws or the market of this condition only; set it in env.options (a condition may set ${CONDITION_OPTIONS.join(", ")})`,
        });
      }
    }
    const initial = (options.inventory as { initial?: unknown } | null | undefined)?.initial;
    if (initial !== undefined && (Array.isArray(initial) ? initial.some((v) => v !== 0) : initial !== 0)) {
      issues.push({
        path: c.envOptions?.inventory
          ? formatPath(["conditions", i, "envOptions", "inventory", "initial"])
          : "env.options.inventory.initial",
        message:
          "must be 0 in experiments: evaluation gives every producer the initial stock, and analytic producers would pay holding costs the all-analytic counterfactual does not have",
      });
    }
    if (issues.length > 0) return;
    if (c.envOptions !== undefined) {
      try {
        make(ENV_ID, baseOptions(cfg, c)).close();
      } catch (err) {
        // env.options alone passed above, so the merged options' problem is this condition's
        const at = formatPath(["conditions", i, "envOptions"]);
        if (err instanceof ConfigError) issues.push(...nestIssues(err.issues, at));
        else issues.push({ path: at, message: (err as Error).message });
        return;
      }
    }
    if (c.strategies) {
      const probe = make(ENV_ID, { ...baseOptions(cfg, c), learned: [...agents], counterfactual: false }) as ParallelEnv;
      issues.push(
        ...strategyPreflightIssues(c, i, agents, (a) => ({
          envId: ENV_ID,
          actionSpace: probe.actionSpace(a),
          observationSpace: probe.observationSpace(a),
          env: probe,
        })),
      );
      probe.close();
      if (issues.length > 0) return;
    }
    const learned = c.learned === "all" ? agents : c.learned;
    if (learned.length > 0)
      pending.push(
        algorithmIssues(
          c,
          i,
          cfg.training.numEnvs,
          () => marketEnv(cfg, learned, false, c, { condition: c, seed: cfg.evaluation.seed, salt: "preflight" }),
          cfg.training.totalSteps,
        ),
      );
  });
  for (const more of await Promise.all(pending)) issues.push(...more);
  if (issues.length) throw new ConfigError(file, issues);
}

function outcomeOf(
  market: CompiledMarket,
  demandAlpha: readonly number[],
  prices: readonly number[],
  profits: readonly number[],
  totalSurplus: number,
): Outcome {
  const { G, L } = market;
  const outsideSurplus: Record<string, number> = {};
  for (let j = 0; j < G; j++) {
    outsideSurplus[`supply/M[0][${j}]`] = outsideProducerSurplus(market, prices, j);
    outsideSurplus[`demand/M[${L}][${j}]`] = outsideConsumerSurplus(market, prices, demandAlpha, j);
  }
  const priceRecord: Record<string, number> = {};
  prices.forEach((p, q) => (priceRecord[`M[${Math.floor(q / G)}][${q % G}]`] = p));
  return { profits: Object.fromEntries(market.names.map((n, i) => [n, profits[i]])), outsideSurplus, totalSurplus, prices: priceRecord };
}

/** Train the condition's learned agents with this seed (or load them), then evaluate on the shared draws. */
export async function runTask(task: Task, ctx: TaskContext): Promise<TaskResult> {
  const cfg = task.experiment;
  const { condition } = task;
  const learned = learnedOf(cfg, condition);
  let copy = 0;
  const { policies, learningCurve, trainSeconds, backend } = await trainOrLoad(task, ctx, learned, () =>
    marketEnv(cfg, learned, false, condition, { condition, seed: cfg.evaluation.seed, salt: `train-${task.seed}-${copy++}` }),
  );

  // Evaluation: every producer is an agent of the env; analytic ones bid truthfully (action 0 = truthful); scripted
  // ones act in the env's own action space, mapped into the shifted one the wrapper takes.
  const t1 = performance.now();
  const market = marketOf(cfg);
  const names = market.names;
  const env = marketEnv(cfg, names, true, condition) as ParallelRescaleAction<unknown>;
  const zero = new Array<number>((env.actionSpace(names[0]) as Box).size).fill(0);
  const scripted = evaluationStrategies(cfg, condition, env, (a) => policies.has(a));
  const pairs: PeriodPair[] = [];
  let responsePeriods = 0;
  let responseConverged = 0;
  let responseRounds = 0;
  const episodeMetrics: NonNullable<TaskResult["episodeMetrics"]> = [];
  const episodePairs: PeriodPair[][] = [];
  const episodes: NonNullable<TaskResult["episodes"]> = [];
  const prices: NonNullable<TaskResult["prices"]> = [];
  for (let e = 0; e < cfg.evaluation.episodes; e++) {
    let { observations } = env.reset({ seed: deriveSeed(cfg.evaluation.seed, "episode", e) });
    const profit = new Float64Array(names.length);
    const cfProfit = new Float64Array(names.length);
    let surplus = 0;
    let cfSurplus = 0;
    let fbSurplus = 0;
    const first = pairs.length;
    while (env.agents.length > 0) {
      const actions: Record<string, number[]> = {};
      for (const a of env.agents) {
        const p = policies.get(a) ?? scripted.get(a);
        actions[a] = p ? (p.act(observations[a], { deterministic: cfg.evaluation.deterministic }) as number[]) : zero;
      }
      const step = env.step(actions);
      observations = step.observations;
      const info = step.infos[names[0]] as unknown as PeriodOutcome;
      if (info.responses) {
        responsePeriods++;
        if (info.responses.converged) responseConverged++;
        responseRounds += info.responses.rounds;
      }
      const cf = info.counterfactual!;
      const fb = info.firstBest!;
      pairs.push({
        outcome: outcomeOf(market, info.demandAlpha, info.prices, info.profits, info.totalSurplus),
        counterfactual: outcomeOf(market, info.demandAlpha, cf.prices, cf.profits, cf.totalSurplus),
        firstBest: outcomeOf(market, info.demandAlpha, fb.prices, fb.profits, fb.totalSurplus),
      });
      names.forEach((_, i) => {
        profit[i] += info.profits[i];
        cfProfit[i] += cf.profits[i];
      });
      surplus += info.totalSurplus;
      cfSurplus += cf.totalSurplus;
      fbSurplus += fb.totalSurplus;
      if (e === 0)
        info.prices.forEach((p, q) =>
          prices.push({
            period: info.period,
            market: `M[${Math.floor(q / market.G)}][${q % market.G}]`,
            price: p,
            equilibrium: cf.prices[q],
          }),
        );
    }
    const own = pairs.slice(first);
    episodePairs.push(own);
    episodeMetrics.push({
      episode: e,
      metrics: marketMetrics(own, { metrics: cfg.metrics }),
      ratios: {
        "efficiency/first_best": [sumOf(own, (p) => totalSurplus(p.outcome)), sumOf(own, (p) => totalSurplus(p.firstBest!))],
        "welfare/vs_competitive": [sumOf(own, (p) => totalSurplus(p.outcome)), sumOf(own, (p) => totalSurplus(p.counterfactual))],
      },
    });
    names.forEach((a, i) =>
      episodes.push({
        episode: e,
        agent: a,
        learned: policies.has(a),
        strategy: agentStrategy(condition, a, policies.has(a)),
        profit: profit[i],
        counterfactual_profit: cfProfit[i],
        total_surplus: surplus,
        counterfactual_total_surplus: cfSurplus,
        first_best_total_surplus: fbSurplus,
      }),
    );
    ctx.progress(0.9 + (0.1 * (e + 1)) / cfg.evaluation.episodes);
  }
  env.close();
  // Registered metrics (plugins) per episode too, from that episode's records: the cells of the design.
  episodeMetrics.forEach((em, e) =>
    Object.assign(
      em.metrics,
      computeRegisteredMetrics(cfg.metrics, {
        scenario: "market",
        records: episodePairs[e],
        episodes: episodes.filter((r) => r.episode === em.episode),
      }),
    ),
  );
  const metrics = {
    ...marketMetrics(pairs, { metrics: cfg.metrics }),
    ...computeRegisteredMetrics(cfg.metrics, { scenario: "market", records: pairs, episodes }),
  };
  // Measured once per (condition, seed) over all its episodes, not per episode: the bidding game's convergence and
  // the profile's exploitability. They enter every episode cell as the same value, so the seeds x episodes
  // bootstrap gives them the seed-to-seed variation only (docs/statistics.md).
  const perSeed: Record<string, number> = {};
  if (responsePeriods > 0) {
    // Best responders chose their bids within each period: how often the iteration reached its fixed point.
    perSeed["game/converged_share"] = responseConverged / responsePeriods;
    perSeed["game/rounds"] = responseRounds / responsePeriods;
  }
  let exploitability: TaskResult["exploitability"];
  const exploitHere =
    cfg.exploitability &&
    (cfg.exploitability.conditions ? cfg.exploitability.conditions.includes(condition.name) : condition.strategies === undefined);
  if (cfg.exploitability && exploitHere) {
    // Each listed agent's best-response gain against this profile (the others held fixed), on the same draws.
    const agents = cfg.exploitability.agents ?? (learned.length > 0 ? learned : [...names]);
    const rows = await exploitProfile(cfg, condition, task.seed, agents, cfg.exploitability.method, {
      budget: cfg.exploitability.budget,
      profile: { cfg, condition, policies },
    });
    Object.assign(perSeed, exploitabilityMetrics(rows));
    exploitability = rows as unknown as TaskResult["exploitability"];
  }
  Object.assign(metrics, perSeed);
  for (const em of episodeMetrics) Object.assign(em.metrics, perSeed);
  return {
    metrics,
    exploitability,
    learningCurve,
    episodeMetrics,
    episodes,
    prices,
    backend,
    timings: { train_s: trainSeconds, eval_s: (performance.now() - t1) / 1000 },
  };
}

function sumOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}
