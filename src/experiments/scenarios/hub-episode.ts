import type { Policy } from "../../core/types.js";
import { paretoCompare } from "../../eval/efficiency.js";
import { hubsMetrics, type HubEpisodeRecord } from "../../eval/hubs-metrics.js";
import type { ResolvedHubsConfig } from "../../hubs/config.js";
import type { LedgerSink } from "../../hubs/ledger.js";
import { HubDriver } from "../../envs/hub-driver.js";
import { actionSpace } from "../../envs/hub-observation.js";
import { socialOptimum } from "../../hubs/optimum.js";
import type { ReviewQueue } from "../../hubs/review.js";
import { ShortagePredictor } from "../../hubs/shortage-forecast.js";
import { supplyAt } from "../../hubs/shortages.js";
import type { Credit } from "../../hubs/credits.js";
import { HubSimulation, type Trade } from "../../hubs/simulation.js";

/**
 * One seeded episode for given policies, with its no-trade baseline and its social optimum: the function the
 * experiment runner calls to compare analytic and learned hubs. Policies map HubTrading-v0 observations to
 * actions (scales in [0, 2]); hubs without a policy are analytic (they bid truthfully). Episodes run through
 * `HubDriver`, the code path of HubTrading-v0, so the same seed and policies give the same trajectory as the env
 * (the env's episode seed is `new Rng(resetSeed).seed()`).
 */
export interface HubOutcome {
  hub: string;
  margin: number;
  delayCost: number;
  moneyNet: number;
  /** margin + money received - money paid. */
  profit: number;
  /** profit - delayCost (the hub's total reward). */
  reward: number;
  /** The same hub's reward with no trading at all (same shortages). */
  noTradeReward: number;
  /** reward - noTradeReward: >= 0 for every hub in a Pareto improvement. */
  gainVsNoTrade: number;
  /** Realised value of priority credits: value gained redeeming (+) or lost honouring (-). */
  creditValue: number;
  /** Value created: margin + delay avoided = sum (margin + delayPerUnit) * units made. */
  valueCreated: number;
  /** Resources consumed at the optimum's shadow prices (the company's opportunity cost). */
  resourceCost: number;
}

export interface PeriodOutcome {
  period: number;
  value: number;
  delayCost: number;
  noTradeValue: number;
  noTradeDelayCost: number;
  optimumValue: number;
  optimumDelayCost: number;
  trades: number;
}

export interface EpisodeOutcome {
  seed: number;
  hubs: HubOutcome[];
  periods: PeriodOutcome[];
  /** Sum over periods and hubs of margin - delay cost (money and credits cancel out company-wide). */
  totalValue: number;
  totalDelayCost: number;
  noTradeValue: number;
  noTradeDelayCost: number;
  optimumValue: number;
  /**
   * Share of the achievable gain captured: (value - noTrade) / (optimum - noTrade), src/eval's
   * `efficiency/gain_captured` of this episode; NaN when nothing is achievable (or without the optimum).
   */
  efficiency: number;
  /** optimum - value (>= 0 up to solver tolerance). */
  gapToOptimum: number;
  /**
   * A Pareto improvement over no trade: no loser and at least one gainer in src/eval's `paretoCompare` (default
   * tolerance) of rewards. False when nothing executed (shadow mode): an unchanged outcome improves nobody.
   */
  paretoImprovement: boolean;
  /** Money the company paid into VCG trades (the mechanism's deficit), over the episode. */
  mechanismDeficit: number;
  trades: Trade[];
  credits: Credit[];
}

export interface EpisodeOptions {
  seed?: number;
  /** By hub id; missing hubs act truthfully. */
  policies?: Record<string, Policy<number[], number[]>>;
  deterministic?: boolean;
  ledger?: LedgerSink;
  /** Where outlier and escalated trades wait for review. Default: an in-memory queue (as in HubTrading-v0). */
  queue?: ReviewQueue;
  shadow?: boolean;
  /** Skip the HiGHS optimum (then optimumValue and efficiency are NaN). */
  optimum?: boolean;
  /**
   * The shortage predictor behind the policies' observations (reset at the start of the episode). Default, when
   * there are policies: `new ShortagePredictor(cfg)` with HubTrading-v0's default forecast options.
   */
  predictor?: ShortagePredictor;
}

export async function runHubEpisode(cfg: ResolvedHubsConfig, opts: EpisodeOptions = {}): Promise<EpisodeOutcome> {
  const seed = opts.seed ?? cfg.seed;
  const policies = opts.policies ?? {};
  for (const id of Object.keys(policies))
    if (!cfg.hubs.some((h) => h.id === id)) throw new RangeError(`runHubEpisode: policy for unknown hub "${id}"`);
  const predictor = opts.predictor ?? (Object.keys(policies).length > 0 ? new ShortagePredictor(cfg) : undefined);
  const driver = new HubDriver(cfg, predictor, { seed, ledger: opts.ledger, queue: opts.queue, shadow: opts.shadow });
  const sim = driver.sim;
  const base = new HubSimulation(cfg, { seed, trade: false, events: sim.events });
  const R = cfg.resources.length;
  const space = actionSpace(cfg);
  while (!sim.done) {
    const actions = cfg.hubs.map((hub, h) => {
      const a = policies[hub.id]?.act(driver.observe(h), { deterministic: opts.deterministic ?? true });
      const why = a === undefined ? undefined : space.explain(a);
      if (why !== undefined)
        throw new RangeError(`runHubEpisode: the policy of hub "${hub.id}" gave an action outside [0, 2]^${2 * R}: ${why}`);
      return a;
    });
    driver.step(actions);
    base.runPeriod();
  }
  const periods: PeriodOutcome[] = [];
  const resourceCost = new Array<number>(cfg.hubs.length).fill(0);
  for (let t = 0; t < cfg.periods; t++) {
    const res = sim.results[t];
    const b = base.results[t];
    let optimumValue = NaN;
    let optimumDelayCost = NaN;
    if (opts.optimum !== false) {
      const opt = await socialOptimum(cfg.hubs, cfg.resources, t, supplyAt(cfg, sim.events, t));
      optimumValue = opt.value;
      optimumDelayCost = opt.delayCost;
      res.forEach((r, h) => {
        for (let k = 0; k < R; k++) resourceCost[h] += r.usage[k] * opt.shadowPrices[h][k];
      });
    }
    periods.push({
      period: t,
      value: sum(res.map((r) => r.margin - r.delayCost)),
      delayCost: sum(res.map((r) => r.delayCost)),
      noTradeValue: sum(b.map((r) => r.margin - r.delayCost)),
      noTradeDelayCost: sum(b.map((r) => r.delayCost)),
      optimumValue,
      optimumDelayCost,
      trades: sim.trades.filter((x) => x.period === t && x.status === "executed").length,
    });
  }
  const hubs: HubOutcome[] = cfg.hubs.map((hub, h) => {
    const rows = sim.results.map((p) => p[h]);
    const reward = sum(rows.map((r) => r.reward));
    const noTradeReward = sum(base.results.map((p) => p[h].reward));
    return {
      hub: hub.id,
      margin: sum(rows.map((r) => r.margin)),
      delayCost: sum(rows.map((r) => r.delayCost)),
      moneyNet: sum(rows.map((r) => r.moneyNet)),
      profit: sum(rows.map((r) => r.profit)),
      reward,
      noTradeReward,
      gainVsNoTrade: reward - noTradeReward,
      creditValue: sum(rows.map((r) => r.creditValue)),
      valueCreated: sum(
        rows.map((r) => r.production.reduce((s, x, j) => s + x * (hub.products[j].marginPerUnit + hub.products[j].delayPerUnit), 0)),
      ),
      resourceCost: opts.optimum === false ? NaN : resourceCost[h],
    };
  });
  const totalValue = sum(periods.map((p) => p.value));
  const noTradeValue = sum(periods.map((p) => p.noTradeValue));
  const optimumValue = sum(periods.map((p) => p.optimumValue));
  const totals = {
    hubs,
    periods,
    totalValue,
    totalDelayCost: sum(periods.map((p) => p.delayCost)),
    noTradeValue,
    noTradeDelayCost: sum(periods.map((p) => p.noTradeDelayCost)),
    optimumValue,
    mechanismDeficit: sum(sim.deficits),
  };
  // Gain captured and Pareto by src/eval's definitions (the ones `supplygym run` reports for the hubs scenario).
  const record = hubEpisodeRecord(totals);
  return {
    seed,
    ...totals,
    efficiency: hubsMetrics([record], { metrics: ["efficiency/gain_captured"] })["efficiency/gain_captured"],
    gapToOptimum: optimumValue - totalValue,
    paretoImprovement: ((p) => p.losers.length === 0 && p.gainers.length > 0)(
      paretoCompare({ profits: record.rewards }, { profits: record.noTradeRewards }),
    ),
    trades: sim.trades,
    credits: [...sim.credits],
  };
}

/**
 * An episode as the plain record src/eval's `hubsMetrics` reads (per hub profit, reward and no-trade reward;
 * company totals). `runHubEpisode` computes `efficiency` and `paretoImprovement` from it.
 */
export function hubEpisodeRecord(
  out: Pick<
    EpisodeOutcome,
    "hubs" | "periods" | "totalValue" | "totalDelayCost" | "noTradeValue" | "noTradeDelayCost" | "optimumValue" | "mechanismDeficit"
  >,
): HubEpisodeRecord {
  const record: HubEpisodeRecord = {
    periods: out.periods.length,
    profits: {},
    rewards: {},
    noTradeRewards: {},
    delayCost: out.totalDelayCost,
    noTradeDelayCost: out.noTradeDelayCost,
    value: out.totalValue,
    noTradeValue: out.noTradeValue,
    optimumValue: out.optimumValue,
    mechanismDeficit: out.mechanismDeficit,
  };
  for (const h of out.hubs) {
    record.profits[h.hub] = h.profit;
    record.rewards[h.hub] = h.reward;
    record.noTradeRewards[h.hub] = h.noTradeReward;
  }
  return record;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
