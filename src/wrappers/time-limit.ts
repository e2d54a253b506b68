import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from "../core/types.js";

/** Truncates an episode after `maxEpisodeSteps` steps (`truncated: true`, `terminated` untouched). */
export class TimeLimit<O, A> implements Env<O, A> {
  private elapsed = 0;
  private ended = true;
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
    this.ended = false;
    return this.env.reset(opts);
  }

  step(action: A): StepResult<O> {
    if (this.ended) throw new Error("TimeLimit: step() before reset() or after the episode ended; call reset() first");
    const result = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) result.truncated = true;
    if (result.terminated || result.truncated) this.ended = true;
    return result;
  }

  close(): void {
    this.env.close();
  }
}
