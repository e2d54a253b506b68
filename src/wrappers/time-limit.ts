import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from "../core/types.js";

/** Truncates an episode after `maxEpisodeSteps` steps (`truncated: true`, `terminated` untouched). */
export class TimeLimit<O, A> implements Env<O, A> {
  private elapsed = 0;
  spec?: EnvSpec;

  constructor(
    readonly env: Env<O, A>,
    readonly maxEpisodeSteps: number,
  ) {
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
    this.spec = env.spec;
  }

  get observationSpace() {
    return this.env.observationSpace;
  }
  get actionSpace() {
    return this.env.actionSpace;
  }

  reset(opts?: ResetOptions): ResetResult<O> {
    this.elapsed = 0;
    return this.env.reset(opts);
  }

  step(action: A): StepResult<O> {
    const result = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) result.truncated = true;
    return result;
  }

  close(): void {
    this.env.close();
  }
}
