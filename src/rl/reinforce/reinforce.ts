import * as tf from "@tensorflow/tfjs";
import { clipFactor } from "../adam.js";
import { actorCriticTf, paramList } from "../actor-critic.js";
import { normalizeAdvantages } from "../advantages.js";
import { autodiffGradients, splitFlat } from "../gradients.js";
import { categoricalLogProbEntropyTf, gaussianLogProbEntropyTf } from "../distributions.js";
import { computeGae } from "../gae.js";
import { OnPolicyLearner, explainedVariance, type Group, type UpdateMetrics } from "../on-policy.js";
import { resolveREINFORCEOptions, type REINFORCEOptions, type ResolvedREINFORCEOptions } from "./options.js";

export { resolveREINFORCEOptions, type REINFORCEOptions, type ResolvedREINFORCEOptions } from "./options.js";

/**
 * REINFORCE with a learned baseline: loss = -mean(log pi(a|s) * A) + vfCoef * 0.5 * mean((V(s) - G)^2)
 * - entCoef * entropy, with A = G - V(s) (normalised when normAdv), one Adam step per batch. Same API as PPO.
 */
export class REINFORCE extends OnPolicyLearner<ResolvedREINFORCEOptions> {
  /** The name that labels its option errors (`REINFORCE options`). */
  static readonly optionsName: string = "REINFORCE";
  readonly algorithm = "reinforce";

  /** Options: {@link REINFORCEOptions}; a broken rule is a ConfigError of `REINFORCE options` naming each option and rule. */
  constructor(opts: REINFORCEOptions) {
    super(resolveREINFORCEOptions(opts));
  }

  protected update(g: Group): UpdateMetrics {
    const c = this.config;
    const b = g.buf;
    const { advantages, returns } = computeGae({
      rewards: b.rewards,
      values: b.values,
      episodeEnds: b.ends,
      lastValues: b.lastValues,
      numSteps: b.numSteps,
      numEnvs: b.numSlots,
      gamma: c.gamma,
      gaeLambda: 1,
    });
    const n = b.numSteps * b.numSlots;
    const a = g.action;
    const headN = a.kind === "categorical" ? a.n : a.dim;
    let act: Float32Array;
    if (a.kind === "categorical") {
      act = new Float32Array(n * headN);
      for (let i = 0; i < n; i++) act[i * headN + b.actions[i]] = 1;
    } else act = b.actions;
    const adv = advantages.slice();
    if (c.normAdv) normalizeAdvantages(adv);
    const { grads, rest: m } = splitFlat(
      autodiffGradients(g.params, (parts) => {
        const x = tf.tensor2d(b.obs, [n, g.obsDim]);
        const actions = tf.tensor2d(act, [n, headN]);
        const advT = tf.tensor1d(adv);
        const retT = tf.tensor1d(returns);
        const idx = g.params.embedding
          ? tf.tensor1d(
              Int32Array.from({ length: n }, (_, i) => g.agentOfSlot[i % b.numSlots]),
              "int32",
            )
          : undefined;
        const { head, value } = actorCriticTf(parts, c.activation, x, undefined, idx);
        const r =
          a.kind === "categorical" ? categoricalLogProbEntropyTf(head, actions) : gaussianLogProbEntropyTf(head, parts.logStd!, actions);
        const entropy = tf.mean(r.entropy) as tf.Scalar;
        const pgLoss = tf.neg(tf.mean(tf.mul(r.logp, advT))) as tf.Scalar;
        const vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(value, retT)))) as tf.Scalar;
        const loss = tf.add(tf.sub(pgLoss, tf.mul(c.entCoef, entropy)), tf.mul(c.vfCoef, vLoss)) as tf.Scalar;
        return { loss, metrics: [pgLoss, vLoss, entropy] };
      }),
      paramList(g.params).map((p) => p.length),
    );
    g.adam.apply(grads, clipFactor(grads, c.maxGradNorm).scale);
    return {
      policy_loss: m[0],
      value_loss: m[1],
      entropy: m[2],
      approx_kl: NaN,
      clip_fraction: NaN,
      explained_variance: explainedVariance(b.values, returns),
    };
  }
}
