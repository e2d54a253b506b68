import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs";
import { Rng } from "../core/rng.js";
import { BaseForecaster } from "./forecaster.js";
import { tfReady } from "./tf-setup.js";

export interface MlpForecasterOptions {
  horizon?: number;
  /** Inputs: the last `lags` values. Default 14. */
  lags?: number;
  /** Hidden layer widths (tanh). Default [32, 32]. */
  hidden?: number[];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Seed of the initial weights and of the minibatch order (never 0 in TF terms: we draw the weights ourselves). */
  seed?: number;
  /** Extra series (for example simulated demand histories) added to the training set. */
  trainingSeries?: number[][];
}

export const MLP_FORECASTER_DEFAULTS = { horizon: 3, lags: 14, hidden: [32, 32], epochs: 200, batchSize: 128, learningRate: 0.01, seed: 1 };

/**
 * A learned forecaster: an MLP on a lag window, trained with TensorFlow.js (Adam, mean squared error) and then run
 * in plain JavaScript from the trained weights (the same numbers, in float64), so that forecasting inside an
 * environment step costs microseconds and allocates no tensors.
 *
 * With the last value y_t and scale mu, sd (mean and standard deviation of the training values), the inputs are
 * (y_t - mu)/sd and (y_{t-i} - y_t)/sd for i = 1..lags-1; the outputs are (y_{t+h} - y_t)/sd for h = 1..H (a direct
 * multi-horizon forecast of changes, which carries over to levels outside the training range).
 *
 * Seeding: TF.js initialisers ignore seeds in places (tfjs issue 7104), so the initial weights are drawn here
 * (Glorot uniform, zero biases) from an `Rng`, as is the order of the minibatches; the cpu backend is then
 * deterministic, so a seed gives the same weights on every run.
 */
export class MlpForecaster extends BaseForecaster {
  readonly name = "mlp";
  readonly minHistory: number;
  readonly options: Required<Omit<MlpForecasterOptions, "trainingSeries">>;
  private readonly trainingSeries: number[][];
  /** Layer weights [in x out] row-major and biases, after training. */
  private weights: Float64Array[] = [];
  private biases: Float64Array[] = [];
  private sizes: number[] = [];
  private mu = 0;
  private sd = 1;
  private readonly window: Float64Array;
  private readonly acts: Float64Array[] = [];
  finalLoss = NaN;
  trainSamples = 0;

  constructor(opts: MlpForecasterOptions = {}) {
    const o = { ...MLP_FORECASTER_DEFAULTS, ...opts };
    super(o.horizon);
    for (const k of ["lags", "epochs", "batchSize"] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new RangeError(`mlp: ${k} must be a positive integer, got ${o[k]}`);
    }
    if (!(o.learningRate > 0)) throw new RangeError(`mlp: learningRate must be positive, got ${o.learningRate}`);
    if (!o.hidden.every((h) => Number.isInteger(h) && h >= 1))
      throw new RangeError(`mlp: hidden widths must be positive integers, got [${o.hidden}]`);
    this.options = {
      horizon: o.horizon,
      lags: o.lags,
      hidden: [...o.hidden],
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      seed: o.seed,
    };
    this.trainingSeries = opts.trainingSeries ?? [];
    this.minHistory = o.lags;
    this.window = new Float64Array(o.lags);
    this.sizes = [o.lags, ...o.hidden, o.horizon];
    for (const s of this.sizes) this.acts.push(new Float64Array(s));
  }

  private features(series: readonly number[], end: number, out: Float64Array | number[], off: number): void {
    // series[end - 1] is the last observed value.
    const last = series[end - 1];
    out[off] = (last - this.mu) / this.sd;
    for (let i = 1; i < this.options.lags; i++) out[off + i] = (series[end - 1 - i] - last) / this.sd;
  }

  protected override fitParams(history: readonly number[]): void {
    const tf = tfReady();
    const { lags, horizon: H, hidden, epochs, batchSize, learningRate, seed } = this.options;
    const series = [history, ...this.trainingSeries];
    let n = 0;
    let sum = 0;
    let sum2 = 0;
    for (const s of series) for (const v of s) n++, (sum += v), (sum2 += v * v);
    this.mu = sum / n;
    this.sd = Math.sqrt(Math.max(sum2 / n - this.mu * this.mu, 1e-12));
    const X: number[] = [];
    const Y: number[] = [];
    for (const s of series) {
      for (let end = lags; end + H <= s.length; end++) {
        const off = X.length;
        X.length += lags;
        this.features(s, end, X, off);
        for (let h = 1; h <= H; h++) Y.push((s[end - 1 + h] - s[end - 1]) / this.sd);
      }
    }
    const m = X.length / lags;
    if (m < 2) throw new RangeError(`mlp: too little history to train (${m} samples); give a longer history or trainingSeries`);
    this.trainSamples = m;
    const rng = new Rng(seed);
    const sizes = [lags, ...hidden, H];
    const init: { w: Float32Array; b: Float32Array }[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const limit = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
      const w = new Float32Array(sizes[l] * sizes[l + 1]);
      for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
      init.push({ w, b: new Float32Array(sizes[l + 1]) });
    }
    // tf.variable keeps its own reference to the data: dispose the initial tensors.
    const variable = (t: Tensor) => {
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const vars = init.flatMap((p, l) => [variable(tf.tensor2d(p.w, [sizes[l], sizes[l + 1]])), variable(tf.tensor1d(p.b))]);
    const xAll = tf.tensor2d(X, [m, lags]);
    const yAll = tf.tensor2d(Y, [m, H]);
    const optimizer = tf.train.adam(learningRate);
    const forward = (x: Tensor2D) => {
      let a = x;
      for (let l = 0; l + 1 < sizes.length; l++) {
        const z = tf.add(tf.matMul(a, vars[2 * l] as Tensor2D), vars[2 * l + 1]) as Tensor2D;
        a = l + 2 < sizes.length ? tf.tanh(z) : z;
      }
      return a;
    };
    const order = Array.from({ length: m }, (_, i) => i);
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        rng.shuffle(order);
        let epochLoss = 0;
        for (let start = 0; start < m; start += batchSize) {
          const idx = order.slice(start, start + batchSize);
          const last = epoch === epochs - 1;
          const loss = tf.tidy(() => {
            const ix = tf.tensor1d(idx, "int32");
            const xb = tf.gather(xAll, ix);
            const yb = tf.gather(yAll, ix);
            const l = optimizer.minimize(() => tf.losses.meanSquaredError(yb, forward(xb)) as Scalar, last, vars);
            return l ?? tf.scalar(0);
          });
          if (last) epochLoss += loss.dataSync()[0] * idx.length;
          loss.dispose();
        }
        if (epoch === epochs - 1) this.finalLoss = epochLoss / m;
      }
      this.weights = [];
      this.biases = [];
      for (let l = 0; l + 1 < sizes.length; l++) {
        this.weights.push(Float64Array.from(vars[2 * l].dataSync()));
        this.biases.push(Float64Array.from(vars[2 * l + 1].dataSync()));
      }
    } finally {
      for (const v of vars) v.dispose();
      xAll.dispose();
      yAll.dispose();
      optimizer.dispose();
    }
  }

  protected init(history: readonly number[]): void {
    for (let i = history.length - this.options.lags; i < history.length; i++) this.update(history[i]);
  }

  protected update(y: number): void {
    // window[0] is the oldest, window[lags-1] the latest.
    this.window.copyWithin(0, 1);
    this.window[this.window.length - 1] = y;
  }

  protected predict(out: Float64Array): void {
    const lags = this.options.lags;
    const last = this.window[lags - 1];
    const a0 = this.acts[0];
    a0[0] = (last - this.mu) / this.sd;
    for (let i = 1; i < lags; i++) a0[i] = (this.window[lags - 1 - i] - last) / this.sd;
    const L = this.sizes.length - 1;
    for (let l = 0; l < L; l++) {
      const nin = this.sizes[l];
      const nout = this.sizes[l + 1];
      const w = this.weights[l];
      const b = this.biases[l];
      const ain = this.acts[l];
      const aout = this.acts[l + 1];
      for (let j = 0; j < nout; j++) {
        let z = b[j];
        for (let i = 0; i < nin; i++) z += ain[i] * w[i * nout + j];
        aout[j] = l + 1 < L ? Math.tanh(z) : z;
      }
    }
    const o = this.acts[L];
    for (let h = 0; h < out.length; h++) out[h] = last + o[h] * this.sd;
  }

  protected override params() {
    return { ...this.options, trainSamples: this.trainSamples, finalLoss: this.finalLoss, mu: this.mu, sd: this.sd };
  }
}
