import type { Env, ResetOptions, ResetResult, StepResult } from "../core/types.js";
import { RunningMeanStd, type RunningMeanStdJSON } from "./running-mean-std.js";
import { Wrapper } from "./wrapper.js";

export interface NormalizeRewardOptions {
  /** Discount of the running return whose variance scales the rewards. Default 0.99. */
  gamma?: number;
  /** Added to the variance before the square root. Default 1e-8. */
  epsilon?: number;
  /** Update the statistics each step. Default true; false freezes them (evaluation). */
  update?: boolean;
  stats?: RunningMeanStdJSON;
}

export const NORMALIZE_REWARD_DEFAULTS = { gamma: 0.99, epsilon: 1e-8, update: true } as const;

/**
 * Scales rewards by the standard deviation of a running discounted return (Gymnasium's `NormalizeReward`):
 * `G <- G * gamma * (1 - terminated) + r`, update the statistics with `G`, return `r / sqrt(var(G) + epsilon)`
 * (no mean subtraction). One difference, on purpose: `G` is also zeroed at `reset()`, so a truncated episode's
 * return does not leak into the next episode. The raw reward is kept in `info.rawReward`.
 */
export class NormalizeReward<O, A> extends Wrapper<O, A> {
  readonly rms = new RunningMeanStd(1);
  update: boolean;
  readonly gamma: number;
  readonly epsilon: number;
  private ret = 0;

  constructor(env: Env<O, A>, opts: NormalizeRewardOptions = {}) {
    super(env);
    const o = { ...NORMALIZE_REWARD_DEFAULTS, ...opts };
    if (!(o.gamma >= 0 && o.gamma <= 1)) throw new RangeError(`NormalizeReward: gamma must be in [0, 1], got ${o.gamma}`);
    if (!(o.epsilon >= 0)) throw new RangeError(`NormalizeReward: epsilon must be >= 0, got ${o.epsilon}`);
    this.gamma = o.gamma;
    this.epsilon = o.epsilon;
    this.update = o.update;
    if (o.stats) this.rms.load(o.stats);
  }

  override reset(opts?: ResetOptions): ResetResult<O> {
    this.ret = 0;
    return this.env.reset(opts);
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.ret = this.ret * this.gamma * (r.terminated ? 0 : 1) + r.reward;
    if (this.update) this.rms.update([this.ret]);
    return { ...r, reward: r.reward / Math.sqrt(this.rms.var[0] + this.epsilon), info: { ...r.info, rawReward: r.reward } };
  }

  stats(): RunningMeanStdJSON {
    return this.rms.toJSON();
  }

  loadStats(json: RunningMeanStdJSON): void {
    this.rms.load(json);
  }
}
