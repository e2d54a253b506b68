import { deriveSeed } from "../core/rng.js";
import { make } from "../core/registry.js";
import type { ActOptions, Env, Policy } from "../core/types.js";

/**
 * Returns of `episodes` episodes of a single-agent env under `policy` (default deterministic). Episode k is
 * reset with `deriveSeed(seed, "eval", k)`, so two policies evaluated with the same seed see the same starts.
 */
export function evaluatePolicy(
  policy: Policy,
  env: string | (() => Env),
  opts: { episodes?: number; seed?: number; envOptions?: Record<string, unknown> } & ActOptions = {},
): number[] {
  const { episodes = 20, seed = 0, deterministic = true } = opts;
  const e = typeof env === "string" ? make<Env>(env, opts.envOptions ?? {}) : env();
  const returns: number[] = [];
  for (let k = 0; k < episodes; k++) {
    let obs = e.reset({ seed: deriveSeed(seed, "eval", k) }).observation;
    let total = 0;
    for (;;) {
      const r = e.step(policy.act(obs, { deterministic }));
      total += r.reward;
      obs = r.observation;
      if (r.terminated || r.truncated) break;
    }
    returns.push(total);
  }
  e.close();
  return returns;
}
