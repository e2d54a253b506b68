import type { Space } from "../core/spaces.js";
import type { Env, Info, ResetOptions, VectorEnv, VectorResetResult, VectorStepResult } from "../core/types.js";
import { canSnapshot, envState, setEnvState } from "../core/env-state.js";

/**
 * `numEnvs` copies of an environment stepped one after another in this process (Gymnasium's SyncVectorEnv).
 *
 * Seeding: `reset({ seed })` seeds env i with `seed + i`; a reset without a seed lets each env's RNG continue.
 *
 * Autoreset mode: **same-step** (Gymnasium 0.29 / CleanRL / SB3 style, not Gymnasium 1.x's next-step default).
 * When env i ends an episode (terminated or truncated) in `step`, it is reset at once: `observations[i]` is the
 * first observation of the next episode, `terminations[i]` / `truncations[i]` / `rewards[i]` belong to the step
 * that ended the old one, and `infos[i].finalObservation` / `infos[i].finalInfo` hold the old episode's last
 * observation and info (learners bootstrap truncated episodes from `finalObservation`). Every call to `step`
 * therefore consumes an action in every env; no step is wasted on a reset.
 */
export class SyncVectorEnv<O = unknown, A = unknown> implements VectorEnv<O, A> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<O>;
  readonly singleActionSpace: Space<A>;
  readonly envs: Env<O, A>[];

  constructor(factories: (() => Env<O, A>)[] | Env<O, A>[]) {
    if (factories.length === 0) throw new RangeError("SyncVectorEnv: needs at least one environment");
    this.envs = factories.map((f) => (typeof f === "function" ? f() : f));
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
  }

  reset(opts: ResetOptions = {}): VectorResetResult<O> {
    const observations: O[] = [];
    const infos: Info[] = [];
    this.envs.forEach((env, i) => {
      const r = env.reset({ ...opts, seed: opts.seed === undefined ? undefined : opts.seed + i });
      observations.push(r.observation);
      infos.push(r.info);
    });
    return { observations, infos };
  }

  step(actions: A[]): VectorStepResult<O> {
    if (actions.length !== this.numEnvs)
      throw new RangeError(`SyncVectorEnv.step: expected ${this.numEnvs} actions, got ${actions.length}`);
    const n = this.numEnvs;
    const out: VectorStepResult<O> = {
      observations: new Array(n),
      rewards: new Array(n),
      terminations: new Array(n),
      truncations: new Array(n),
      infos: new Array(n),
    };
    for (let i = 0; i < n; i++) {
      const env = this.envs[i];
      const r = env.step(actions[i]);
      out.rewards[i] = r.reward;
      out.terminations[i] = r.terminated;
      out.truncations[i] = r.truncated;
      if (r.terminated || r.truncated) {
        const next = env.reset();
        out.observations[i] = next.observation;
        out.infos[i] = { ...next.info, finalObservation: r.observation, finalInfo: r.info };
      } else {
        out.observations[i] = r.observation;
        out.infos[i] = r.info;
      }
    }
    return out;
  }

  /** Whether every copy can save and restore its state (needed for bit-identical resumes). */
  canSnapshot(): boolean {
    return this.envs.every(canSnapshot);
  }

  getState(): unknown[] {
    return this.envs.map((e) => envState(e));
  }

  setState(states: unknown[]): void {
    if (states.length !== this.numEnvs) throw new RangeError(`SyncVectorEnv.setState: ${states.length} states for ${this.numEnvs} envs`);
    this.envs.forEach((e, i) => setEnvState(e, states[i]));
  }

  close(): void {
    for (const e of this.envs) e.close();
  }
}
