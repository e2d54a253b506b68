/**
 * Small pure metrics used by the contracts outcomes. Temporary home: the generic versions live in src/eval once
 * merged, and these will point there.
 */

/** Jain's fairness index (sum x)^2 / (n sum x^2): 1 when all equal, 1/n when one actor has everything. NaN if empty or all zero. */
export function jainIndex(values: readonly number[]): number {
  const n = values.length;
  let s = 0;
  let s2 = 0;
  for (const v of values) {
    s += v;
    s2 += v * v;
  }
  return n === 0 || s2 === 0 ? NaN : (s * s) / (n * s2);
}

/**
 * Gini coefficient sum_i sum_j |x_i - x_j| / (2 n^2 mean): 0 when all equal, (n - 1) / n when one actor has
 * everything. NaN when empty or the mean is not positive (undefined for such inputs).
 */
export function giniCoefficient(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return NaN;
  const x = [...values].sort((a, b) => a - b);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += x[i];
    weighted += (i + 1) * x[i];
  }
  if (!(sum > 0)) return NaN;
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}

/** Pearson correlation; NaN when lengths differ, fewer than 2 values, or a side has zero variance. */
export function pearsonCorrelation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n !== b.length || n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/** Total-variation distance 0.5 sum |p_i - q_i| between two share vectors (0 identical, 1 disjoint). */
export function totalVariationDistance(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) throw new RangeError(`totalVariationDistance: lengths ${p.length} and ${q.length} differ`);
  let d = 0;
  for (let i = 0; i < p.length; i++) d += Math.abs(p[i] - q[i]);
  return d / 2;
}

/** Mean of the finite values (NaN when none). */
export function finiteMean(values: Iterable<number>): number {
  let s = 0;
  let k = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      s += v;
      k++;
    }
  }
  return k === 0 ? NaN : s / k;
}
