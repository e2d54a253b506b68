/**
 * A dense primal simplex for the small LPs of one hub's production plan:
 *
 *     maximise c·x  subject to  A x <= b,  x >= 0,   with b >= 0
 *
 * The origin is feasible (b >= 0), so one phase from the slack basis suffices. Bland's rule (lowest index
 * enters, lowest basic index leaves on ties) rules out cycling. Meant for a handful of rows and columns, where it
 * costs microseconds; the company-wide optimum uses HiGHS instead (see optimum.ts).
 */
export interface SmallLpResult {
  value: number;
  x: number[];
}

const EPS = 1e-11;

export function solveSmallLp(c: readonly number[], A: readonly (readonly number[])[], b: readonly number[]): SmallLpResult {
  const n = c.length;
  const m = b.length;
  if (A.length !== m) throw new RangeError(`solveSmallLp: A has ${A.length} rows, b has ${m}`);
  const w = n + m + 1; // columns: x, slacks, rhs
  const T = new Float64Array((m + 1) * w);
  for (let i = 0; i < m; i++) {
    const row = A[i];
    if (row.length !== n) throw new RangeError(`solveSmallLp: row ${i} has ${row.length} entries, c has ${n}`);
    if (!(b[i] >= 0)) throw new RangeError(`solveSmallLp: b[${i}] = ${b[i]} must be >= 0`);
    for (let j = 0; j < n; j++) T[i * w + j] = row[j];
    T[i * w + n + i] = 1;
    T[i * w + w - 1] = b[i];
  }
  // Objective row holds -c (reduced costs); the optimum is reached when none is negative.
  const obj = m * w;
  for (let j = 0; j < n; j++) T[obj + j] = -c[j];
  const basis = new Int32Array(m);
  for (let i = 0; i < m; i++) basis[i] = n + i;
  for (let iter = 0; iter < 50 * (n + m) + 100; iter++) {
    let enter = -1;
    for (let j = 0; j < n + m; j++) {
      if (T[obj + j] < -EPS) {
        enter = j;
        break;
      }
    }
    if (enter < 0) {
      const x = new Array<number>(n).fill(0);
      for (let i = 0; i < m; i++) if (basis[i] < n) x[basis[i]] = T[i * w + w - 1];
      return { value: T[obj + w - 1], x };
    }
    let leave = -1;
    let best = Infinity;
    for (let i = 0; i < m; i++) {
      const a = T[i * w + enter];
      if (a > EPS) {
        const ratio = T[i * w + w - 1] / a;
        if (ratio < best - 1e-12 || (Math.abs(ratio - best) <= 1e-12 && leave >= 0 && basis[i] < basis[leave])) {
          best = ratio;
          leave = i;
        }
      }
    }
    if (leave < 0) return { value: Infinity, x: new Array<number>(n).fill(NaN) };
    const pr = leave * w;
    const piv = T[pr + enter];
    for (let j = 0; j < w; j++) T[pr + j] /= piv;
    for (let i = 0; i <= m; i++) {
      if (i === leave) continue;
      const f = T[i * w + enter];
      if (f === 0) continue;
      const r = i * w;
      for (let j = 0; j < w; j++) T[r + j] -= f * T[pr + j];
    }
    basis[leave] = enter;
  }
  throw new Error("solveSmallLp: iteration limit (should not happen with Bland's rule)");
}
