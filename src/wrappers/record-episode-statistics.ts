import { envState, setEnvState } from "../core/env-state.js";
import type { ResetOptions, ResetResult, StepResult } from "../core/types.js";
import { Wrapper } from "./wrapper.js";

/** Statistics of one finished episode, put in `info.episode` on its last step. */
export interface EpisodeStatistics {
  /** Sum of the (raw, undiscounted) rewards. */
  r: number;
  /** Number of steps. */
  l: number;
}

/**
 * Gymnasium's RecordEpisodeStatistics: adds `info.episode = { r, l }` on the step that ends an episode
 * (terminated or truncated). Wrap it *outside* TimeLimit so that truncated episodes are counted too.
 */
export class RecordEpisodeStatistics<O, A> extends Wrapper<O, A> {
  private episodeReturn = 0;
  private episodeLength = 0;

  override reset(opts?: ResetOptions): ResetResult<O> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return this.env.reset(opts);
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength++;
    if (r.terminated || r.truncated) {
      r.info = { ...r.info, episode: { r: this.episodeReturn, l: this.episodeLength } satisfies EpisodeStatistics };
      this.episodeReturn = 0;
      this.episodeLength = 0;
    }
    return r;
  }

  getState(): unknown {
    const inner = envState(this.env);
    return inner === undefined ? undefined : { episodeReturn: this.episodeReturn, episodeLength: this.episodeLength, inner };
  }

  setState(s: unknown): void {
    const st = s as { episodeReturn: number; episodeLength: number; inner: unknown };
    this.episodeReturn = st.episodeReturn;
    this.episodeLength = st.episodeLength;
    setEnvState(this.env, st.inner);
  }
}
