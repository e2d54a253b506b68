import { TimeLimit } from "../wrappers/time-limit.js";

/** An environment whose full state (including its RNG) can be saved and restored, for exact resumes. */
export interface Snapshotable {
  getState(): unknown;
  setState(state: unknown): void;
}

function hasState(env: unknown): env is Snapshotable {
  return typeof env === "object" && env !== null && typeof (env as Snapshotable).getState === "function" && typeof (env as Snapshotable).setState === "function";
}

/** Whether {@link envState} can snapshot `env` (wrappers are looked through). */
export function canSnapshot(env: unknown): boolean {
  return envState(env) !== undefined;
}

/**
 * The state of an env, or undefined when it cannot be saved. TimeLimit is handled here (it has no getState):
 * its private `elapsed` and `ended` fields are read and written, so a change there must be mirrored here
 * (the resume tests catch it). Better: give TimeLimit getState/setState.
 */
export function envState(env: unknown): unknown {
  if (env instanceof TimeLimit) {
    const inner = envState(env.env);
    const tl = env as unknown as { elapsed: number; ended?: boolean };
    return inner === undefined ? undefined : { timeLimitElapsed: tl.elapsed, timeLimitEnded: tl.ended, inner };
  }
  return hasState(env) ? (env.getState() ?? undefined) : undefined;
}

export function setEnvState(env: unknown, state: unknown): void {
  if (env instanceof TimeLimit) {
    const s = state as { timeLimitElapsed: number; timeLimitEnded?: boolean; inner: unknown };
    const tl = env as unknown as { elapsed: number; ended?: boolean };
    tl.elapsed = s.timeLimitElapsed;
    if (s.timeLimitEnded !== undefined) tl.ended = s.timeLimitEnded;
    setEnvState(env.env, s.inner);
    return;
  }
  if (!hasState(env)) throw new Error("setEnvState: this environment cannot restore a saved state");
  env.setState(state);
}
