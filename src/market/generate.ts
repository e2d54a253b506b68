import type { Rng } from "../core/rng.js";
import type { MarketSpec } from "./spec.js";

export interface RandomMarketOptions {
  groups: number;
  agentsPerGroup: number;
  goods: number;
}

/**
 * A random valid market for tests and benchmarks: a in [1, 10], b in [0.2, 0.8], budgets in [5, 100] (scaled
 * with the number of goods so that some budgets bind and some do not), outside supply alpha in [50, 150],
 * beta in [0.5, 2], outside demand alpha in [50, 150] times agents per group, beta in [-3, -1.2].
 */
export function randomMarket(rng: Rng, opts: RandomMarketOptions): MarketSpec {
  const { groups, agentsPerGroup, goods } = opts;
  const vec = (lo: number, hi: number) => Array.from({ length: goods }, () => rng.uniform(lo, hi));
  return {
    goods,
    groups: Array.from({ length: groups }, () => ({
      b: vec(0.2, 0.8),
      agents: Array.from({ length: agentsPerGroup }, () => ({ a: vec(1, 10), budget: rng.uniform(5, 100) * (goods / 3) })),
    })),
    outsideSupply: { alpha: vec(50, 150).map((a) => a * agentsPerGroup), beta: vec(0.5, 2) },
    outsideDemand: { alpha: vec(50, 150).map((a) => a * agentsPerGroup), beta: vec(-3, -1.2) },
  };
}
