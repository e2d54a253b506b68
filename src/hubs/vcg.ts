/**
 * The Vickrey-Clarke-Groves mechanism (Vickrey 1961, Clarke 1971, Groves 1973) for one divisible-in-lots good
 * traded among agents who may each buy or sell several lots: the hubs' per-auction trading mechanism (see
 * docs/hubs.md, "Trading mechanism").
 *
 * Agent i reports a value function over its net change in lots d_i (d > 0 buys, d < 0 sells):
 *   f_i(d) = gains[0] + ... + gains[d-1]            for 0 < d <= gains.length
 *   f_i(d) = -(losses[0] + ... + losses[-d-1])      for -losses.length <= d < 0
 *   f_i(0) = 0
 * (marginal values per lot; the hubs report production-plan values, which diminish, but nothing here needs
 * them to; a report whose marginals do not diminish is first made concave, see `concaveMarginals`). The
 * mechanism chooses d maximising sum_i f_i(d_i) subject to sum_i d_i = 0 and charges Clarke's pivot payment
 *   p_i = W*_{-i} - sum_{j != i} f_j(d_j),
 * W*_{-i} being the best welfare of the others when i does not trade. p_i > 0: i pays; p_i < 0: i receives.
 * Stating the true f_i is a dominant strategy (i's utility f_i(d_i) - p_i is the reported welfare of the chosen
 * allocation minus a term i cannot affect, and the allocation maximises it), every agent's utility is >= 0
 * (d_i = 0 is feasible without i), and the sum of payments is <= 0 in general: a deficit (Myerson &
 * Satterthwaite 1983: no efficient, truthful, individually rational mechanism balances the budget of bilateral
 * trade). The deficit is -sum_i p_i.
 */
export interface LotValues {
  /** Marginal value of the 1st, 2nd, ... lot received (finite). */
  gains: readonly number[];
  /** Marginal value lost by giving away the 1st, 2nd, ... lot (finite). */
  losses: readonly number[];
}

export interface VcgResult {
  /** Net lots per agent: > 0 bought, < 0 sold. */
  lots: number[];
  /** Payment per agent: > 0 paid, < 0 received (0 for agents that do not trade). */
  payments: number[];
  /** Reported welfare of the chosen allocation, sum_i f_i(d_i). */
  welfare: number;
  /** -sum_i p_i: what the mechanism pays out beyond what it collects (>= 0 up to rounding). */
  deficit: number;
}

/** f_i(d) for a report. */
export function lotValue(v: LotValues, d: number): number {
  let s = 0;
  if (d > 0) for (let k = 0; k < d; k++) s += v.gains[k];
  else for (let k = 0; k < -d; k++) s -= v.losses[k];
  return s;
}

/**
 * An agent's marginal values along its net lots, from the most it can sell to the most it can buy: losses
 * reversed, then gains. Made nonincreasing by pooling adjacent violators (each violating run replaced by its mean),
 * so the reported value function is concave; a concave report (true production-plan values are) is unchanged.
 * The map depends on the agent's own report only, so truthfulness is kept (the message space is restricted to
 * concave reports, which contains the truth).
 */
export function concaveMarginals(v: LotValues): number[] {
  const seq = [...[...v.losses].reverse(), ...v.gains];
  const sums: number[] = [];
  const counts: number[] = [];
  for (const x of seq) {
    sums.push(x);
    counts.push(1);
    while (sums.length > 1 && sums[sums.length - 2] / counts[counts.length - 2] < sums[sums.length - 1] / counts[counts.length - 1]) {
      const s1 = sums.pop()!;
      const c1 = counts.pop()!;
      sums[sums.length - 1] += s1;
      counts[counts.length - 1] += c1;
    }
  }
  const out: number[] = [];
  for (let k = 0; k < sums.length; k++) for (let j = 0; j < counts[k]; j++) out.push(sums[k] / counts[k]);
  return out;
}

/**
 * The VCG outcome for concave reports (after `concaveMarginals`). Every agent starts from selling everything it
 * may sell; putting back the K = sum of those lots with the highest marginal values (ties: lower agent index, then
 * position) maximises welfare, because each agent's marginals diminish. Without agent i the same selection runs
 * over the others' marginals with K - L_i lots. O(N log N) to sort the N marginals, O(N) per paying agent.
 */
export function vcgAuction(values: readonly LotValues[], tol = 1e-9): VcgResult {
  for (const [i, v] of values.entries()) {
    for (const x of [...v.gains, ...v.losses]) {
      if (!Number.isFinite(x)) throw new RangeError(`vcgAuction: agent ${i} reports a non-finite marginal value ${x}`);
    }
  }
  const n = values.length;
  const seqs = values.map(concaveMarginals);
  const L = values.map((v) => v.losses.length);
  const base = seqs.map((q, i) => q.slice(0, L[i]).reduce((a, b) => a + b, 0)); // value of the loss side
  const entries: { v: number; agent: number; pos: number }[] = [];
  seqs.forEach((q, agent) => q.forEach((v, pos) => entries.push({ v, agent, pos })));
  entries.sort((a, b) => b.v - a.v || a.agent - b.agent || a.pos - b.pos);
  const K = L.reduce((a, b) => a + b, 0);
  const pick = (exclude: number): { welfare: number; counts: number[] } => {
    const counts = new Array<number>(n).fill(0);
    let k = exclude >= 0 ? K - L[exclude] : K;
    let w = 0;
    for (const e of entries) {
      if (k <= 0) break;
      if (e.agent === exclude) continue;
      counts[e.agent]++;
      w += e.v;
      k--;
    }
    for (let i = 0; i < n; i++) if (i !== exclude) w -= base[i];
    return { welfare: w, counts };
  };
  const best = pick(-1);
  const lots = best.counts.map((c, i) => c - L[i]);
  const own = (i: number) => seqs[i].slice(0, L[i] + lots[i]).reduce((a, b) => a + b, 0) - base[i];
  const payments = lots.map((d, i) => {
    if (d === 0) return 0;
    const others = best.welfare - own(i);
    const p = pick(i).welfare - others;
    return Math.abs(p) <= tol * Math.max(1, Math.abs(others)) ? 0 : p;
  });
  return { lots, payments, welfare: best.welfare, deficit: -payments.reduce((a, b) => a + b, 0) };
}
