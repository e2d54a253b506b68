/**
 * The outside world (docs/model.md section A): supply `alpha p^beta` (beta > 0) into layer 0 and demand
 * `alpha p^beta` (beta < -1) out of the last layer, with their surplus integrals in closed form.
 */
export function outsideSupply(alpha: number, beta: number, price: number): number {
  return alpha * Math.pow(price, beta);
}

export function outsideDemand(alpha: number, beta: number, price: number): number {
  return alpha * Math.pow(price, beta);
}

/** Outside suppliers' producer surplus: integral of alpha p^beta over [0, price] = alpha price^(beta+1) / (beta+1). */
export function producerSurplus(alpha: number, beta: number, price: number): number {
  return (alpha * Math.pow(price, beta + 1)) / (beta + 1);
}

/**
 * Outside consumers' surplus: integral of alpha p^beta over [price, choke]. With beta < -1 the integral to
 * infinity converges, so the default choke price is +Infinity: alpha price^(beta+1) / -(beta+1). A finite
 * choke price subtracts the tail above it; the surplus is 0 when the price is at or above the choke price.
 */
export function consumerSurplus(alpha: number, beta: number, price: number, chokePrice = Infinity): number {
  if (price >= chokePrice) return 0;
  const tail = Number.isFinite(chokePrice) ? Math.pow(chokePrice, beta + 1) : 0;
  return (alpha * (Math.pow(price, beta + 1) - tail)) / -(beta + 1);
}
