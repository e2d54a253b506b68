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
export function progressPoints(p: Pick<Progress, "globalStep" | "row" | "learningRate" | "agents">): CurvePoint[] {
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

/** One row of `train`'s agent_curves.csv: an independent learner's own curve at one update. */
export type AgentCurveRow = { global_step: number; agent: string; episode_return_mean: number } & Record<(typeof TRAIN)[number], number>;

export const AGENT_CURVE_COLUMNS = ["global_step", "agent", "episode_return_mean", ...TRAIN] as const;

/** The per-agent rows of one update (none for a single or shared policy), agents in the learner's order. */
export function agentCurveRows(p: Pick<Progress, "globalStep" | "agents">): AgentCurveRow[] {
  return Object.entries(p.agents ?? {}).map(([agent, m]) => {
    const row = { global_step: p.globalStep, agent, episode_return_mean: m.episode_return_mean } as AgentCurveRow;
    for (const k of TRAIN) row[k] = m[k];
    return row;
  });
}

/**
 * The curve points of earlier updates, rebuilt from a checkpoint's curve rows, learning rates and per-agent rows
 * (one list per update, as {@link progressPoints} made them), so that a resumed run's live log starts with them.
 */
export function historyPoints(
  curve: readonly Progress["row"][],
  learningRates: readonly number[],
  agentRows: readonly AgentCurveRow[],
): CurvePoint[][] {
  const byStep = new Map<number, AgentCurveRow[]>();
  for (const r of agentRows) {
    let list = byStep.get(r.global_step);
    if (!list) byStep.set(r.global_step, (list = []));
    list.push(r);
  }
  return curve.map((row, i) => {
    const rows = byStep.get(row.global_step);
    const agents = rows && Object.fromEntries(rows.map(({ global_step: _, agent, ...m }) => [agent, m]));
    return progressPoints({ globalStep: row.global_step, row, learningRate: learningRates[i], agents });
  });
}
