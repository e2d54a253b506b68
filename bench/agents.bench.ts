// Strategic agents' speed: results/bench/agents.json (issue 11). One `best-response` decision on the paper's
// market (default options: 200 profit evaluations, 2 starts), one period of the bidding game's equilibrium
// (every producer best-responding, iterated to a fixed point), and `exploit --method search` for one agent
// (A[1][1], default budget 120) over 5 evaluation episodes of 52 periods.
import * as os from "node:os";
import { resolveExperiment } from "../src/experiments/schema.js";
import { searchBestResponse } from "../src/experiments/scenarios/market-exploit.js";
import { bestBid, iterateBestResponses, truthfulProfile } from "../src/market/best-bid.js";
import { EquilibriumSolver, compileMarket, paperMarket } from "../src/market/index.js";
import { bestResponseOptionsSchema } from "../src/agents/market/best-response.js";
import { timeMicros, writeBench } from "./bench-util.js";

const market = compileMarket(paperMarket);
const solver = new EquilibriumSolver(market);
solver.solve();
const i = market.names.indexOf("A[1][1]");
const box = { low: [0, 0, 0, 0, 0, 0], high: [2, 2, 2, 1, 1, 1], minFraction: 1e-6 };
const defaults = bestResponseOptionsSchema.parse({});
const profile = truthfulProfile(market.nAgents, market.G);
let evaluations = 0;
let gain = 0;
const decisionUs = timeMicros(
  () => {
    const r = bestBid(solver, market.demandAlpha, profile, i, box, { budget: defaults.budget, starts: defaults.starts, seed: 1 });
    evaluations = r.evaluations;
    gain = r.profit / r.startProfit - 1;
  },
  20,
  5,
);

let rounds = 0;
let converged = false;
let gameEvaluations = 0;
const agents = market.names.map((_, k) => k);
const gameUs = timeMicros(
  () => {
    const g = iterateBestResponses(solver, market.demandAlpha, profile, agents, box, {
      budget: defaults.budget,
      starts: defaults.starts,
      seed: 1,
      maxRounds: defaults.maxRounds,
      tolerance: defaults.tolerance,
    });
    rounds = g.rounds;
    converged = g.converged;
    gameEvaluations = g.evaluations;
  },
  3,
  1,
);

const cfg = resolveExperiment({
  name: "bench",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 52 } },
  conditions: [{ name: "analytic" }],
  evaluation: { episodes: 5 },
});
const t0 = performance.now();
const search = searchBestResponse({ cfg, condition: cfg.conditions[0], policies: new Map() }, "A[1][1]", {});
const searchS = (performance.now() - t0) / 1000;

writeBench("agents", {
  load_average_1min: os.loadavg()[0],
  best_response_decision: {
    ms: decisionUs / 1000,
    evaluations,
    us_per_evaluation: decisionUs / evaluations,
    gain_over_truthful: gain,
    options: { budget: defaults.budget, starts: defaults.starts },
  },
  bidding_game_period: { ms: gameUs / 1000, rounds, converged, evaluations: gameEvaluations },
  exploit_search_one_agent: {
    seconds: searchS,
    agent: "A[1][1]",
    episodes: 5,
    periods_per_episode: 52,
    evaluations: search.evaluations,
    gain_relative: search.bestResponseProfit / search.profileProfit - 1,
    demand: "the default seasonal stochastic demand, Holt-Winters forecasts",
  },
});
