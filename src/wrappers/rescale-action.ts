import { Box } from "../core/spaces.js";
import type { Env, ParallelEnv, ParallelResetResult, ParallelStepResult, ResetOptions, StepResult } from "../core/types.js";
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
      if (
        !(this.actionSpace.low[i] < this.actionSpace.high[i]) ||
        !Number.isFinite(this.actionSpace.low[i]) ||
        !Number.isFinite(this.actionSpace.high[i])
      ) {
        throw new RangeError(
          `RescaleAction: need finite min < max, entry ${i} has [${this.actionSpace.low[i]}, ${this.actionSpace.high[i]}]`,
        );
      }
    }
  }

  /** The inner env's action for a wrapper action (no range check). */
  rescale(action: readonly number[]): number[] {
    return rescaleBetween(action, this.actionSpace, this.inner);
  }

  override step(action: number[]): StepResult<O> {
    const why = this.actionSpace.explain(action);
    if (why) throw new RangeError(`RescaleAction: action not in [min, max]: ${why}`);
    return this.env.step(this.rescale(action));
  }
}

/** The affine map of `action` from Box `from` onto Box `to`, clamped to `to`'s bounds against rounding. */
export function rescaleBetween(action: readonly number[], from: Box, to: Box): number[] {
  const out = new Array<number>(action.length);
  for (let i = 0; i < action.length; i++) {
    const f = (action[i] - from.low[i]) / (from.high[i] - from.low[i]);
    const v = to.low[i] + f * (to.high[i] - to.low[i]);
    out[i] = Math.min(to.high[i], Math.max(to.low[i], v));
  }
  return out;
}

/** `RescaleAction` for every agent of a ParallelEnv whose agents have Box actions of one shape. */
export class ParallelRescaleAction<O> implements ParallelEnv<O, number[]> {
  private readonly spaces = new Map<string, { outer: Box; inner: Box }>();

  /** The wrapped env's global state space (PettingZoo's state_space); undefined when it has none. */
  get stateSpace(): Box | undefined {
    return this.env.stateSpace;
  }

  /** The wrapped env's global state (PettingZoo's state()), for centralised critics; this wrapper does not change it. */
  state(): Float32Array {
    if (typeof this.env.state !== "function") throw new Error(`${this.constructor.name}: the wrapped env has no global state`);
    return this.env.state();
  }

  constructor(
    readonly env: ParallelEnv<O, number[]>,
    min: number | readonly number[] = -1,
    max: number | readonly number[] = 1,
  ) {
    for (const a of env.possibleAgents) {
      const inner = requireBox(env.actionSpace(a), "ParallelRescaleAction", "action");
      if (!inner.isBounded()) throw new RangeError(`ParallelRescaleAction: agent ${a}'s action space must have finite bounds`);
      this.spaces.set(a, { inner, outer: new Box(min, max, inner.shape) });
    }
  }

  get possibleAgents(): readonly string[] {
    return this.env.possibleAgents;
  }
  get agents(): string[] {
    return this.env.agents;
  }
  get spec() {
    return this.env.spec;
  }

  observationSpace(agent: string) {
    return this.env.observationSpace(agent);
  }

  actionSpace(agent: string): Box {
    const s = this.spaces.get(agent);
    if (!s) throw new RangeError(`ParallelRescaleAction: unknown agent "${agent}"`);
    return s.outer;
  }

  reset(opts?: ResetOptions): ParallelResetResult<O> {
    return this.env.reset(opts);
  }

  step(actions: Record<string, number[]>): ParallelStepResult<O> {
    const inner: Record<string, number[]> = {};
    for (const [a, act] of Object.entries(actions)) {
      const s = this.actionSpace(a);
      const why = s.explain(act);
      if (why) throw new RangeError(`ParallelRescaleAction: agent ${a}'s action not in [min, max]: ${why}`);
      inner[a] = rescaleBetween(act, s, this.spaces.get(a)!.inner);
    }
    return this.env.step(inner);
  }

  close(): void {
    this.env.close();
  }
}
