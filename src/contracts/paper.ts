import type { NegotiationConfig } from "./config.js";

/**
 * The paper's setting with three subcontractors (seed 004 gives no numbers; these are our choice, see
 * docs/contracts.md). sum CN = 95 < D = 120 < sum CM = 150; R - c_R = 22 exceeds every overtime cost (max 15).
 * Every normal cost (9..11) is below every overtime cost (13..15), so the cheapest allocation is "normal first,
 * then overtime from the cheapest c + e": S1 45, S2 50, S3 25 (chain profit 1355).
 * `experiments/contracts-paper.json` holds the same values in env.options.config (a test keeps them equal).
 */
export const PAPER_CONFIG: NegotiationConfig = {
  experiment: "contracts-paper",
  seed: 1,
  episodes: 1,
  retailer: { demand: 120, retailPrice: 25, unitCost: 3, openingFraction: 0.4, beta: 1 },
  subcontractors: [
    { id: "S1", normalCapacity: 40, maxCapacity: 60, unitCost: 10, extraCost: 4, tactic: "boulware", markup: 0.5 },
    { id: "S2", normalCapacity: 30, maxCapacity: 50, unitCost: 11, extraCost: 2, tactic: "linear", markup: 0.5 },
    { id: "S3", normalCapacity: 25, maxCapacity: 40, unitCost: 9, extraCost: 6, tactic: "conceder", markup: 0.5 },
  ],
  negotiation: { deadline: 10, check: true, contract: "wholesale", buybackFraction: 0.5 },
  demand: { type: "fixed" },
};
