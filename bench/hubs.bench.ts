// `npm run bench -- hubs`: one trading round, one period, one 12-period episode with its review queue (the scale file's
// scenario) and the social optimum with 300 hubs and 4 resources; ledger
// append (fsync per record) and verify rates; `exploit --method search` for one hub (H1, default budget 120) of
// experiments/hubs-learning.json over its evaluation episodes. Writes results/bench/hubs.json.
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomHubsConfig } from "../src/hubs/generate.js";
import { FileLedger, verifyLedger } from "../src/hubs/ledger.js";
import { socialOptimum } from "../src/hubs/optimum.js";
import { supplyAt } from "../src/hubs/shortages.js";
import { HubSimulation, truthfulAction } from "../src/hubs/simulation.js";
import { ReviewQueue } from "../src/hubs/review.js";
import { make } from "../src/core/registry.js";
import "../src/envs/index.js";
import type { HubTradingEnv } from "../src/envs/hub-trading.js";
import { runHubEpisode } from "../src/experiments/scenarios/hub-episode.js";
import { loadExperiment } from "../src/experiments/schema.js";
import { hubConditionProfile, searchHubBestResponse } from "../src/experiments/scenarios/hubs-exploit.js";
import { peakRssMiB, writeBench } from "./bench-util.js";

const HUBS = 300;
const cfg = randomHubsConfig({ hubs: HUBS, periods: 4, seed: 1, shortageRate: 0.9 });
const actions = cfg.hubs.map(() => truthfulAction(cfg.resources.length));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// One trading round: every hub values up to lotsPerAuction lots of one resource for its VCG auction and one lot of
// each resource for bilateral
// matching with priority-or-money negotiation. Fresh simulator state each time (its construction not timed).
const roundMs: number[] = [];
let tradesPerRound = 0;
for (let rep = 0; rep < 12; rep++) {
  const sim = new HubSimulation(cfg, { seed: rep });
  const t0 = performance.now();
  const executed = sim.tradingRound(actions, 0);
  roundMs.push(performance.now() - t0);
  if (rep >= 2) tradesPerRound = Math.max(tradesPerRound, executed);
}
const warmRound = roundMs.slice(2);

// A whole period (up to maxRounds rounds + production) for context.
const periodMs: number[] = [];
let t0: number;
for (let rep = 0; rep < 5; rep++) {
  const sim = new HubSimulation(cfg, { seed: rep });
  const t0 = performance.now();
  sim.runPeriod(actions);
  periodMs.push(performance.now() - t0);
}

// A whole evaluation episode of experiments/scale-300-hubs.json's scenario (HubTrading-v0 with 300 generated hubs, 12
// periods, default mechanism and review gate, the driver's in-memory review queue), analytic hubs, no optimum:
// what the scale file's analytic task repeats per episode.
const scaleEnv = make("HubTrading-v0", { hubs: HUBS, periods: 12, scenarioSeed: 0 }) as HubTradingEnv;
const scaleQueue = new ReviewQueue();
t0 = performance.now();
const scaleEpisode = await runHubEpisode(scaleEnv.cfg, { seed: 1000, optimum: false, queue: scaleQueue });
const scaleEpisodeSeconds = (performance.now() - t0) / 1000;
scaleEnv.close();

// Social optimum of a period (LP build + HiGHS solve).
const sim = new HubSimulation(cfg, { seed: 0 });
const supply = supplyAt(cfg, sim.events, 0);
await socialOptimum(cfg.hubs, cfg.resources, 0, supply); // load the wasm module once
const optMs: number[] = [];
const solveMs: number[] = [];
for (let rep = 0; rep < 5; rep++) {
  const t0 = performance.now();
  const opt = await socialOptimum(cfg.hubs, cfg.resources, 0, supply);
  optMs.push(performance.now() - t0);
  solveMs.push(opt.solveSeconds * 1000);
}

// Ledger: append with fsync per record (+ atomic head file), then verify.
const dir = mkdtempSync(join(tmpdir(), "hubs-bench-"));
const N = 2000;
const ledgerPath = join(dir, "ledger.jsonl");
const record = (i: number) => ({
  type: "trade",
  id: `P1-${i}`,
  period: 1,
  resource: "chips",
  quantity: 40,
  seller: "A",
  buyer: "B",
  payment: "money",
  pricePerUnit: 905.5,
  money: 36220,
  status: "executed",
});
let l = new FileLedger(ledgerPath);
t0 = performance.now();
for (let i = 0; i < N; i++) l.append(record(i));
const appendSeconds = (performance.now() - t0) / 1000;
l.close();
const noHeadPath = join(dir, "nohead.jsonl");
l = new FileLedger(noHeadPath, { writeHead: false });
t0 = performance.now();
for (let i = 0; i < N; i++) l.append(record(i));
const appendNoHeadSeconds = (performance.now() - t0) / 1000;
l.close();
t0 = performance.now();
const v = verifyLedger(ledgerPath);
const verifySeconds = (performance.now() - t0) / 1000;
if (!v.ok) throw new Error(`bench ledger does not verify: ${v.error}`);
rmSync(dir, { recursive: true, force: true });

// exploit --method search for one hub against the analytic profile of hubs-learning.json (its mechanism, its
// 20 evaluation episodes of 12 periods): each of the budget's objective evaluations plays every episode.
const hubsLearning = loadExperiment(join("experiments", "hubs-learning.json"));
t0 = performance.now();
const exploit = searchHubBestResponse(hubConditionProfile(hubsLearning, hubsLearning.conditions[0], 0), "H1", {});
const exploitSeconds = (performance.now() - t0) / 1000;

const figures = {
  hubs: HUBS,
  resources: cfg.resources.length,
  trading_round_ms_median: median(warmRound),
  trading_round_ms_max: Math.max(...warmRound),
  trading_round_target_ms: 100,
  trading_round_trades_max: tradesPerRound,
  period_ms_median: median(periodMs),
  scale_300_hubs_episode: {
    seconds: scaleEpisodeSeconds,
    periods: scaleEnv.cfg.periods,
    trades_executed: scaleEpisode.trades.filter((t) => t.status === "executed").length,
    review_items: scaleQueue.list().length,
  },
  optimum_ms_median: median(optMs),
  optimum_highs_solve_ms_median: median(solveMs),
  optimum_target_ms: 2000,
  ledger_records: N,
  ledger_append_per_s_fsync_with_head: Math.round(N / appendSeconds),
  ledger_append_per_s_fsync_no_head: Math.round(N / appendNoHeadSeconds),
  ledger_verify_per_s: Math.round(N / verifySeconds),
  ledger_dir_note: "os.tmpdir(); fsync cost depends on the filesystem",
  exploit_search_one_hub: {
    seconds: exploitSeconds,
    experiment: "experiments/hubs-learning.json",
    condition: "analytic",
    agent: "H1",
    hubs: hubsLearning.env.options.hubs,
    episodes: hubsLearning.evaluation.episodes,
    periods_per_episode: hubsLearning.env.options.periods,
    evaluations: exploit.evaluations,
    gain_per_period: exploit.bestResponseProfit - exploit.profileProfit,
    gain_relative: (exploit.bestResponseProfit - exploit.profileProfit) / Math.abs(exploit.profileProfit),
    load_average_1min: os.loadavg()[0],
  },
  peak_rss_mib: peakRssMiB(),
};
console.log(figures);
writeBench("hubs", figures);
