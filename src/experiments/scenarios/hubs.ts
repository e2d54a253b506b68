import "../../envs/index.js";
import { make, UnknownEnvError } from "../../core/registry.js";
import { deriveSeed } from "../../core/rng.js";
import { Box } from "../../core/spaces.js";
import type { ParallelEnv, Policy } from "../../core/types.js";
import { HubTradingEnv } from "../../envs/hub-trading.js";
import { computeRegisteredMetrics } from "../../eval/metric-registry.js";
import { hubsMetrics, type HubEpisodeRecord } from "../../eval/hubs-metrics.js";
import { hubEpisodeRecord, runHubEpisode } from "./hub-episode.js";
import { ShortagePredictor } from "../../hubs/shortage-forecast.js";
import { ConfigError, formatPath, nestConfigError, type ConfigIssue } from "../../io/errors.js";
import type { LearnedPolicy } from "../../rl/policy.js";
import { ParallelRescaleAction, rescaleBetween } from "../../wrappers/rescale-action.js";
import { ScriptedAgents } from "../../wrappers/scripted-agents.js";
import { checkAgents, type ResolvedCondition, type ResolvedExperiment } from "../schema.js";
import type { Task, TaskContext, TaskResult } from "../task.js";
import { algorithmIssues, trainOrLoad } from "./learning.js";
import { exploitHubProfile } from "./hubs-exploit.js";
import { exploitabilityMetrics } from "./market-exploit.js";
import { agentStrategy, scriptedAgents, strategyPolicies, strategyPreflightIssues } from "./strategies.js";

/**
 * The hubs scenario (seed 000): learned production hubs trade scarce resources in `HubTrading-v0` against
 * analytic ones.
 *
 * - Analytic vs learned: a condition's `learned` hubs are the env's agents (env option `learned`); every other hub
 *   is analytic and states its true values inside the env. Evaluation runs `runHubEpisode`, which drives the same
 *   `HubDriver` as the env: a hub without a policy is analytic there too (one code path, tested equal).
 * - Strategies: a condition's `strategies` hubs are played by their registered policies (src/agents) in the env's
 *   own action space [0, 2]^(2R): beside the learners while training (ScriptedAgents), and in evaluation through
 *   `runHubEpisode`'s policies (which has no env object: their `ctx.env` is undefined there).
 * - Training: one learner per condition and seed (independent learners, or one shared policy with
 *   `shareParameters`) on the env with the condition's learned hubs.
 * - Action parameterisation: learned hubs act in [-1, 1]^(2R), mapped affinely onto the env's bid/ask scales
 *   [0, 2] (0 -> scale 1 = truthful), so an untrained policy's mean action is the analytic hub's.
 * - Evaluation: every condition and training seed on the same evaluation episodes, the simulator seeded
 *   `deriveSeed(evaluation.seed, "episode", e)` (the same shortages), each with its no-trade baseline and the
 *   HiGHS constrained optimum; metrics from `hubsMetrics` (src/eval).
 */
const ENV_ID = "HubTrading-v0";

/** The action box learned hubs act in (the env's [0, 2] scales shifted so that 0 is truthful). */
function outerSpace(inner: Box): Box {
  return new Box(-1, 1, inner.shape);
}

/**
 * A parallel hubs env whose agents are `learned` and act in [-1, 1] (0 = truthful). With `scripted`, the condition's
 * scripted hubs are agents of the env too, played by their strategy policies (ScriptedAgents) in the env's own
 * action space [0, 2], hidden from the learners.
 */
export function hubEnv(
  cfg: ResolvedExperiment,
  learned: readonly string[],
  scripted?: { condition: ResolvedCondition; salt: string | number },
): ParallelEnv {
  const all = baseEnv(cfg);
  const names = [...all.possibleAgents];
  all.close();
  const bots = scripted ? scriptedAgents(scripted.condition, names).filter((a) => !learned.includes(a)) : [];
  const agents = bots.length > 0 ? names.filter((a) => learned.includes(a) || bots.includes(a)) : [...learned];
  const base = make(ENV_ID, { ...cfg.env.options, learned: agents }) as ParallelEnv<number[], number[]>;
  const env =
    bots.length > 0
      ? new ScriptedAgents(
          base,
          strategyPolicies(
            scripted!.condition,
            bots,
            cfg.evaluation.seed,
            (a) => ({ envId: ENV_ID, actionSpace: base.actionSpace(a), observationSpace: base.observationSpace(a), env: base }),
            scripted!.salt,
          ) as Record<string, Policy<number[], number[]>>,
        )
      : base;
  return new ParallelRescaleAction(env, -1, 1) as ParallelEnv;
}

export function baseEnv(cfg: ResolvedExperiment): HubTradingEnv {
  return make(ENV_ID, { ...cfg.env.options }) as HubTradingEnv;
}

function learnedOf(cfg: ResolvedExperiment, condition: Task["condition"], agents: readonly string[]): string[] {
  return condition.learned === "all" ? [...agents] : agents.filter((a) => (condition.learned as string[]).includes(a));
}

/** A condition's learned hubs, in hub order. */
export function hubsLearnedOf(cfg: ResolvedExperiment, condition: Task["condition"]): string[] {
  const env = baseEnv(cfg);
  const agents = [...env.possibleAgents];
  env.close();
  return learnedOf(cfg, condition, agents);
}

/**
 * An env error as a ConfigError of the experiment file: HubTrading-v0's option issues under `env.options` (an inline
 * hubs config's under `env.options.config`); a hubs config file's own ConfigError keeps naming that file.
 */
function envOptionError(err: unknown, file: string): ConfigError {
  if (err instanceof ConfigError) return err.file === `${ENV_ID} options` ? nestConfigError(err, file, "env.options") : err;
  return new ConfigError(file, [{ path: "env.options", message: (err as Error).message }]);
}

/** Checks before any task runs: env id and options, agent ids, algorithms and their hyperparameters. */
export async function preflight(cfg: ResolvedExperiment, file: string): Promise<void> {
  if (cfg.env.id !== ENV_ID)
    throw new ConfigError(file, [{ path: "env.id", message: `the hubs scenario runs on ${ENV_ID}, got "${cfg.env.id}"` }]);
  if ("learned" in cfg.env.options) {
    throw new ConfigError(file, [
      { path: "env.options.learned", message: "set per condition by conditions[].learned, not as an env option" },
    ]);
  }
  let agents: string[];
  try {
    const env = baseEnv(cfg);
    agents = [...env.possibleAgents];
    env.close();
  } catch (err) {
    if (err instanceof UnknownEnvError) throw new ConfigError(file, [{ path: "env.id", message: err.message }]);
    throw envOptionError(err, file);
  }
  checkAgents(cfg, agents, file);
  const issues: ConfigIssue[] = [];
  (cfg.exploitability?.agents ?? []).forEach((a, k) => {
    if (!agents.includes(a))
      issues.push({
        path: formatPath(["exploitability", "agents", k]),
        message: `unknown agent "${a}"; the hubs are ${agents.join(", ")}`,
      });
  });
  const pending: Promise<ConfigIssue[]>[] = [];
  cfg.conditions.forEach((c, i) => {
    if (Object.keys(c.agents).length > 0) {
      issues.push({
        path: formatPath(["conditions", i, "agents"]),
        message: "per-agent algorithms are not supported by the hubs scenario; give one algorithm per condition",
      });
    }
    if (c.strategies) {
      const probe = make(ENV_ID, { ...cfg.env.options, learned: agents }) as ParallelEnv;
      issues.push(
        ...strategyPreflightIssues(c, i, agents, (a) => ({
          envId: ENV_ID,
          actionSpace: probe.actionSpace(a),
          observationSpace: probe.observationSpace(a),
          env: probe,
        })),
      );
      probe.close();
    }
    const learned = learnedOf(cfg, c, agents);
    if (learned.length === 0) return;
    pending.push(
      algorithmIssues(c, i, cfg.training.numEnvs, () => hubEnv(cfg, learned, { condition: c, salt: "preflight" }), cfg.training.totalSteps),
    );
  });
  for (const more of await Promise.all(pending)) issues.push(...more);
  if (issues.length) throw new ConfigError(file, issues);
}

/** A learned policy (acting in [-1, 1]) as a policy over the env's own action space [0, 2]. */
export function innerPolicy(p: LearnedPolicy, inner: Box): Policy<number[], number[]> {
  const outer = outerSpace(inner);
  return { act: (o, opts) => rescaleBetween(p.act(o, opts) as number[], outer, inner) };
}

/** Train the condition's learned hubs with this seed (or load them), then evaluate on the shared episodes. */
export async function runTask(task: Task, ctx: TaskContext): Promise<TaskResult> {
  const cfg = task.experiment;
  const { condition } = task;
  const base = baseEnv(cfg);
  const learned = learnedOf(cfg, condition, base.possibleAgents);
  let copy = 0;
  const { policies, learningCurve, trainSeconds, backend } = await trainOrLoad(task, ctx, learned, () =>
    hubEnv(cfg, learned, { condition, salt: `train-${task.seed}-${copy++}` }),
  );

  // Evaluation: the same episodes for every condition and seed; hubs without a policy are analytic.
  const t1 = performance.now();
  const hubsCfg = base.cfg;
  const inner = base.actionSpace(base.possibleAgents[0]);
  const predictor = new ShortagePredictor(hubsCfg, base.options.shortageForecast);
  // Scripted hubs act in the env's own space; runHubEpisode drives the simulator without an env object (ctx.env undefined).
  const scripted = strategyPolicies(
    condition,
    scriptedAgents(condition, base.possibleAgents).filter((a) => !policies.has(a)),
    cfg.evaluation.seed,
    (a) => ({
      envId: ENV_ID,
      actionSpace: base.actionSpace(a),
      observationSpace: base.observationSpace(a),
    }),
  ) as Record<string, Policy<number[], number[]>>;
  const evalPolicies = { ...scripted, ...Object.fromEntries([...policies].map(([a, p]) => [a, innerPolicy(p, inner)])) };
  base.close();
  const records: HubEpisodeRecord[] = [];
  const episodeMetrics: NonNullable<TaskResult["episodeMetrics"]> = [];
  const episodes: NonNullable<TaskResult["episodes"]> = [];
  for (let e = 0; e < cfg.evaluation.episodes; e++) {
    const out = await runHubEpisode(hubsCfg, {
      seed: deriveSeed(cfg.evaluation.seed, "episode", e),
      policies: evalPolicies,
      deterministic: cfg.evaluation.deterministic,
      predictor,
    });
    const record = hubEpisodeRecord(out);
    records.push(record);
    episodeMetrics.push({
      episode: e,
      metrics: hubsMetrics([record], { metrics: cfg.metrics }),
      ratios: {
        "efficiency/gain_captured": [record.value - record.noTradeValue, record.optimumValue - record.noTradeValue],
      },
    });
    const trades = out.trades.filter((t) => t.status === "executed").length;
    for (const h of out.hubs) {
      episodes.push({
        episode: e,
        agent: h.hub,
        learned: policies.has(h.hub),
        strategy: agentStrategy(condition, h.hub, policies.has(h.hub)),
        profit: h.profit,
        margin: h.margin,
        money_net: h.moneyNet,
        delay_cost: h.delayCost,
        reward: h.reward,
        no_trade_reward: h.noTradeReward,
        gain_vs_no_trade: h.gainVsNoTrade,
        credit_value: h.creditValue,
        total_value: out.totalValue,
        total_delay_cost: out.totalDelayCost,
        no_trade_value: out.noTradeValue,
        optimum_value: out.optimumValue,
        trades,
      });
    }
    ctx.progress(0.9 + (0.1 * (e + 1)) / cfg.evaluation.episodes);
  }
  // Registered metrics (plugins) per episode too, from that episode's record: the cells of the design.
  episodeMetrics.forEach((em, e) =>
    Object.assign(
      em.metrics,
      computeRegisteredMetrics(cfg.metrics, {
        scenario: "hubs",
        records: [records[e]],
        episodes: episodes.filter((r) => r.episode === em.episode),
      }),
    ),
  );
  const metrics = {
    ...hubsMetrics(records, { metrics: cfg.metrics }),
    ...computeRegisteredMetrics(cfg.metrics, { scenario: "hubs", records, episodes }),
  };
  // The profile's exploitability (docs/hubs.md "Exploitability"), measured once per (condition, seed) over all its
  // episodes: it enters every episode cell as the same value, so the seeds x episodes bootstrap gives it the
  // seed-to-seed variation only (docs/statistics.md).
  let exploitability: TaskResult["exploitability"];
  const ex = cfg.exploitability;
  if (ex && (ex.conditions ? ex.conditions.includes(condition.name) : condition.strategies === undefined)) {
    const agents = ex.agents ?? (learned.length > 0 ? learned : [...base.possibleAgents]);
    const rows = await exploitHubProfile(cfg, condition, task.seed, agents, ex.method, {
      budget: ex.budget,
      profile: { cfg, condition, learned: policies },
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
