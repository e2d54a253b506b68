import type { Space } from "../core/spaces.js";
import type { ResetOptions, VectorEnv, VectorResetResult, VectorStepResult } from "../core/types.js";

/** Several VectorEnvs side by side as one; `reset({ seed })` seeds part k with `seed + k`. */
export class ConcatVectorEnv<O, A> implements VectorEnv<O, A> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<O>;
  readonly singleActionSpace: Space<A>;

  constructor(readonly parts: VectorEnv<O, A>[]) {
    this.numEnvs = parts.reduce((a, p) => a + p.numEnvs, 0);
    this.singleObservationSpace = parts[0].singleObservationSpace;
    this.singleActionSpace = parts[0].singleActionSpace;
  }

  reset(opts: ResetOptions = {}): VectorResetResult<O> {
    const out: VectorResetResult<O> = { observations: [], infos: [] };
    this.parts.forEach((p, k) => {
      const r = p.reset({ ...opts, seed: opts.seed === undefined ? undefined : opts.seed + k });
      out.observations.push(...r.observations);
      out.infos.push(...r.infos);
    });
    return out;
  }

  step(actions: A[]): VectorStepResult<O> {
    const out: VectorStepResult<O> = { observations: [], rewards: [], terminations: [], truncations: [], infos: [] };
    let o = 0;
    for (const p of this.parts) {
      const r = p.step(actions.slice(o, o + p.numEnvs));
      o += p.numEnvs;
      out.observations.push(...r.observations);
      out.rewards.push(...r.rewards);
      out.terminations.push(...r.terminations);
      out.truncations.push(...r.truncations);
      out.infos.push(...r.infos);
    }
    return out;
  }

  canSnapshot(): boolean {
    return this.parts.every((p) => (p as { canSnapshot?: () => boolean }).canSnapshot?.() ?? false);
  }

  getState(): unknown[] {
    return this.parts.map((p) => (p as unknown as { getState(): unknown }).getState());
  }

  setState(s: unknown[]): void {
    this.parts.forEach((p, k) => (p as unknown as { setState(x: unknown): void }).setState(s[k]));
  }

  close(): void {
    for (const p of this.parts) p.close();
  }
}
