/** Saved state of an {@link Adam} optimiser. */
export interface AdamState {
  step: number;
  m: number[][];
  v: number[][];
}

/**
 * Adam with PyTorch's update rule (`torch.optim.Adam`, the one CleanRL uses; eps added to the bias-corrected
 * sqrt(v)), on plain Float32Array parameters. Optimiser maths in float64, parameters stored as float32.
 */
export class Adam {
  step = 0;
  private m: Float64Array[];
  private v: Float64Array[];

  constructor(
    readonly params: Float32Array[],
    public lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  /** One update with `grads` (same layout as params), already clipped. */
  apply(grads: ArrayLike<number>[], scale = 1): void {
    this.step++;
    const { beta1: b1, beta2: b2, eps, lr } = this;
    const bc1 = 1 - b1 ** this.step;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.step);
    const stepSize = lr / bc1;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k];
      const g = grads[k];
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] * scale;
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
      }
    }
  }

  getState(): AdamState {
    return { step: this.step, m: this.m.map((a) => Array.from(a)), v: this.v.map((a) => Array.from(a)) };
  }

  setState(s: AdamState): void {
    if (s.m.length !== this.params.length) throw new RangeError("Adam.setState: parameter count differs");
    this.step = s.step;
    this.m = s.m.map((a) => Float64Array.from(a));
    this.v = s.v.map((a) => Float64Array.from(a));
  }
}

/**
 * `torch.nn.utils.clip_grad_norm_`: the factor that scales all gradients so that their global L2 norm is at
 * most `maxNorm` (1 when it already is), and the norm before clipping.
 */
export function clipFactor(grads: ArrayLike<number>[], maxNorm: number): { scale: number; norm: number } {
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  return { scale: coef < 1 ? coef : 1, norm };
}
