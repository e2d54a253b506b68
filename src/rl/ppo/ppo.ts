import * as tf from "@tensorflow/tfjs";
import { clipFactor } from "../adam.js";
import { MlpTape } from "../mlp-backprop.js";
import type { ActionKind } from "../spaces-codec.js";
import type { ActorCriticParams } from "../actor-critic.js";
import { ppoLoss } from "./ppo-loss.js";
import { actorCriticTf, paramList, paramShapes, splitTensors, type ParamTensorParts } from "../actor-critic.js";
import { normalizeAdvantages } from "../advantages.js";
import { autodiffGradients, splitFlat } from "../gradients.js";
import { categoricalLogProbEntropyTf, gaussianLogProbEntropyTf } from "../distributions.js";
import { computeGae } from "../gae.js";
import { OnPolicyLearner, explainedVariance, range, type Group, type UpdateMetrics } from "../on-policy.js";
import {
  fastPathObstacle,
  ppoOptionsSchema,
  resolvePPOOptions,
  type PPOHyperparameters,
  type PPOOptions,
  type ResolvedPPOOptions,
} from "./options.js";

export {
  GRADIENT_PATHS,
  fastPathObstacle,
  resolvePPOOptions,
  type GradientPath,
  type PPOOptions,
  type ResolvedPPOOptions,
} from "./options.js";

/**
 * Proximal Policy Optimization, as CleanRL's ppo.py / ppo_continuous_action.py: clipped surrogate, GAE(lambda),
 * per-minibatch advantage normalisation, optionally clipped value loss, entropy bonus, global gradient-norm
 * clipping, linear learning-rate annealing, target-KL early stop, minibatch epochs.
 *
 *     const ppo = new PPO({ env: "CartPole-v1", numEnvs: 4, seed: 1 });
 *     const policy = await ppo.learn(100_000, { onProgress: (p) => console.log(p.row) });
 *     policy.act(observation, { deterministic: true });
 */
export class PPO extends OnPolicyLearner<ResolvedPPOOptions> {
  /** The schema of the options (a subclass with other rules, MAPPO, sets its own). */
  static readonly optionsSchema: typeof ppoOptionsSchema = ppoOptionsSchema;
  /** The name that labels its option errors (`PPO options`). */
  static readonly optionsName: string = "PPO";
  readonly algorithm: string = "ppo";
  /** The gradient path in use: "fast" (hand-written backward) or "autodiff" (tf.variableGrads). */
  readonly gradientPath: "fast" | "autodiff";
  private readonly tfVars = new Map<Group, TfParamVariables>();

  /** Options: {@link PPOOptions}; a broken rule is a ConfigError of `PPO options` naming each option and rule. */
  constructor(opts: PPOOptions) {
    const cls = new.target as typeof PPO;
    super(resolvePPOOptions(opts, cls.optionsSchema, cls.optionsName));
    // The options' schema refuses "fast" where it does not apply.
    const obstacle = fastPathObstacle(this.config, this.usesCentralCritic());
    this.gradientPath = this.config.gradients === "autodiff" || obstacle ? "autodiff" : "fast";
  }

  override close(): void {
    for (const v of this.tfVars.values()) v.dispose();
    this.tfVars.clear();
    super.close();
  }

  /** Gradients of one minibatch on the path in use (flat in paramList order, then the five metrics). */
  protected minibatchGradients(g: Group, mb: Minibatch): Float32Array {
    const c = this.config;
    if (this.gradientPath === "fast") return ppoGradients(g.params, c, g.action, mb);
    let v = this.tfVars.get(g);
    if (!v) {
      v = new TfParamVariables(g.params);
      this.tfVars.set(g, v);
    } else v.sync(g.params);
    return ppoGradientsVariables(v, g.params, c, g.action, mb);
  }

  protected update(g: Group): UpdateMetrics {
    const c = this.config;
    const b = g.buf;
    const prof = this.profile;
    let tp = performance.now();
    const { advantages, returns } = computeGae({
      rewards: b.rewards,
      values: b.values,
      episodeEnds: b.ends,
      lastValues: b.lastValues,
      numSteps: b.numSteps,
      numEnvs: b.numSlots,
      gamma: c.gamma,
      gaeLambda: c.gaeLambda,
    });
    prof.gae += performance.now() - tp;
    const batch = b.numSteps * b.numSlots;
    const mbSize = Math.floor(batch / c.numMinibatches);
    const inds = range(batch);
    const mbObs = new Float32Array(mbSize * g.obsDim);
    const mbCrit = new Float32Array(mbSize * g.critDim);
    const mbIdx = g.params.embedding ? new Int32Array(mbSize) : undefined;
    const S = b.numSlots;
    const mbAct = new Float32Array(mbSize * g.actDim);
    const mbLogp = new Float32Array(mbSize);
    const mbAdv = new Float32Array(mbSize);
    const mbRet = new Float32Array(mbSize);
    const mbVal = new Float32Array(mbSize);
    const params = paramList(g.params);
    const sizes = params.map((p) => p.length);
    const sums = { pg: 0, v: 0, ent: 0, kl: 0, clip: 0, n: 0 };
    for (let epoch = 0; epoch < c.updateEpochs; epoch++) {
      this.updateRng.shuffle(inds);
      let lastKl = 0;
      for (let start = 0; start + mbSize <= batch; start += mbSize) {
        tp = performance.now();
        for (let k = 0; k < mbSize; k++) {
          const i = inds[start + k];
          mbObs.set(b.obs.subarray(i * g.obsDim, (i + 1) * g.obsDim), k * g.obsDim);
          if (g.critDim > 0) mbCrit.set(b.critObs.subarray(i * g.critDim, (i + 1) * g.critDim), k * g.critDim);
          if (mbIdx) mbIdx[k] = g.agentOfSlot[i % S];
          mbAct.set(b.actions.subarray(i * g.actDim, (i + 1) * g.actDim), k * g.actDim);
          mbLogp[k] = b.logp[i];
          mbAdv[k] = advantages[i];
          mbRet[k] = returns[i];
          mbVal[k] = b.values[i];
        }
        if (c.normAdv) normalizeAdvantages(mbAdv);
        const tg = performance.now();
        prof.gather += tg - tp;
        const out = this.minibatchGradients(g, {
          obs: mbObs,
          actions: mbAct,
          oldLogp: mbLogp,
          adv: mbAdv,
          returns: mbRet,
          oldValues: mbVal,
          n: mbSize,
          obsDim: g.obsDim,
          ...(g.critDim > 0 ? { critObs: mbCrit, critDim: g.critDim } : {}),
          ...(mbIdx ? { agentIdx: mbIdx } : {}),
        });
        const to = performance.now();
        prof.gradient += to - tg;
        // out = [grads of every parameter..., pg, v, ent, kl, clipfrac]
        const { grads, rest: m } = splitFlat(out, sizes);
        const { scale } = clipFactor(grads, c.maxGradNorm);
        g.adam.apply(grads, scale);
        prof.optimizer += performance.now() - to;
        sums.pg += m[0];
        sums.v += m[1];
        sums.ent += m[2];
        sums.kl += m[3];
        sums.clip += m[4];
        sums.n++;
        lastKl = m[3];
      }
      if (c.targetKl !== null && lastKl > c.targetKl) break;
    }
    return {
      policy_loss: sums.pg / sums.n,
      value_loss: sums.v / sums.n,
      entropy: sums.ent / sums.n,
      approx_kl: sums.kl / sums.n,
      clip_fraction: sums.clip / sums.n,
      explained_variance: explainedVariance(b.values, returns),
    };
  }
}

/** One PPO minibatch. */
export interface Minibatch {
  obs: Float32Array;
  /** Discrete: action index per row; Box: the Gaussian sample [n, dim]. */
  actions: Float32Array;
  oldLogp: Float32Array;
  adv: Float32Array;
  returns: Float32Array;
  oldValues: Float32Array;
  n: number;
  obsDim: number;
  /** Centralised critic inputs [n, critDim] (MAPPO); absent: the critic reads `obs`. */
  critObs?: Float32Array;
  critDim?: number;
  /** Agent index of each row (networks with an agent embedding). */
  agentIdx?: Int32Array;
}

type LossCoefs = Pick<PPOHyperparameters, "clipCoef" | "clipVloss" | "entCoef" | "vfCoef" | "activation">;

/**
 * The parameters as TF.js variables (the autodiff path's `tf.variableGrads` differentiates with respect to them),
 * refreshed from the float32 master copy that Adam updates in JS before every minibatch.
 */
export class TfParamVariables {
  readonly vars: tf.Variable[];
  private readonly shapes: number[][];

  constructor(params: ActorCriticParams) {
    this.shapes = paramShapes(params);
    this.vars = paramList(params).map((a, i) => tf.variable(tf.tensor(a, this.shapes[i]), true));
  }

  sync(params: ActorCriticParams): void {
    const list = paramList(params);
    tf.tidy(() => list.forEach((a, i) => this.vars[i].assign(tf.tensor(a, this.shapes[i]))));
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }
}

/**
 * Gradients of CleanRL's PPO loss for one minibatch, flat in {@link paramList} order, followed by the metrics
 * [policy_loss, value_loss, entropy, approx_kl, clip_fraction]. The hot path: TF.js forward of both MLPs (one
 * download), the loss and its output gradient in JavaScript ({@link ppoLoss}), a hand-written TF.js backward
 * ({@link MlpTape}), one download of all gradients.
 */
export function ppoGradients(params: ActorCriticParams, c: LossCoefs, action: ActionKind, mb: Minibatch): Float32Array {
  const { n } = mb;
  const k = action.kind === "categorical" ? action.n : action.dim;
  // The result is declared outside the tidy and the tidy returns nothing: returning a typed array from
  // tf.tidy makes TF.js walk every element looking for tensors (milliseconds per minibatch, measured).
  let out: Float32Array | undefined;
  tf.tidy(() => {
    const x = tf.tensor2d(mb.obs, [n, mb.obsDim]);
    const ta = new MlpTape(params.actor, c.activation, x);
    const tc = new MlpTape(params.critic, c.activation, x);
    // Separate downloads: the WASM backend's Concat kernel costs milliseconds here (measured), a read microseconds.
    const head = ta.out.dataSync() as Float32Array;
    const value = tc.out.dataSync() as Float32Array;
    const L = ppoLoss({
      action,
      head,
      value,
      actions: mb.actions,
      logStd: params.logStd,
      oldLogp: mb.oldLogp,
      adv: mb.adv,
      returns: mb.returns,
      oldValues: mb.oldValues,
      n,
      clipCoef: c.clipCoef,
      clipVloss: c.clipVloss,
      entCoef: c.entCoef,
      vfCoef: c.vfCoef,
    });
    const ga = ta.backward(tf.tensor2d(L.dHead, [n, k]));
    const gc = tc.backward(tf.tensor2d(L.dValue, [n, 1]));
    const parts = [...ga, ...gc];
    const total = parts.reduce((a, t) => a + t.size, 0);
    const extra = L.dLogStd ? L.dLogStd.length : 0;
    const flat = new Float32Array(total + extra + 5);
    let o = 0;
    for (const t of parts) {
      flat.set(t.dataSync() as Float32Array, o);
      o += t.size;
    }
    if (L.dLogStd) flat.set(L.dLogStd, total);
    flat.set([L.policyLoss, L.valueLoss, L.entropy, L.approxKl, L.clipFraction], total + extra);
    out = flat;
  });
  return out!;
}

/** The minibatch as tensors for the TF.js loss (created inside a tidy). */
function minibatchTensors(action: ActionKind, mb: Minibatch) {
  const { n } = mb;
  const headN = action.kind === "categorical" ? action.n : action.dim;
  let act = mb.actions;
  if (action.kind === "categorical") {
    act = new Float32Array(n * headN);
    for (let i = 0; i < n; i++) act[i * headN + mb.actions[i]] = 1;
  }
  return {
    x: tf.tensor2d(mb.obs, [n, mb.obsDim]),
    xc: mb.critObs ? tf.tensor2d(mb.critObs, [n, mb.critDim!]) : undefined,
    idx: mb.agentIdx ? tf.tensor1d(mb.agentIdx, "int32") : undefined,
    actions: tf.tensor2d(act, [n, headN]),
    oldLp: tf.tensor1d(mb.oldLogp),
    adv: tf.tensor1d(mb.adv),
    ret: tf.tensor1d(mb.returns),
    oldV: tf.tensor1d(mb.oldValues),
  };
}

/** CleanRL's PPO loss in TF.js over any network {@link actorCriticTf} builds; metrics as {@link ppoGradients}. */
export function ppoLossTf(
  parts: ParamTensorParts,
  c: LossCoefs,
  action: ActionKind,
  t: ReturnType<typeof minibatchTensors>,
): { loss: tf.Scalar; metrics: tf.Scalar[] } {
  const { head, value } = actorCriticTf(parts, c.activation, t.x, t.xc, t.idx);
  let logp: tf.Tensor1D;
  let entropy: tf.Scalar;
  if (action.kind === "categorical") {
    const r = categoricalLogProbEntropyTf(head, t.actions);
    logp = r.logp;
    entropy = tf.mean(r.entropy);
  } else {
    const r = gaussianLogProbEntropyTf(head, parts.logStd!, t.actions);
    logp = r.logp;
    entropy = r.entropy;
  }
  const logRatio = tf.sub(logp, t.oldLp);
  const ratio = tf.exp(logRatio);
  const pg1 = tf.mul(tf.neg(t.adv), ratio);
  const pg2 = tf.mul(tf.neg(t.adv), tf.clipByValue(ratio, 1 - c.clipCoef, 1 + c.clipCoef));
  const pgLoss = tf.mean(tf.maximum(pg1, pg2)) as tf.Scalar;
  let vLoss: tf.Scalar;
  if (c.clipVloss) {
    const unclipped = tf.square(tf.sub(value, t.ret));
    const vClipped = tf.add(t.oldV, tf.clipByValue(tf.sub(value, t.oldV), -c.clipCoef, c.clipCoef));
    const clipped = tf.square(tf.sub(vClipped, t.ret));
    vLoss = tf.mul(0.5, tf.mean(tf.maximum(unclipped, clipped)));
  } else vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(value, t.ret))));
  const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio)) as tf.Scalar;
  const clipFrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c.clipCoef), "float32")) as tf.Scalar;
  const loss = tf.add(tf.sub(pgLoss, tf.mul(c.entCoef, entropy)), tf.mul(c.vfCoef, vLoss)) as tf.Scalar;
  return { loss, metrics: [pgLoss, vLoss, entropy, approxKl, clipFrac] };
}

/** The same as {@link ppoGradients} through TF.js autodiff (tf.grads) on fresh tensors: a reference for tests. */
export function ppoGradientsAutodiff(params: ActorCriticParams, c: LossCoefs, action: ActionKind, mb: Minibatch): Float32Array {
  return autodiffGradients(params, (parts) => ppoLossTf(parts, c, action, minibatchTensors(action, mb)));
}

/**
 * The autodiff gradient path: `tf.variableGrads` of {@link ppoLossTf} with respect to `vars` (which must hold
 * `params`), flat in paramList order followed by the five metrics, as {@link ppoGradients}.
 */
export function ppoGradientsVariables(
  vars: TfParamVariables,
  params: ActorCriticParams,
  c: LossCoefs,
  action: ActionKind,
  mb: Minibatch,
): Float32Array {
  let out: Float32Array | undefined;
  tf.tidy(() => {
    const t = minibatchTensors(action, mb);
    let metrics: tf.Tensor[] = [];
    const { grads } = tf.variableGrads(() => {
      const r = ppoLossTf(splitTensors(params, vars.vars), c, action, t);
      metrics = r.metrics.map((m) => tf.keep(m));
      return r.loss;
    }, vars.vars);
    const sizes = vars.vars.map((v) => v.size);
    const flat = new Float32Array(sizes.reduce((a, b) => a + b, 0) + metrics.length);
    let o = 0;
    // Separate downloads (the WASM backend's Concat kernel is slow, see ppoGradients).
    vars.vars.forEach((v) => {
      flat.set(grads[v.name].dataSync() as Float32Array, o);
      o += v.size;
    });
    metrics.forEach((m, i) => (flat[o + i] = m.dataSync()[0]));
    for (const m of metrics) m.dispose();
    out = flat;
  });
  return out!;
}
