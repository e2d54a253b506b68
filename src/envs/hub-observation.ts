import { Box } from "../core/spaces.js";
import type { ResolvedHubsConfig } from "../hubs/config.js";
import { marginalValues, hubValue } from "../hubs/production.js";
import type { ShortagePredictor } from "../hubs/shortage-forecast.js";
import { predictedCut } from "../hubs/shortages.js";
import type { HubAction, HubSimulation } from "../hubs/simulation.js";

/**
 * What a hub agent sees and does (shared by HubTrading-v0 and runHubEpisode).
 *
 * Observation, per resource r (5 numbers), then the fraction of the episode elapsed:
 *   holding_r / allocation_r                          [0, 10]
 *   value gained by one more lot / value of the hub's order book   [0, 10]
 *   value lost by giving one lot away / same scale                  [0, 10]  (10 when it holds less than a lot)
 *   largest predicted supply cut of r in the next `horizon` periods  [0, 1]   (announced shortages and/or a
 *     src/demand forecast of the supply ratio: see shortage-forecast.ts; announced only without a predictor)
 *   net priority credits on r (held - issued) / allocation_r         [-10, 10]
 *
 * Action: 2R numbers in [0, 2]: bid scales then ask scales per resource; 1 = truthful (the analytic hub).
 */
export function observationSpace(cfg: ResolvedHubsConfig): Box {
  const R = cfg.resources.length;
  const low: number[] = [];
  const high: number[] = [];
  for (let r = 0; r < R; r++) {
    low.push(0, 0, 0, 0, -10);
    high.push(10, 10, 10, 1, 10);
  }
  low.push(0);
  high.push(1);
  return new Box(low, high);
}

export function actionSpace(cfg: ResolvedHubsConfig): Box {
  return new Box(0, 2, [2 * cfg.resources.length]);
}

export function toHubAction(a: readonly number[], resources: number): HubAction {
  return { bidScale: a.slice(0, resources), askScale: a.slice(resources, 2 * resources) };
}

const clip = (v: number, lo: number, hi: number): number => (Number.isNaN(v) ? lo : Math.min(hi, Math.max(lo, v)));

export function observe(sim: HubSimulation, h: number, predictor?: ShortagePredictor): number[] {
  const { cfg } = sim;
  const hub = cfg.hubs[h];
  const R = cfg.resources.length;
  const t = Math.min(sim.period, cfg.periods - 1);
  const hold = [...(sim.holdings[h] ?? hub.supply)];
  const book = Math.max(
    1,
    hub.products.reduce((s, p) => s + (p.marginPerUnit + p.delayPerUnit) * p.demand[t], 0),
  );
  const base = hubValue(hub, cfg.resources, t, hold);
  const obs: number[] = [];
  for (let r = 0; r < R; r++) {
    const alloc = Math.max(1e-9, hub.supply[r]);
    const mv = marginalValues(hub, cfg.resources, t, hold, r, cfg.resources[r].lot, base);
    let cut = 0;
    if (predictor) cut = predictor.maxCut(h, r, t, sim.period);
    else for (let k = 1; k <= cfg.horizon; k++) cut = Math.max(cut, predictedCut(cfg, sim.events, h, r, t + k, sim.period));
    let credits = 0;
    for (const c of sim.credits) {
      if (c.resource !== r || c.remaining <= 0) continue;
      if (c.holder === h) credits += c.remaining;
      if (c.issuer === h) credits -= c.remaining;
    }
    obs.push(
      clip(hold[r] / alloc, 0, 10),
      clip(mv.gain === -Infinity ? 0 : mv.gain / book, 0, 10),
      clip(mv.loss === Infinity ? 10 : mv.loss / book, 0, 10),
      clip(cut, 0, 1),
      clip(credits / alloc, -10, 10),
    );
  }
  obs.push(clip(sim.period / cfg.periods, 0, 1));
  return obs;
}
