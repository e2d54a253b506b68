import type { MarketSpec } from "./spec.js";

/**
 * The market of the paper's experiment (seed 002, Tables 1 and 2): 2 agent groups, 3 market layers, 3 goods,
 * 3 agents per group. Also `experiments/kaihara-paper.json`; a test keeps the two equal.
 */
export const paperMarket: MarketSpec = {
  goods: 3,
  groups: [
    {
      b: [0.7, 0.5, 0.3],
      agents: [
        { name: "A[0][0]", a: [5, 5, 5], budget: 10 },
        { name: "A[0][1]", a: [3, 8, 3], budget: 10 },
        { name: "A[0][2]", a: [7, 7, 7], budget: 4 },
      ],
    },
    {
      b: [0.3, 0.6, 0.4],
      agents: [
        { name: "A[1][0]", a: [10, 10, 10], budget: 50 },
        { name: "A[1][1]", a: [4, 4, 4], budget: 100 },
        { name: "A[1][2]", a: [8, 4, 4], budget: 6 },
      ],
    },
  ],
  outsideSupply: { alpha: [100, 100, 100], beta: [1.5, 1.5, 1.5] },
  outsideDemand: { alpha: [100, 100, 100], beta: [-2, -2, -2] },
};
