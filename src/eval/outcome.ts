/**
 * Plain outcome records: what the metrics need from any scenario, with no env or RL types.
 * One `Outcome` is one trading period (or one negotiation); a `PeriodPair` holds an outcome, the
 * all-analytic counterfactual of the same period (the same demand draw) and, where the scenario has one, the
 * first best of that period (the surplus maximum; for the market, the equilibrium with budgets removed).
 */
export interface Outcome {
  /** Profit of each agent (party), keyed by agent id such as "A[1][1]". */
  profits: Record<string, number>;
  /**
   * Surplus of each outside party, keyed by a name such as "supply/M[0][1]" or "demand/M[2][0]" (outside
   * suppliers' producer surplus, outside consumers' surplus). Optional; absent means none.
   */
  outsideSurplus?: Record<string, number>;
  /** Total surplus; when absent, the sum of the profits and outside surpluses. */
  totalSurplus?: number;
  /** Clearing prices keyed by market id such as "M[1][2]". Optional. */
  prices?: Record<string, number>;
}

export interface PeriodPair {
  outcome: Outcome;
  counterfactual: Outcome;
  /** The period's first best (surplus maximum); metrics against it are NaN when absent. */
  firstBest?: Outcome;
}

/** Total surplus of an outcome: its `totalSurplus` if given, else profits + outside surpluses. */
export function totalSurplus(o: Outcome): number {
  if (o.totalSurplus !== undefined) return o.totalSurplus;
  return sumValues(o.profits) + sumValues(o.outsideSurplus ?? {});
}

/** Every party's payoff: agents' profits and outside surpluses, in one record (outside names must not clash). */
export function partyPayoffs(o: Outcome): Record<string, number> {
  const out: Record<string, number> = { ...o.profits };
  for (const [k, v] of Object.entries(o.outsideSurplus ?? {})) {
    if (k in out) throw new RangeError(`party name "${k}" is both an agent and an outside party`);
    out[k] = v;
  }
  return out;
}

/**
 * Sum outcomes over periods, party by party (profits, outside surpluses, total surplus). Prices are averaged
 * over the periods that report them. Used to judge a whole evaluation (for instance Pareto over the season).
 */
export function sumOutcomes(outcomes: readonly Outcome[]): Outcome {
  const profits: Record<string, number> = {};
  const outside: Record<string, number> = {};
  const priceSum: Record<string, number> = {};
  const priceCount: Record<string, number> = {};
  let ts = 0;
  for (const o of outcomes) {
    for (const [k, v] of Object.entries(o.profits)) profits[k] = (profits[k] ?? 0) + v;
    for (const [k, v] of Object.entries(o.outsideSurplus ?? {})) outside[k] = (outside[k] ?? 0) + v;
    for (const [k, v] of Object.entries(o.prices ?? {})) {
      priceSum[k] = (priceSum[k] ?? 0) + v;
      priceCount[k] = (priceCount[k] ?? 0) + 1;
    }
    ts += totalSurplus(o);
  }
  const prices = Object.fromEntries(Object.keys(priceSum).map((k) => [k, priceSum[k] / priceCount[k]]));
  return { profits, outsideSurplus: outside, totalSurplus: ts, prices };
}

export function sumValues(r: Record<string, number>): number {
  let s = 0;
  for (const v of Object.values(r)) s += v;
  return s;
}
