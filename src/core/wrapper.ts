import { Box, type Space } from "./spaces.js";
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from "./types.js";

/**
 * Base of the wrappers (src/wrappers): forwards everything to the inner env. Subclasses override the spaces
 * (as fields set once in their constructor, so the same object is returned on every access) and `reset`/`step`.
 */
export class Wrapper<O, A, IO = O, IA = A> implements Env<O, A> {
  spec?: EnvSpec;
  observationSpace: Space<O>;
  actionSpace: Space<A>;

  constructor(readonly env: Env<IO, IA>) {
    this.spec = env.spec;
    this.observationSpace = env.observationSpace as unknown as Space<O>;
    this.actionSpace = env.actionSpace as unknown as Space<A>;
  }

  reset(opts?: ResetOptions): ResetResult<O> {
    return this.env.reset(opts) as unknown as ResetResult<O>;
  }

  step(action: A): StepResult<O> {
    return this.env.step(action as unknown as IA) as unknown as StepResult<O>;
  }

  close(): void {
    this.env.close();
  }

  /** The innermost environment. */
  get unwrapped(): Env<unknown, unknown> {
    let e: Env<unknown, unknown> = this.env as Env<unknown, unknown>;
    while (e instanceof Wrapper) e = e.env as Env<unknown, unknown>;
    return e;
  }
}

/** `space` as a Box, or a TypeError naming the wrapper that needs one. */
export function requireBox(space: Space, wrapper: string, what: "action" | "observation"): Box {
  if (!(space instanceof Box)) {
    const hint = what === "observation" ? " (wrap a Dict observation in FlattenObservation first)" : "";
    throw new TypeError(`${wrapper}: needs a Box ${what} space, got ${JSON.stringify(space.toJSON()).slice(0, 80)}${hint}`);
  }
  return space;
}
