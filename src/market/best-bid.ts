import { maximize, type MaximizeOptions } from "./optimize.js";
import type { EquilibriumSolver } from "./equilibrium.js";

/**
 * Best responses in the bidding game of a layered market (MODEL.md "Strategic bidding"): a pure optimisation
 * helper over the market model. A bid of agent i is its demand scale and withheld fraction per good,
 * `[scale_0..scale_{G-1}, withhold_0..withhold_{G-1}]`; the others' bids are fixed arrays (i*G+j). The payoff is
 * the agent's profit at the equilibrium of all bids for one period's outside demand, cleared by the project's
 * Newton solver warm-started from the previous candidate (a few iterations per candidate).
 */
export interface BidProfile {
  /** Per agent i*G+j; 1 = truthful. */
  demandScale: Float64Array;
  /** Per agent i*G+j; 0 = offer all. */
  withhold: Float64Array;
}

export interface BidBox {
  low: readonly number[];
  high: readonly number[];
  /** The bid written into the market is kept within [minFraction, 1 - minFraction] (demand scale >= minFraction, withhold <= 1 - minFraction), as the environment does. */
  minFraction?: number;
}

/** A truthful profile for `nAgents` agents and G goods. */
export function truthfulProfile(nAgents: number, G: number): BidProfile {
  return { demandScale: new Float64Array(nAgents * G).fill(1), withhold: new Float64Array(nAgents * G) };
}

export function copyProfile(p: BidProfile): BidProfile {
  return { demandScale: Float64Array.from(p.demandScale), withhold: Float64Array.from(p.withhold) };
}

/** Agent i's bid in a profile, as `[scales..., withholds...]`. */
export function bidOf(p: BidProfile, i: number, G: number): number[] {
  return [...p.demandScale.subarray(i * G, i * G + G), ...p.withhold.subarray(i * G, i * G + G)];
}

/** Write agent i's bid into a profile, with the environment's minimum-bid clamp. */
export function setBid(p: BidProfile, i: number, G: number, bid: readonly number[], minFraction = 0): void {
  for (let j = 0; j < G; j++) {
    p.demandScale[i * G + j] = Math.max(bid[j], minFraction);
    p.withhold[i * G + j] = Math.min(bid[G + j], 1 - minFraction);
  }
}

/** Agent i's profit when it bids `bid` against `profile`, for outside demand `demandAlpha`; -Infinity if no equilibrium. */
export function profitOfBid(
  solver: EquilibriumSolver,
  demandAlpha: ArrayLike<number>,
  profile: BidProfile,
  i: number,
  bid: readonly number[],
  minFraction = 0,
): number {
  const G = solver.market.G;
  const p = copyProfile(profile);
  setBid(p, i, G, bid, minFraction);
  return clearAndProfit(solver, demandAlpha, p, i);
}

function clearAndProfit(solver: EquilibriumSolver, demandAlpha: ArrayLike<number>, p: BidProfile, i: number): number {
  try {
    solver.clear({ demandAlpha, demandScale: p.demandScale, withhold: p.withhold });
  } catch {
    return -Infinity;
  }
  const m = solver.model;
  const G = solver.market.G;
  const inOff = solver.market.group[i] * G;
  let r = 0;
  for (let j = 0; j < G; j++) r += m.p[inOff + G + j] * m.supplied[i * G + j] - m.p[inOff + j] * m.x[i * G + j];
  return r;
}

export interface BestBidResult {
  bid: number[];
  profit: number;
  /** Profit of the start bid (the caller's, e.g. truthful or the last answer). */
  startProfit: number;
  evaluations: number;
}

/**
 * Agent i's best bid against the rest of `profile`, by bounded compass search with multi-start
 * (market/optimize.ts) from `start` (default its bid in the profile). Deterministic given `opts.seed`.
 */
export function bestBid(
  solver: EquilibriumSolver,
  demandAlpha: ArrayLike<number>,
  profile: BidProfile,
  i: number,
  box: BidBox,
  opts: MaximizeOptions & { start?: readonly number[] } = {},
): BestBidResult {
  const G = solver.market.G;
  const p = copyProfile(profile);
  const min = box.minFraction ?? 0;
  const start = opts.start ?? bidOf(profile, i, G).map((v, k) => Math.min(box.high[k], Math.max(box.low[k], v)));
  const r = maximize(
    (bid) => {
      setBid(p, i, G, bid, min);
      return clearAndProfit(solver, demandAlpha, p, i);
    },
    start,
    box.low,
    box.high,
    opts,
  );
  return { bid: r.x, profit: r.value, startProfit: r.startValue, evaluations: r.evaluations };
}

export interface GameEquilibriumResult {
  profile: BidProfile;
  /** Best-response rounds run (each agent of `agents` once per round, in order). */
  rounds: number;
  /** True when a whole round changed no bid by more than `tolerance` (in the bid's own units). */
  converged: boolean;
  /** Largest bid change in the last round. */
  lastChange: number;
  evaluations: number;
}

/**
 * Iterated best responses within one period (Gauss-Seidel: agents in order, each against the latest bids of all
 * others) from `profile`, until a round changes no bid by more than `tolerance` (a fixed point: every agent in
 * `agents` plays a best response found by the optimiser, a pure-strategy Nash equilibrium of the period's bidding
 * game up to the optimiser's accuracy) or `maxRounds` rounds. Agents not in `agents` keep their bids.
 */
export function iterateBestResponses(
  solver: EquilibriumSolver,
  demandAlpha: ArrayLike<number>,
  profile: BidProfile,
  agents: readonly number[],
  box: BidBox,
  opts: MaximizeOptions & { maxRounds?: number; tolerance?: number } = {},
): GameEquilibriumResult {
  const G = solver.market.G;
  const p = copyProfile(profile);
  // `tolerance` is the fixed point's (bid units); the search keeps its own step-stop tolerance.
  const { maxRounds = 20, tolerance: tol = 1e-3, ...search } = opts;
  let evaluations = 0;
  let lastChange = Infinity;
  let rounds = 0;
  while (rounds < maxRounds) {
    rounds++;
    lastChange = 0;
    for (const i of agents) {
      const before = bidOf(p, i, G);
      // The answer of the last round is the first start; the search keeps it unless something beats it.
      const r = bestBid(solver, demandAlpha, p, i, box, { ...search, seed: (search.seed ?? 0) + 7919 * rounds + i, start: before });
      evaluations += r.evaluations;
      setBid(p, i, G, r.bid, box.minFraction ?? 0);
      const after = bidOf(p, i, G);
      for (let k = 0; k < 2 * G; k++) lastChange = Math.max(lastChange, Math.abs(after[k] - before[k]));
    }
    if (lastChange <= tol) return { profile: p, rounds, converged: true, lastChange, evaluations };
  }
  return { profile: p, rounds, converged: false, lastChange, evaluations };
}
