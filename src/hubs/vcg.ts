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
 * them to). The mechanism chooses d maximising sum_i f_i(d_i) subject to sum_i d_i = 0 (exactly, by dynamic
 * programming over agents and net lots) and charges Clarke's pivot payment
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
 * Best allocation of the agents in `active` (sum of net lots 0). Ties go to the allocation found first with agents
 * taken in index order and, per agent, choices from most sold to most bought; the payments do not depend on the
 * tie-break (every maximiser gives the same welfare).
 */
function bestAllocation(values: readonly LotValues[], active: readonly boolean[]): { welfare: number; lots: number[] } {
  const n = values.length;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    lo -= values[i].losses.length;
    hi += values[i].gains.length;
  }
  const width = hi - lo + 1;
  // best[i][s - lo]: best welfare of agents < i with net lots s; choice[i][s - lo]: agent i-1's d at that state.
  let best = new Float64Array(width).fill(-Infinity);
  best[-lo] = 0;
  const choices: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const next = new Float64Array(width).fill(-Infinity);
    const choice = new Int32Array(width);
    if (!active[i]) {
      next.set(best);
      choices.push(choice); // all zeros: d = 0
      best = next;
      continue;
    }
    const v = values[i];
    const fs: number[] = [];
    for (let d = -v.losses.length; d <= v.gains.length; d++) fs.push(lotValue(v, d));
    for (let s = 0; s < width; s++) {
      const b = best[s];
      if (b === -Infinity) continue;
      for (let d = -v.losses.length; d <= v.gains.length; d++) {
        const t = s + d;
        if (t < 0 || t >= width) continue;
        const w = b + fs[d + v.losses.length];
        if (w > next[t]) {
          next[t] = w;
          choice[t] = d;
        }
      }
    }
    choices.push(choice);
    best = next;
  }
  const lots = new Array<number>(n).fill(0);
  let s = -lo;
  for (let i = n - 1; i >= 0; i--) {
    const d = choices[i][s];
    lots[i] = d;
    s -= d;
  }
  return { welfare: best[-lo], lots };
}

export function vcgAuction(values: readonly LotValues[], tol = 1e-9): VcgResult {
  for (const [i, v] of values.entries()) {
    for (const x of [...v.gains, ...v.losses]) {
      if (!Number.isFinite(x)) throw new RangeError(`vcgAuction: agent ${i} reports a non-finite marginal value ${x}`);
    }
  }
  const all = values.map(() => true);
  const { welfare, lots } = bestAllocation(values, all);
  const payments = values.map((v, i) => {
    if (lots[i] === 0) return 0;
    const without = all.map((a, j) => a && j !== i);
    const others = welfare - lotValue(v, lots[i]);
    const p = bestAllocation(values, without).welfare - others;
    return Math.abs(p) <= tol * Math.max(1, Math.abs(others)) ? 0 : p;
  });
  return { lots, payments, welfare, deficit: -payments.reduce((a, b) => a + b, 0) };
}
