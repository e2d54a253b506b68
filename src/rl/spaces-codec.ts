import { Box, Dict, Discrete, MultiDiscrete, flatDim, type Space } from "../core/spaces.js";

/** Writes an observation of `space` as flat floats into `out` from `offset` (Discrete and MultiDiscrete one-hot). */
export type ObsEncoder = (obs: unknown, out: Float32Array, offset: number) => void;

export function obsEncoder(space: Space): { dim: number; encode: ObsEncoder } {
  const dim = flatDim(space);
  if (space instanceof Box) {
    const n = space.size;
    return {
      dim,
      encode: (obs, out, offset) => {
        const a = obs as ArrayLike<number>;
        for (let i = 0; i < n; i++) out[offset + i] = a[i];
      },
    };
  }
  if (space instanceof Discrete) {
    return {
      dim,
      encode: (obs, out, offset) => {
        out.fill(0, offset, offset + space.n);
        out[offset + (obs as number) - space.start] = 1;
      },
    };
  }
  if (space instanceof MultiDiscrete) {
    return {
      dim,
      encode: (obs, out, offset) => {
        const a = obs as ArrayLike<number>;
        out.fill(0, offset, offset + dim);
        let o = offset;
        space.nvec.forEach((n, i) => {
          out[o + a[i]] = 1;
          o += n;
        });
      },
    };
  }
  if (space instanceof Dict) {
    const parts = space.keys.map((k) => ({ k, ...obsEncoder(space.spaces[k]) }));
    return {
      dim,
      encode: (obs, out, offset) => {
        let o = offset;
        for (const p of parts) {
          p.encode((obs as Record<string, unknown>)[p.k], out, o);
          o += p.dim;
        }
      },
    };
  }
  throw new TypeError(`observation space ${JSON.stringify(space.toJSON())} is not supported by the learners`);
}

/** How a policy head maps to an action space. */
export type ActionKind =
  | { kind: "categorical"; n: number; start: number }
  | { kind: "gaussian"; dim: number; low: readonly number[]; high: readonly number[] };

export function actionKind(space: Space): ActionKind {
  if (space instanceof Discrete) return { kind: "categorical", n: space.n, start: space.start };
  if (space instanceof Box) return { kind: "gaussian", dim: space.size, low: space.low, high: space.high };
  throw new TypeError(
    `action space ${JSON.stringify(space.toJSON())} is not supported: the learners handle Discrete (Categorical) and Box (diagonal Gaussian)`,
  );
}

/** Number of network outputs for the policy head (logits, or Gaussian means). */
export function headDim(kind: ActionKind): number {
  return kind.kind === "categorical" ? kind.n : kind.dim;
}
