import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import "../../envs/index.js";
import { make, UnknownEnvError } from "../../core/registry.js";
import { deriveSeed } from "../../core/rng.js";
import type { Box } from "../../core/spaces.js";
import type { ParallelEnv } from "../../core/types.js";
import type { PeriodOutcome } from "../../envs/market-bidding-core.js";
import { marketMetrics } from "../../eval/outcome-metrics.js";
import type { Outcome, PeriodPair } from "../../eval/outcome.js";
import { ConfigError, formatPath, type ConfigIssue } from "../../io/errors.js";
import { compileMarket, type CompiledMarket, type MarketSpec } from "../../market/spec.js";
import { consumerSurplus, producerSurplus } from "../../market/outside.js";
import { paperMarket } from "../../market/paper.js";
import { initBackend } from "../../rl/backend.js";
import { checkCommon, type CommonOptions } from "../../rl/on-policy.js";
import { LearnedPolicy, MultiAgentPolicy } from "../../rl/policy.js";
import { PPO, PPO_DEFAULTS, resolvePPOOptions } from "../../rl/ppo/index.js";
import { REINFORCE, REINFORCE_DEFAULTS, resolveREINFORCEOptions } from "../../rl/reinforce/index.js";
import { ParallelRescaleAction } from "../../wrappers/rescale-action.js";
import { checkAgents, conditionEnvOptions, type AlgorithmSpec, type ResolvedCondition, type ResolvedExperiment } from "../schema.js";
import type { Task, TaskContext, TaskResult } from "../task.js";

/**
 * The market scenario (seed 002): learned producers bid in `MarketBiddingParallel-v0` against analytic ones.
 *
 * - Training: one learner per condition and seed on the parallel env with the condition's learned agents
 *   (independent learners, or one shared policy with `shareParameters`), the others analytic. The
 *   counterfactual is switched off while training (it only feeds evaluation).
 * - Action parameterisation: learned bidders act in deviations from the truthful bid (demand scale 1, withhold 0),
 *   so an untrained policy's mean action is the analytic agent's; the env still receives actions in its own space.
 * - Evaluation: every condition and training seed on the same evaluation episodes, seeded
 *   `deriveSeed(evaluation.seed, "episode", e)`, so on the same demand draws; analytic agents bid truthfully.
 */
const ENV_ID = "MarketBiddingParallel-v0";
const SINGLE_ID = "MarketBidding-v0";
const RESERVED_HYPERPARAMETERS = ["env", "envOptions", "seed", "backend", "numEnvs", "shareParameters"];

type LearnerClass = typeof PPO | typeof REINFORCE;
const ALGORITHMS: Record<AlgorithmSpec["name"], { Learner: LearnerClass; defaults: object; resolve: (o: never) => unknown }> = {
  ppo: { Learner: PPO, defaults: PPO_DEFAULTS, resolve: resolvePPOOptions as (o: never) => unknown },
  reinforce: { Learner: REINFORCE, defaults: REINFORCE_DEFAULTS, resolve: resolveREINFORCEOptions as (o: never) => unknown },
};

/**
 * The env options of a condition (the experiment's, with the condition's `envOptions` merged over them) without
 * the ones the scenario sets itself. Conditions may change what agents observe (e.g. `observeForecasts`), never
 * the demand draws: every condition is evaluated on the same ones.
 */
function baseOptions(cfg: ResolvedExperiment, condition?: Pick<ResolvedCondition, "envOptions">): Record<string, unknown> {
  const { learned: _l, agent: _a, counterfactual: _c, ...rest } = condition ? conditionEnvOptions(cfg, condition) : cfg.env.options;
  return rest;
}

/** A parallel market env whose learned agents act in deviations from the truthful bid. */
function marketEnv(cfg: ResolvedExperiment, learned: readonly string[], counterfactual: boolean, condition?: Pick<ResolvedCondition, "envOptions">): ParallelEnv {
  const env = make(ENV_ID, { ...baseOptions(cfg, condition), learned: [...learned], counterfactual }) as ParallelEnv<unknown, number[]>;
  const inner = env.actionSpace(learned[0]) as Box;
  const G = inner.size;
  const truthful = Array.from({ length: G }, (_, k) => (inner.high[k] === 2 ? 1 : 0)); // demand scales are [0, 2]
  return new ParallelRescaleAction(
    env,
    inner.low.map((l, k) => l - truthful[k]),
    inner.high.map((h, k) => h - truthful[k]),
  ) as ParallelEnv;
}

function allAgents(cfg: ResolvedExperiment): string[] {
  const env = make(ENV_ID, { ...baseOptions(cfg) }) as ParallelEnv;
  const agents = [...env.possibleAgents];
  env.close();
  return agents;
}

function learnedOf(cfg: ResolvedExperiment, condition: Task["condition"]): string[] {
  const agents = allAgents(cfg);
  return condition.learned === "all" ? agents : agents.filter((a) => (condition.learned as string[]).includes(a));
}

/** Checks before any task runs: env id and options, agent ids, algorithms and their hyperparameters. */
export function preflight(cfg: ResolvedExperiment, file: string): void {
  if (cfg.env.id !== ENV_ID && cfg.env.id !== SINGLE_ID) {
    throw new ConfigError(file, [{ path: "env.id", message: `the market scenario runs on ${ENV_ID} (or ${SINGLE_ID}), got "${cfg.env.id}"` }]);
  }
  let agents: string[];
  try {
    agents = allAgents(cfg);
  } catch (err) {
    if (err instanceof UnknownEnvError) throw new ConfigError(file, [{ path: "env.id", message: err.message }]);
    throw new ConfigError(file, [{ path: "env.options", message: (err as Error).message }]);
  }
  checkAgents(cfg, agents, file);
  const issues: ConfigIssue[] = [];
  cfg.conditions.forEach((c, i) => {
    if (Object.keys(c.agents).length > 0) {
      issues.push({ path: formatPath(["conditions", i, "agents"]), message: "per-agent algorithms are not supported by the market scenario; give one algorithm per condition" });
    }
    if (c.envOptions !== undefined) {
      try {
        make(ENV_ID, { ...baseOptions(cfg, c) }).close();
      } catch (err) {
        issues.push({ path: formatPath(["conditions", i, "envOptions"]), message: (err as Error).message });
        return;
      }
    }
    const learned = c.learned === "all" ? agents : c.learned;
    if (learned.length === 0) return;
    const { defaults, resolve } = ALGORITHMS[c.algorithm.name];
    for (const k of Object.keys(c.algorithm.hyperparameters)) {
      const path = formatPath(["conditions", i, "algorithm", "hyperparameters", k]);
      if (RESERVED_HYPERPARAMETERS.includes(k)) issues.push({ path, message: `set by the experiment (training.numEnvs, seeds, backend, shareParameters), not a hyperparameter` });
      else if (!(k in defaults)) issues.push({ path, message: `unknown ${c.algorithm.name} hyperparameter; known: ${Object.keys(defaults).join(", ")}` });
    }
    if (issues.length) return;
    try {
      checkCommon(resolve({ env: () => marketEnv(cfg, learned, false, c), numEnvs: cfg.training.numEnvs, seed: 1, ...c.algorithm.hyperparameters } as never) as CommonOptions);
    } catch (err) {
      issues.push({ path: formatPath(["conditions", i, "algorithm", "hyperparameters"]), message: (err as Error).message });
    }
  });
  if (issues.length) throw new ConfigError(file, issues);
}

function outcomeOf(market: CompiledMarket, names: readonly string[], demandAlpha: readonly number[], prices: readonly number[], profits: readonly number[], totalSurplus: number): Outcome {
  const { G, L } = market;
  const outsideSurplus: Record<string, number> = {};
  for (let j = 0; j < G; j++) {
    outsideSurplus[`supply/M[0][${j}]`] = producerSurplus(market.supplyAlpha[j], market.supplyBeta[j], prices[j]);
    outsideSurplus[`demand/M[${L}][${j}]`] = consumerSurplus(demandAlpha[j], market.demandBeta[j], prices[L * G + j], market.chokePrice[j]);
  }
  const priceRecord: Record<string, number> = {};
  prices.forEach((p, q) => (priceRecord[`M[${Math.floor(q / G)}][${q % G}]`] = p));
  return { profits: Object.fromEntries(names.map((n, i) => [n, profits[i]])), outsideSurplus, totalSurplus, prices: priceRecord };
}

/** Train the condition's learned agents with this seed (or load them), then evaluate on the shared draws. */
export async function runTask(task: Task, ctx: TaskContext): Promise<TaskResult> {
  const cfg = task.experiment;
  const { condition } = task;
  const backend = await initBackend(cfg.backend === "auto" ? {} : { backend: cfg.backend });
  const learned = learnedOf(cfg, condition);
  const policies = new Map<string, LearnedPolicy>();
  const learningCurve: NonNullable<TaskResult["learningCurve"]> = [];
  const t0 = performance.now();
  const modelsDir = task.options.models as string | undefined;
  const policyFile = modelsDir ? join(modelsDir, `${condition.name}-${task.seed}.policy.json`) : undefined;

  if (learned.length > 0) {
    let policy: LearnedPolicy | MultiAgentPolicy;
    if (task.options.mode === "evaluate") {
      if (!policyFile || !existsSync(policyFile)) throw new Error(`no saved policy for ${condition.name} seed ${task.seed}: expected ${policyFile}`);
      policy = loadPolicy(policyFile);
    } else {
      const { Learner } = ALGORITHMS[condition.algorithm.name];
      const learner = new Learner({
        ...(condition.algorithm.hyperparameters as object),
        env: () => marketEnv(cfg, learned, false, condition),
        numEnvs: cfg.training.numEnvs,
        seed: deriveSeed(task.seed, "train", condition.name),
        shareParameters: condition.shareParameters,
        backend,
      } as never);
      policy = (await learner.learn(cfg.training.totalSteps, {
        onProgress: (p) => {
          ctx.progress((0.9 * p.globalStep) / p.totalSteps);
          for (const k of ["episode_return_mean", "episode_length_mean"] as const) {
            learningCurve.push({ step: p.globalStep, metric: `rollout/${k}`, value: p.row[k] });
          }
          for (const k of ["policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "explained_variance"] as const) {
            learningCurve.push({ step: p.globalStep, metric: `train/${k}`, value: p.row[k] });
          }
        },
      })) as LearnedPolicy | MultiAgentPolicy;
      if (policyFile) {
        mkdirSync(modelsDir!, { recursive: true });
        policy.save(policyFile);
      }
    }
    for (const a of learned) {
      const p = policy instanceof MultiAgentPolicy ? policy.policies[a] : policy;
      if (!p) throw new Error(`trained policy has no agent ${a}`);
      policies.set(a, p);
    }
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  // Evaluation: every producer is an agent of the env; analytic ones bid truthfully (action 0 = truthful).
  const t1 = performance.now();
  const names = allAgents(cfg);
  const env = marketEnv(cfg, names, true, condition);
  const market = compileMarket((cfg.env.options.market as MarketSpec | undefined) ?? paperMarket);
  const zero = new Array<number>((env.actionSpace(names[0]) as Box).size).fill(0);
  const pairs: PeriodPair[] = [];
  const episodes: NonNullable<TaskResult["episodes"]> = [];
  const prices: NonNullable<TaskResult["prices"]> = [];
  for (let e = 0; e < cfg.evaluation.episodes; e++) {
    let { observations } = env.reset({ seed: deriveSeed(cfg.evaluation.seed, "episode", e) });
    const profit = new Float64Array(names.length);
    const cfProfit = new Float64Array(names.length);
    let surplus = 0;
    let cfSurplus = 0;
    while (env.agents.length > 0) {
      const actions: Record<string, number[]> = {};
      for (const a of env.agents) {
        const p = policies.get(a);
        actions[a] = p ? (p.act(observations[a], { deterministic: cfg.evaluation.deterministic }) as number[]) : zero;
      }
      const step = env.step(actions);
      observations = step.observations;
      const info = step.infos[names[0]] as unknown as PeriodOutcome;
      const cf = info.counterfactual!;
      pairs.push({
        outcome: outcomeOf(market, names, info.demandAlpha, info.prices, info.profits, info.totalSurplus),
        counterfactual: outcomeOf(market, names, info.demandAlpha, cf.prices, cf.profits, cf.totalSurplus),
      });
      names.forEach((_, i) => {
        profit[i] += info.profits[i];
        cfProfit[i] += cf.profits[i];
      });
      surplus += info.totalSurplus;
      cfSurplus += cf.totalSurplus;
      if (e === 0) info.prices.forEach((p, q) => prices.push({ period: info.period, market: `M[${Math.floor(q / market.G)}][${q % market.G}]`, price: p, equilibrium: cf.prices[q] }));
    }
    names.forEach((a, i) =>
      episodes.push({ episode: e, agent: a, learned: policies.has(a), profit: profit[i], counterfactual_profit: cfProfit[i], total_surplus: surplus, counterfactual_total_surplus: cfSurplus }),
    );
    ctx.progress(0.9 + (0.1 * (e + 1)) / cfg.evaluation.episodes);
  }
  env.close();
  return {
    metrics: marketMetrics(pairs, { metrics: cfg.metrics }),
    learningCurve,
    episodes,
    prices,
    timings: { train_s: trainSeconds, eval_s: (performance.now() - t1) / 1000 },
  };
}

/** A saved single or multi-agent policy, by its `format` field. */
function loadPolicy(file: string): LearnedPolicy | MultiAgentPolicy {
  const { format } = JSON.parse(readFileSync(file, "utf8")) as { format?: string };
  return format === "supplygym-multi-agent-policy" ? MultiAgentPolicy.load(file) : LearnedPolicy.load(file);
}
