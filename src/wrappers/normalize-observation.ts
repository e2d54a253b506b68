import { Box } from "../core/spaces.js";
import type { Env, ResetOptions, ResetResult, StepResult } from "../core/types.js";
import { RunningMeanStd, type RunningMeanStdJSON } from "./running-mean-std.js";
import { requireBox, Wrapper } from "./wrapper.js";

export interface NormalizeObservationOptions {
  /** Added to the variance before the square root. Default 1e-8 (Gymnasium). */
  epsilon?: number;
  /** Update the running statistics with each observation. Default true; set false to freeze (evaluation). */
  update?: boolean;
  /** Statistics saved from an earlier run (for example with a policy). */
  stats?: RunningMeanStdJSON;
}

export const NORMALIZE_OBSERVATION_DEFAULTS = { epsilon: 1e-8, update: true } as const;

/**
 * Normalises Box observations to `(x - mean) / sqrt(var + epsilon)` with running statistics (Gymnasium's
 * `NormalizeObservation`): the statistics are updated first with each observation (reset and step), then applied.
 * Freeze with `update = false`; save with `stats()` and restore with `loadStats()` or the `stats` option.
 */
export class NormalizeObservation<A> extends Wrapper<number[], A, number[], A> {
  override readonly observationSpace: Box;
  readonly rms: RunningMeanStd;
  update: boolean;
  readonly epsilon: number;

  constructor(env: Env<number[], A>, opts: NormalizeObservationOptions = {}) {
    super(env);
    const o = { ...NORMALIZE_OBSERVATION_DEFAULTS, ...opts };
    if (!(o.epsilon >= 0)) throw new RangeError(`NormalizeObservation: epsilon must be >= 0, got ${o.epsilon}`);
    const inner = requireBox(env.observationSpace, "NormalizeObservation", "observation");
    this.observationSpace = new Box(-Infinity, Infinity, inner.shape);
    this.rms = new RunningMeanStd(inner.size);
    if (o.stats) this.rms.load(o.stats);
    this.update = o.update;
    this.epsilon = o.epsilon;
  }

  normalize(x: ArrayLike<number>): number[] {
    if (this.update) this.rms.update(x);
    const out = new Array<number>(x.length);
    for (let i = 0; i < x.length; i++) out[i] = (x[i] - this.rms.mean[i]) / Math.sqrt(this.rms.var[i] + this.epsilon);
    return out;
  }

  override reset(opts?: ResetOptions): ResetResult<number[]> {
    const r = this.env.reset(opts);
    return { observation: this.normalize(r.observation), info: r.info };
  }

  override step(action: A): StepResult<number[]> {
    const r = this.env.step(action);
    return { ...r, observation: this.normalize(r.observation) };
  }

  stats(): RunningMeanStdJSON {
    return this.rms.toJSON();
  }

  loadStats(json: RunningMeanStdJSON): void {
    this.rms.load(json);
  }
}
