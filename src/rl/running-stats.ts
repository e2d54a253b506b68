/** Saved state of {@link RunningMeanStd}. */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

/** Gymnasium's RunningMeanStd (parallel Welford update, count starts at 1e-4). */
export class RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  count = 1e-4;

  constructor(readonly dim: number) {
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
  }

  /** Update with `n` rows of `dim` values from `x` (row-major). */
  update(x: ArrayLike<number>, n: number, offset = 0): void {
    const d = this.dim;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[offset + i * d + j];
      const bMean = s / n;
      let sq = 0;
      for (let i = 0; i < n; i++) sq += (x[offset + i * d + j] - bMean) ** 2;
      const bVar = sq / n;
      const delta = bMean - this.mean[j];
      const tot = this.count + n;
      const newMean = this.mean[j] + (delta * n) / tot;
      const m2 = this.var[j] * this.count + bVar * n + (delta * delta * this.count * n) / tot;
      this.mean[j] = newMean;
      this.var[j] = m2 / tot;
    }
    this.count += n;
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  static fromState(s: RunningMeanStdState): RunningMeanStd {
    const r = new RunningMeanStd(s.mean.length);
    r.mean = Float64Array.from(s.mean);
    r.var = Float64Array.from(s.var);
    r.count = s.count;
    return r;
  }
}
