import type { Space } from "../core/spaces.js";
import type { Info, ParallelEnv, ResetOptions, VectorEnv, VectorResetResult, VectorStepResult } from "../core/types.js";
import { canSnapshot, envState, setEnvState } from "../core/env-state.js";

/**
 * A ParallelEnv seen as a VectorEnv with one slot per agent (in `possibleAgents` order): with agents that share one
 * observation and one action space, one shared policy can be trained on all agents' data; independent learners
 * may have agents with different spaces.
 *
 * Agents must end their episodes together (all terminated or truncated in the same step), which is how the
 * market environments work; otherwise `step` throws. Autoreset is same-step, as in {@link SyncVectorEnv}:
 * `infos[i].finalObservation` / `finalInfo` hold the last observation and info, and `infos[i].episode` the
 * agent's episode return and length.
 */
export class ParallelToVector<O = unknown, A = unknown> implements VectorEnv<O, A> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<O>;
  readonly singleActionSpace: Space<A>;
  readonly agents: readonly string[];
  private returns: number[];
  private lengths: number[];
  /** Put the env's `state()` at an episode's end into `infos[i].finalState` (set by learners with a centralised critic). */
  recordState = false;

  /**
   * `equalSpaces` (default true) requires every agent to have the first agent's spaces, as a shared policy needs.
   * Independent learners (one network per agent) pass false and read each slot's spaces from `env` by agent;
   * `singleObservationSpace` / `singleActionSpace` are then only the first agent's.
   */
  constructor(
    readonly env: ParallelEnv<O, A>,
    opts: { equalSpaces?: boolean } = {},
  ) {
    this.agents = [...env.possibleAgents];
    if (this.agents.length === 0) throw new RangeError("ParallelToVector: the env has no agents");
    this.numEnvs = this.agents.length;
    this.singleObservationSpace = env.observationSpace(this.agents[0]);
    this.singleActionSpace = env.actionSpace(this.agents[0]);
    const o = JSON.stringify(this.singleObservationSpace.toJSON());
    const a = JSON.stringify(this.singleActionSpace.toJSON());
    for (const ag of opts.equalSpaces === false ? [] : this.agents) {
      if (JSON.stringify(env.observationSpace(ag).toJSON()) !== o || JSON.stringify(env.actionSpace(ag).toJSON()) !== a) {
        throw new RangeError(
          `ParallelToVector: agent "${ag}" has other spaces than "${this.agents[0]}"; a shared policy needs equal spaces`,
        );
      }
    }
    this.returns = this.agents.map(() => 0);
    this.lengths = this.agents.map(() => 0);
  }

  reset(opts: ResetOptions = {}): VectorResetResult<O> {
    const r = this.env.reset(opts);
    this.returns.fill(0);
    this.lengths.fill(0);
    return { observations: this.agents.map((a) => r.observations[a]), infos: this.agents.map((a) => r.infos[a] ?? {}) };
  }

  step(actions: A[]): VectorStepResult<O> {
    if (actions.length !== this.numEnvs)
      throw new RangeError(`ParallelToVector.step: expected ${this.numEnvs} actions, got ${actions.length}`);
    const rec: Record<string, A> = {};
    this.agents.forEach((a, i) => (rec[a] = actions[i]));
    const r = this.env.step(rec);
    const ended = this.agents.map((a) => Boolean(r.terminations[a]) || Boolean(r.truncations[a]));
    const anyEnded = ended.some(Boolean);
    if (anyEnded && !ended.every(Boolean)) {
      throw new Error(
        `ParallelToVector: agents ${this.agents.filter((_, i) => ended[i]).join(", ")} ended while others go on; a shared-policy vector needs agents that end together`,
      );
    }
    const out: VectorStepResult<O> = {
      observations: this.agents.map((a) => r.observations[a]),
      rewards: this.agents.map((a) => r.rewards[a] ?? 0),
      terminations: this.agents.map((a) => Boolean(r.terminations[a])),
      truncations: this.agents.map((a) => Boolean(r.truncations[a])),
      infos: this.agents.map((a) => r.infos[a] ?? {}),
    };
    this.agents.forEach((_, i) => {
      this.returns[i] += out.rewards[i];
      this.lengths[i]++;
    });
    if (anyEnded) {
      // The global state at the episode's end, for a centralised critic's bootstrap (before the reset replaces it).
      const finalState = this.recordState && this.env.state ? this.env.state().slice() : undefined;
      const next = this.env.reset();
      this.agents.forEach((a, i) => {
        const finalInfo: Info = out.infos[i];
        out.infos[i] = {
          ...(next.infos[a] ?? {}),
          finalObservation: out.observations[i],
          finalInfo,
          episode: { r: this.returns[i], l: this.lengths[i] },
        };
        if (finalState) out.infos[i].finalState = finalState;
        out.observations[i] = next.observations[a];
      });
      this.returns.fill(0);
      this.lengths.fill(0);
    }
    return out;
  }

  canSnapshot(): boolean {
    return canSnapshot(this.env);
  }

  getState(): unknown {
    return { env: envState(this.env), returns: [...this.returns], lengths: [...this.lengths] };
  }

  setState(s: unknown): void {
    const st = s as { env: unknown; returns: number[]; lengths: number[] };
    setEnvState(this.env, st.env);
    this.returns = [...st.returns];
    this.lengths = [...st.lengths];
  }

  close(): void {
    this.env.close();
  }
}
