import type { Progress } from "./on-policy.js";

/** A learning-curve point of one update; `agent` marks an independent learner's own curve. */
export interface CurvePoint {
  step: number;
  metric: string;
  value: number;
  agent?: string;
}

const ROLLOUT = ["episode_return_mean", "episode_length_mean"] as const;
const TRAIN = ["policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "explained_variance"] as const;

/**
 * The curve points of one update, tagged as in learning_curves.csv: `rollout/<k>` and `train/<k>` averaged over
 * the learners, `train/learning_rate`, and for independent learners each agent's `rollout/episode_return_mean` and
 * `train/<k>` with `agent` set.
 */
export function progressPoints(p: Progress): CurvePoint[] {
  const step = p.globalStep;
  const out: CurvePoint[] = [];
  for (const k of ROLLOUT) out.push({ step, metric: `rollout/${k}`, value: p.row[k] });
  for (const k of TRAIN) out.push({ step, metric: `train/${k}`, value: p.row[k] });
  out.push({ step, metric: "train/learning_rate", value: p.learningRate });
  for (const [agent, m] of Object.entries(p.agents ?? {})) {
    out.push({ step, metric: "rollout/episode_return_mean", value: m.episode_return_mean, agent });
    for (const k of TRAIN) out.push({ step, metric: `train/${k}`, value: m[k], agent });
  }
  return out;
}
