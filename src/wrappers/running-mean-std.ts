/** Saved form of {@link RunningMeanStd}, stored with a policy so evaluation normalises as training did. */
export interface RunningMeanStdJSON {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * Running mean and variance of vectors (Gymnasium's `RunningMeanStd`): the parallel-variance update of Chan et
 * al., starting from mean 0, variance 1 and a pseudo-count `epsilon` (1e-4), exactly as Gymnasium does.
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

  /** Add one observation (a batch of one: batch variance 0). */
  update(x: ArrayLike<number>): void {
    if (x.length !== this.size) throw new RangeError(`RunningMeanStd: expected ${this.size} values, got ${x.length}`);
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i] - this.mean[i];
      const m2 = this.var[i] * this.count + (delta * delta * this.count) / total;
      this.mean[i] += delta / total;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  toJSON(): RunningMeanStdJSON {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
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
    if (!ok) throw new RangeError(`RunningMeanStd.load: expected { mean, var } with ${this.size} finite entries each (var >= 0) and count > 0`);
    this.mean.set(json.mean);
    this.var.set(json.var);
    this.count = json.count;
  }
}
