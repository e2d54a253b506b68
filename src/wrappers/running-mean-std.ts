/** Saved form of {@link RunningMeanStd}, stored with a policy so evaluation normalises as training did. */
export interface RunningMeanStdJSON {
  mean: number[];
  var: number[];
  count: number;
}

/** The same record, under the name the learners' checkpoints use. */
export type RunningMeanStdState = RunningMeanStdJSON;

/**
 * Running mean and variance of vectors (Gymnasium's `RunningMeanStd`): the parallel-variance update of Chan et
 * al., starting from mean 0, variance 1 and a pseudo-count `epsilon` (1e-4), exactly as Gymnasium does. Shared by
 * the normalisation wrappers and the learners' built-in normalisation.
 */
export class RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  count: number;

  constructor(
    readonly size: number,
    epsilon = 1e-4,
  ) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
  }

  /**
   * Add a batch of `n` rows of `size` values read row-major from `x` at `offset` (default: one observation).
   * Chan's parallel update; for one row the batch variance is 0.
   */
  update(x: ArrayLike<number>, n = 1, offset = 0): void {
    const d = this.size;
    if (n === 1 && offset === 0 && x.length !== d) throw new RangeError(`RunningMeanStd: expected ${d} values, got ${x.length}`);
    const total = this.count + n;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[offset + i * d + j];
      const bMean = s / n;
      let sq = 0;
      for (let i = 0; i < n; i++) sq += (x[offset + i * d + j] - bMean) ** 2;
      const delta = bMean - this.mean[j];
      const m2 = this.var[j] * this.count + sq + (delta * delta * this.count * n) / total;
      this.mean[j] += (delta * n) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  toJSON(): RunningMeanStdJSON {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  getState(): RunningMeanStdState {
    return this.toJSON();
  }

  static fromState(state: RunningMeanStdState): RunningMeanStd {
    const r = new RunningMeanStd(state.mean.length);
    r.load(state);
    return r;
  }

  load(json: RunningMeanStdJSON): void {
    const ok =
      json &&
      Array.isArray(json.mean) &&
      Array.isArray(json.var) &&
      json.mean.length === this.size &&
      json.var.length === this.size &&
      typeof json.count === "number" &&
      json.count > 0 &&
      json.mean.every(Number.isFinite) &&
      json.var.every((v) => Number.isFinite(v) && v >= 0);
    if (!ok)
      throw new RangeError(`RunningMeanStd.load: expected { mean, var } with ${this.size} finite entries each (var >= 0) and count > 0`);
    this.mean.set(json.mean);
    this.var.set(json.var);
    this.count = json.count;
  }
}
