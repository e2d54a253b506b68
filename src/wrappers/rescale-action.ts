import { Box } from "../core/spaces.js";
import type { Env, StepResult } from "../core/types.js";
import { requireBox, Wrapper } from "./wrapper.js";

/**
 * Maps actions from `[min, max]` (default `[-1, 1]`, what a tanh-squashed or Gaussian policy produces) affinely
 * onto the inner env's finite Box bounds (Gymnasium's `RescaleAction`). Actions outside `[min, max]` throw:
 * combine with ClipAction (outside) to clip instead.
 */
export class RescaleAction<O> extends Wrapper<O, number[], O, number[]> {
  override readonly actionSpace: Box;
  private readonly inner: Box;

  constructor(env: Env<O, number[]>, min: number | readonly number[] = -1, max: number | readonly number[] = 1) {
    super(env);
    this.inner = requireBox(env.actionSpace, "RescaleAction", "action");
    if (!this.inner.isBounded()) throw new RangeError("RescaleAction: the inner action space must have finite bounds");
    this.actionSpace = new Box(min, max, this.inner.shape);
    for (let i = 0; i < this.actionSpace.size; i++) {
      if (!(this.actionSpace.low[i] < this.actionSpace.high[i]) || !Number.isFinite(this.actionSpace.low[i]) || !Number.isFinite(this.actionSpace.high[i])) {
        throw new RangeError(`RescaleAction: need finite min < max, entry ${i} has [${this.actionSpace.low[i]}, ${this.actionSpace.high[i]}]`);
      }
    }
  }

  /** The inner env's action for a wrapper action (no range check). */
  rescale(action: readonly number[]): number[] {
    const { low, high } = this.actionSpace;
    const out = new Array<number>(action.length);
    for (let i = 0; i < action.length; i++) {
      const f = (action[i] - low[i]) / (high[i] - low[i]);
      const v = this.inner.low[i] + f * (this.inner.high[i] - this.inner.low[i]);
      // Guard floating-point spill past the bounds at the ends.
      out[i] = Math.min(this.inner.high[i], Math.max(this.inner.low[i], v));
    }
    return out;
  }

  override step(action: number[]): StepResult<O> {
    const why = this.actionSpace.explain(action);
    if (why) throw new RangeError(`RescaleAction: action not in [min, max]: ${why}`);
    return this.env.step(this.rescale(action));
  }
}
