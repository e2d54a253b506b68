/**
 * A second-price sealed-bid (Vickrey) auction of one lot with a reserve price: the highest bid wins if it is
 * strictly above the reserve and the winner pays the larger of the second-highest bid and the reserve. Bidding
 * one's true value is weakly dominant for every bidder. Ties go to the lower bidder index (deterministic).
 */
export interface VickreyBid {
  bidder: number;
  amount: number;
}

export interface VickreyResult {
  /** Winning bidder id, or -1 when no bid beats the reserve. */
  winner: number;
  /** Price the winner pays for the lot (NaN when nobody wins). */
  price: number;
}

export function vickreyAuction(bids: readonly VickreyBid[], reserve = 0): VickreyResult {
  let best = -1;
  let second = -Infinity;
  for (let i = 0; i < bids.length; i++) {
    const a = bids[i].amount;
    if (Number.isNaN(a)) throw new RangeError(`vickreyAuction: bid of bidder ${bids[i].bidder} is NaN`);
    if (best < 0 || a > bids[best].amount || (a === bids[best].amount && bids[i].bidder < bids[best].bidder)) {
      if (best >= 0) second = Math.max(second, bids[best].amount);
      best = i;
    } else second = Math.max(second, a);
  }
  if (best < 0 || !(bids[best].amount > reserve)) return { winner: -1, price: NaN };
  return { winner: bids[best].bidder, price: Math.max(second, reserve) };
}

/** A bidder's utility: value minus price if it wins, else 0. */
export function bidderUtility(result: VickreyResult, bidder: number, value: number): number {
  return result.winner === bidder ? value - result.price : 0;
}
