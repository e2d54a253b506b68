/** In place: (a - mean) / (std + 1e-8) with torch's unbiased std, as CleanRL (PPO per minibatch, REINFORCE per batch). */
export function normalizeAdvantages(a: Float32Array): void {
  const n = a.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += a[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (a[i] - m) ** 2;
  const sd = n > 1 ? Math.sqrt(v / (n - 1)) : 0;
  for (let i = 0; i < n; i++) a[i] = (a[i] - m) / (sd + 1e-8);
}
