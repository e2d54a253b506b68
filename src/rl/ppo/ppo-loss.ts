import { gaussianEntropy, gaussianLogProb, logSoftmax, stdOf } from "../distributions.js";
import type { ActionKind } from "../spaces-codec.js";

export interface PPOLossInput {
  action: ActionKind;
  /** Policy head outputs [n, k]: logits or Gaussian means. */
  head: ArrayLike<number>;
  /** Value outputs [n]. */
  value: ArrayLike<number>;
  /** Stored actions: Discrete index [n], or Gaussian samples [n, dim]. */
  actions: ArrayLike<number>;
  logStd?: ArrayLike<number>;
  oldLogp: ArrayLike<number>;
  adv: ArrayLike<number>;
  returns: ArrayLike<number>;
  oldValues: ArrayLike<number>;
  n: number;
  clipCoef: number;
  clipVloss: boolean;
  entCoef: number;
  vfCoef: number;
}

export interface PPOLossOutput {
  /** dLoss/dHead [n, k]. */
  dHead: Float32Array;
  /** dLoss/dValue [n, 1]. */
  dValue: Float32Array;
  /** dLoss/dLogStd (Gaussian). */
  dLogStd?: Float64Array;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
}

/**
 * CleanRL's PPO loss and its exact gradient with respect to the network outputs, in plain JavaScript:
 * loss = mean(max(-A r, -A clip(r, 1-c, 1+c))) - entCoef * mean(entropy) + vfCoef * 0.5 * mean(max((v-R)^2,
 * (v_old + clip(v - v_old, -c, c) - R)^2)) (or the unclipped value loss). Subgradients follow TF.js / PyTorch:
 * `max` passes the gradient to the first argument on ties, `clip` passes it strictly inside its range.
 * Checked against TF.js autodiff of the same loss in ppo.test.ts.
 */
export function ppoLoss(inp: PPOLossInput): PPOLossOutput {
  const { action, head, value, actions, oldLogp, adv, returns, oldValues, n, clipCoef: c, entCoef, vfCoef } = inp;
  const k = action.kind === "categorical" ? action.n : action.dim;
  const dHead = new Float32Array(n * k);
  const dValue = new Float32Array(n);
  const dLogStd = action.kind === "gaussian" ? new Float64Array(action.dim) : undefined;
  let pg = 0;
  let vl = 0;
  let ent = 0;
  let kl = 0;
  let clipped = 0;
  const p = new Float64Array(k);
  const logp_ = new Float64Array(k);
  const gaussEnt = action.kind === "gaussian" ? gaussianEntropy(inp.logStd!) : 0;
  const std = action.kind === "gaussian" ? stdOf(inp.logStd!) : undefined;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let logp: number;
    let h = 0;
    if (action.kind === "categorical") {
      logSoftmax(head, k, o, logp_);
      for (let j = 0; j < k; j++) {
        p[j] = Math.exp(logp_[j]);
        h -= p[j] * logp_[j];
      }
      logp = logp_[actions[i]];
    } else {
      logp = gaussianLogProb(actions, head, inp.logStd!, k, o, o, std);
      h = gaussEnt;
    }
    ent += h;
    const logRatio = logp - oldLogp[i];
    const ratio = Math.exp(logRatio);
    kl += ratio - 1 - logRatio;
    if (Math.abs(ratio - 1) > c) clipped++;
    const a = adv[i];
    const rc = ratio < 1 - c ? 1 - c : ratio > 1 + c ? 1 + c : ratio;
    const t1 = -a * ratio;
    const t2 = -a * rc;
    let dRatio: number;
    if (t1 >= t2) {
      pg += t1;
      dRatio = -a;
    } else {
      pg += t2;
      dRatio = ratio >= 1 - c && ratio <= 1 + c ? -a : 0;
    }
    const dLogp = (dRatio * ratio) / n;
    if (action.kind === "categorical") {
      for (let j = 0; j < k; j++) {
        const onehot = j === actions[i] ? 1 : 0;
        // d(-entCoef * H / n)/dz_j = entCoef * p_j (log p_j + H) / n
        dHead[o + j] = dLogp * (onehot - p[j]) + (entCoef * p[j] * (logp_[j] + h)) / n;
      }
    } else {
      for (let j = 0; j < k; j++) {
        const sd = std![j];
        const z = (actions[o + j] - head[o + j]) / sd;
        dHead[o + j] = (dLogp * z) / sd;
        dLogStd![j] += dLogp * (z * z - 1);
      }
    }
    // Value loss.
    const v = value[i];
    const R = returns[i];
    const u = (v - R) ** 2;
    if (inp.clipVloss) {
      const dv = v - oldValues[i];
      const dvc = dv < -c ? -c : dv > c ? c : dv;
      const vc = oldValues[i] + dvc;
      const cl = (vc - R) ** 2;
      if (u >= cl) {
        vl += u;
        dValue[i] = (vfCoef * 0.5 * 2 * (v - R)) / n;
      } else {
        vl += cl;
        dValue[i] = dv >= -c && dv <= c ? (vfCoef * 0.5 * 2 * (vc - R)) / n : 0;
      }
    } else {
      vl += u;
      dValue[i] = (vfCoef * (v - R)) / n;
    }
  }
  if (dLogStd) for (let j = 0; j < dLogStd.length; j++) dLogStd[j] -= entCoef; // d(-entCoef * mean(H))/dlogStd_j
  return {
    dHead,
    dValue,
    dLogStd,
    policyLoss: pg / n,
    valueLoss: (0.5 * vl) / n,
    entropy: ent / n,
    approxKl: kl / n,
    clipFraction: clipped / n,
  };
}
