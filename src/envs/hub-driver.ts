import type { ResolvedHubsConfig } from "../hubs/config.js";
import { ReviewQueue } from "../hubs/review.js";
import { observe, toHubAction } from "./hub-observation.js";
import type { ShortagePredictor } from "../hubs/shortage-forecast.js";
import { HubSimulation, truthfulAction, type HubAction, type HubPeriodResult, type SimulationOptions } from "../hubs/simulation.js";

/**
 * One episode as hub agents live it: the simulator, the shortage predictor behind the observations, and the
 * rule for hubs that are not learned. `HubTrading-v0` and `runHubEpisode` both drive episodes through this
 * class, so a hub without an action acts the same way in training and in evaluation: it is **analytic**, it
 * states its true values (`analyticAction` = bid and ask scales 1). Likewise review: without a `queue` in the
 * simulation options the driver holds outlier trades in an in-memory `ReviewQueue` (nobody decides, so they stay
 * pending or are rejected by the config's policy), so training and evaluation treat outliers the same way.
 */
export function analyticAction(resources: number): HubAction {
  return truthfulAction(resources);
}

export class HubDriver {
  readonly sim: HubSimulation;

  constructor(
    readonly cfg: ResolvedHubsConfig,
    readonly predictor: ShortagePredictor | undefined,
    simOptions: SimulationOptions = {},
  ) {
    this.sim = new HubSimulation(cfg, {
      ...simOptions,
      queue: simOptions.queue ?? new ReviewQueue(undefined, { ledger: simOptions.ledger }),
    });
    predictor?.reset(this.sim.events);
  }

  get done(): boolean {
    return this.sim.done;
  }

  /** Hub h's observation now (see hub-observation.ts). */
  observe(h: number): number[] {
    return observe(this.sim, h, this.predictor);
  }

  /** Run one period. `actions[h]` is hub h's action (2R scales in [0, 2]); undefined = the analytic hub. */
  step(actions: readonly (readonly number[] | undefined)[]): HubPeriodResult[] {
    const R = this.cfg.resources.length;
    if (actions.length !== this.cfg.hubs.length)
      throw new RangeError(`HubDriver.step: ${actions.length} actions for ${this.cfg.hubs.length} hubs`);
    const results = this.sim.runPeriod(actions.map((a) => (a === undefined ? analyticAction(R) : toHubAction(a, R))));
    if (!this.sim.done) this.predictor?.observeSupply(this.sim.period);
    return results;
  }
}
