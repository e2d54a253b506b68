import type { Rng } from "../core/rng.js";
import type { DemandSpec } from "./config.js";

// TODO(contracts): use src/demand processes once merged into main; this is the simple seeded draw.
/**
 * One realised demand for an episode around `mean` (the retailer's forecast, D): fixed -> D;
 * normal -> max(0, Normal(D, std)); uniform -> Uniform(D - halfWidth, D + halfWidth).
 */
export function drawDemand(spec: DemandSpec, mean: number, rng: Rng): number {
  switch (spec.type) {
    case "fixed":
      return mean;
    case "normal":
      return Math.max(0, rng.normal(mean, spec.std));
    case "uniform":
      return rng.uniform(mean - spec.halfWidth, mean + spec.halfWidth);
  }
}
