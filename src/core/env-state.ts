/** An environment whose full state (including its RNG) can be saved and restored, for exact resumes. */
export interface Snapshotable {
  getState(): unknown;
  setState(state: unknown): void;
}

function hasState(env: unknown): env is Snapshotable {
  return (
    typeof env === "object" &&
    env !== null &&
    typeof (env as Snapshotable).getState === "function" &&
    typeof (env as Snapshotable).setState === "function"
  );
}

/** Whether {@link envState} can snapshot `env`. */
export function canSnapshot(env: unknown): boolean {
  return envState(env) !== undefined;
}

/**
 * The state of an env, or undefined when it cannot be saved. Wrappers that keep state of their own (TimeLimit,
 * RecordEpisodeStatistics) implement getState/setState around their inner env's state.
 */
export function envState(env: unknown): unknown {
  return hasState(env) ? (env.getState() ?? undefined) : undefined;
}

export function setEnvState(env: unknown, state: unknown): void {
  if (!hasState(env)) throw new Error("setEnvState: this environment cannot restore a saved state");
  env.setState(state);
}
