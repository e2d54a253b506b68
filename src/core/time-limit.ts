import { envState, setEnvState } from "./env-state.js";
import type { Env, ResetOptions, ResetResult, StepResult } from "./types.js";
import { Wrapper } from "./wrapper.js";

/**
 * Truncates an episode after `maxEpisodeSteps` steps (`truncated: true`, `terminated` untouched), and refuses a
 * step before reset or after the episode ended.
 */
export class TimeLimit<O, A> extends Wrapper<O, A> {
  private elapsed = 0;
  private ended = true;

  constructor(
    env: Env<O, A>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  override reset(opts?: ResetOptions): ResetResult<O> {
    this.elapsed = 0;
    this.ended = false;
    return this.env.reset(opts);
  }

  override step(action: A): StepResult<O> {
    if (this.ended) throw new Error("TimeLimit: step() before reset() or after the episode ended; call reset() first");
    const result = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) result.truncated = true;
    if (result.terminated || result.truncated) this.ended = true;
    return result;
  }

  /** The inner env's state with the step count (undefined when the inner env cannot be saved). */
  getState(): unknown {
    const inner = envState(this.env);
    return inner === undefined ? undefined : { timeLimitElapsed: this.elapsed, timeLimitEnded: this.ended, inner };
  }

  setState(state: unknown): void {
    const s = state as { timeLimitElapsed: number; timeLimitEnded?: boolean; inner: unknown };
    this.elapsed = s.timeLimitElapsed;
    if (s.timeLimitEnded !== undefined) this.ended = s.timeLimitEnded;
    setEnvState(this.env, s.inner);
  }
}
