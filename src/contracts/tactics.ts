/**
 * Negotiation tactics after Faratin (2000). Prices are unit prices; a seller concedes downwards from its opening
 * price to its reservation price, a buyer upwards from its opening offer to its reservation.
 */

/**
 * Time-dependent concession alpha(t) = kappa + (1 - kappa) (min(t, tmax) / tmax)^(1 / beta), in [kappa, 1].
 * beta < 1 is Boulware (holds firm, concedes at the end), beta = 1 linear, beta > 1 Conceder (concedes early).
 * tmax <= 0 means the deadline has come: alpha = 1.
 */
export function concession(t: number, tmax: number, beta: number, kappa = 0): number {
  if (tmax <= 0 || t >= tmax) return 1;
  if (t <= 0) return kappa;
  return kappa + (1 - kappa) * Math.pow(t / tmax, 1 / beta);
}

/** A seller's time-dependent price: reservation + (1 - alpha) (opening - reservation). */
export function sellerPrice(reservation: number, opening: number, alpha: number): number {
  return reservation + (1 - alpha) * (opening - reservation);
}

/** A buyer's time-dependent offer: opening + alpha (reservation - opening). */
export function buyerOffer(opening: number, reservation: number, alpha: number): number {
  return opening + alpha * (reservation - opening);
}

/**
 * Relative tit-for-tat (Faratin's behaviour-dependent tactic, delta = 1): the seller moves its price by the
 * ratio of the buyer's last two offers, price' = ownLast x previousOffer / currentOffer, clamped to
 * [reservation, opening]. Without a usable ratio (no history, an offer <= 0) it keeps its last price.
 */
export function titForTatPrice(ownLast: number, previousOffer: number, currentOffer: number, reservation: number, opening: number): number {
  let p = ownLast;
  if (previousOffer > 0 && currentOffer > 0) p = (ownLast * previousOffer) / currentOffer;
  return p < reservation ? reservation : p > opening ? opening : p;
}
