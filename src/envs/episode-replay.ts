import { Rng, type RngState } from "../core/rng.js";

/** What {@link EpisodeReplay} saves: the RNG, and the current episode as its start and its actions (plain JSON). */
export interface ReplayState<A> {
  /** The env's RNG now (used when no episode was started). */
  rng: RngState;
  /** The current episode's reset: its seed and the RNG before the reset drew from it; null before any reset. */
  reset: { seed: number | undefined; rng: RngState } | null;
  /** The actions stepped since that reset. */
  actions: A[];
}

/**
 * Exact resume by replay, for envs whose episode is a deterministic function of the RNG at reset and of the actions
 * since (the contracts and hubs envs: their engines hold message logs, review queues and LP warm starts that would
 * be large to serialise, while an episode is at most tens of steps). The env calls `onReset` before its reset draws
 * from the RNG and `onStep` with every accepted action; `restore` sets the RNG back, resets and steps the actions
 * again, which leaves the env (and its RNG) exactly as it was.
 */
export class EpisodeReplay<A> {
  private start: ReplayState<A>["reset"] = null;
  private actions: A[] = [];

  onReset(rngBefore: Rng, seed: number | undefined): void {
    this.start = { seed, rng: rngBefore.state() };
    this.actions = [];
  }

  onStep(action: A): void {
    this.actions.push(JSON.parse(JSON.stringify(action)) as A);
  }

  state(rng: Rng): ReplayState<A> {
    return { rng: rng.state(), reset: this.start, actions: [...this.actions] };
  }

  static restore<A>(
    s: ReplayState<A>,
    env: { setRng(rng: Rng): void; reset(seed: number | undefined): void; step(action: A): void },
  ): void {
    if (s.reset === null) {
      env.setRng(Rng.fromState(s.rng));
      return;
    }
    env.setRng(Rng.fromState(s.reset.rng));
    env.reset(s.reset.seed);
    for (const a of s.actions) env.step(a);
  }
}
