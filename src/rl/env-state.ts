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

/** The state of an env, or undefined when it cannot be saved. TimeLimit is handled here (it has no getState). */
export function envState(env: unknown): unknown {
  if (env instanceof TimeLimit) {
    const inner = envState(env.env);
    return inner === undefined ? undefined : { timeLimitElapsed: (env as unknown as { elapsed: number }).elapsed, inner };
  }
  return hasState(env) ? (env.getState() ?? undefined) : undefined;
}

export function setEnvState(env: unknown, state: unknown): void {
  if (env instanceof TimeLimit) {
    const s = state as { timeLimitElapsed: number; inner: unknown };
    (env as unknown as { elapsed: number }).elapsed = s.timeLimitElapsed;
    setEnvState(env.env, s.inner);
    return;
  }
  if (!hasState(env)) throw new Error("setEnvState: this environment cannot restore a saved state");
  env.setState(state);
}
