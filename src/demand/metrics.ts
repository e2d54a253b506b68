/** Forecast accuracy. `actual[i]` is compared with `forecast[i]`; arrays of equal, non-zero length. */
function check(a: readonly number[], b: readonly number[], name: string): void {
  if (a.length !== b.length) throw new RangeError(`${name}: ${a.length} actuals vs ${b.length} forecasts`);
  if (a.length === 0) throw new RangeError(`${name}: no values`);
}

/** Mean absolute error. */
export function mae(actual: readonly number[], forecast: readonly number[]): number {
  check(actual, forecast, "mae");
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - forecast[i]);
  return s / actual.length;
}

/** Root mean squared error. */
export function rmse(actual: readonly number[], forecast: readonly number[]): number {
  check(actual, forecast, "rmse");
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (actual[i] - forecast[i]) ** 2;
  return Math.sqrt(s / actual.length);
}

/** Symmetric MAPE in percent: mean of 200 |y - f| / (|y| + |f|), a term being 0 when y = f = 0. Range [0, 200]. */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  check(actual, forecast, "smape");
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(forecast[i]);
    s += d === 0 ? 0 : (200 * Math.abs(actual[i] - forecast[i])) / d;
  }
  return s / actual.length;
}

/** Fraction of actuals inside [lower, upper] (bounds included). */
export function coverage(actual: readonly number[], lower: readonly number[], upper: readonly number[]): number {
  check(actual, lower, "coverage");
  check(actual, upper, "coverage");
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  return inside / actual.length;
}
