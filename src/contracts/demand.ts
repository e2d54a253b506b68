import type { Rng } from "../core/rng.js";
import type { DemandSpec } from "./config.js";

/**
 * One realised demand for an episode around `mean` (the retailer's forecast, D): fixed -> D;
 * normal -> max(0, Normal(D, std)); uniform -> Uniform(D - halfWidth, D + halfWidth).
 *
 * A negotiation is a single period with one independent draw, so src/demand's processes (seasonality, trend,
 * AR noise and shocks across periods) do not apply here; they drive the multi-period scenarios.
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
