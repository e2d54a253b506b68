import type { Rng } from "../core/rng.js";

/**
 * An orthogonal matrix as `torch.nn.init.orthogonal_` makes it, drawn from the project's seeded `Rng`
 * (TensorFlow.js initialisers ignore their seed, tfjs issue 7104). Returns a row-major `[rows, cols]` matrix
 * scaled by `gain`: orthonormal columns when rows >= cols, orthonormal rows otherwise. Method: a Gaussian
 * `max x min` matrix, modified Gram-Schmidt on its columns (= QR with a positive diagonal of R, which is
 * torch's `q *= sign(diag(r))`), transposed back when rows < cols.
 */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  const n = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  // Columns of an n x k Gaussian matrix.
  const q: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    q.push(v);
  }
  for (let j = 0; j < k; j++) {
    const v = q[j];
    // Two passes of modified Gram-Schmidt ("twice is enough") keep orthogonality at machine precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const u = q[p];
        let dot = 0;
        for (let i = 0; i < n; i++) dot += u[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= dot * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error("orthogonal: degenerate Gaussian draw");
    for (let i = 0; i < n; i++) v[i] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows >= cols: element (r, c) = q[c][r]; rows < cols: the transpose, (r, c) = q[r][c].
      out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
    }
  }
  return out;
}
