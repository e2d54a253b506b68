import { Box } from "../core/spaces.js";
import type { Env, StepResult } from "../core/types.js";
import { requireBox, Wrapper } from "./wrapper.js";

/**
 * Clips each entry of a Box action to the inner env's bounds (Gymnasium's `ClipAction`). The wrapper's action
 * space is the unbounded Box of the same shape, so any real vector is accepted; NaN is still an error.
 */
export class ClipAction<O> extends Wrapper<O, number[], O, number[]> {
  override readonly actionSpace: Box;
  private readonly inner: Box;

  constructor(env: Env<O, number[]>) {
    super(env);
    this.inner = requireBox(env.actionSpace, "ClipAction", "action");
    this.actionSpace = new Box(-Infinity, Infinity, this.inner.shape);
  }

  override step(action: number[]): StepResult<O> {
    const { low, high, size } = this.inner;
    if (action.length !== size) throw new RangeError(`ClipAction: expected ${size} numbers, got ${action.length}`);
    const clipped = new Array<number>(size);
    for (let i = 0; i < size; i++) {
      const v = action[i];
      if (Number.isNaN(v)) throw new RangeError(`ClipAction: action entry ${i} is NaN`);
      clipped[i] = v < low[i] ? low[i] : v > high[i] ? high[i] : v;
    }
    return this.env.step(clipped);
  }
}
