import { ACCEPT, CFP, INFORM, PERFORMATIVES, PROPOSE, REFUSE, REJECT, RETAILER, type MessageLog } from "./messages.js";

/**
 * The Iterated Contract Net as played here (one conversation per subcontractor, rounds 1..deadline):
 *
 *     round r:  retailer --cfp(price offer, quantity asked)--> sub
 *               sub --propose(price, quantity <= asked)--> retailer   |  sub --refuse--> retailer   (conversation ends)
 *               retailer --accept-proposal(same price, quantity)--> sub  ->  sub --inform(same)--> retailer (agreement)
 *               retailer --reject-proposal--> sub                     (ends, or a new cfp in round r + 1)
 *
 * `validateProtocol` checks a log against it and returns the violations (empty when the log is valid).
 */
export interface ProtocolViolation {
  /** Index of the offending message in the log (-1 for end-of-log problems). */
  index: number;
  conversation: number;
  message: string;
}

const NONE = 0;
const AWAIT_REPLY = 1;
const PROPOSED = 2;
const ACCEPTED = 3;
const REJECTED = 4;
const DONE = 5;
const CLOSED = 6;
const STATE_NAMES = [
  "no cfp yet",
  "cfp awaiting a reply",
  "proposal awaiting an answer",
  "accepted, awaiting inform",
  "rejected",
  "agreed (inform sent)",
  "refused",
];

export function validateProtocol(log: MessageLog, opts: { subcontractors: number; deadline: number }): ProtocolViolation[] {
  const n = opts.subcontractors;
  const state = new Uint8Array(n);
  const lastRound = new Int32Array(n);
  const lastPrice = new Float64Array(n);
  const lastQty = new Float64Array(n);
  const askedQty = new Float64Array(n);
  const out: ProtocolViolation[] = [];
  let prevRound = 0;
  for (let k = 0; k < log.length; k++) {
    const m = log.get(k);
    const c = m.conversation;
    const bad = (message: string) =>
      out.push({ index: k, conversation: c, message: `message ${k} (${m.performative}, round ${m.round}): ${message}` });
    if (!(c >= 0 && c < n)) {
      bad(`conversation ${c} is not a subcontractor index in [0, ${n})`);
      continue;
    }
    if (m.round < 1 || m.round > opts.deadline) bad(`round outside [1, ${opts.deadline}] (deadline not respected)`);
    if (m.round < prevRound) bad(`round goes back from ${prevRound}`);
    prevRound = Math.max(prevRound, m.round);
    const code = PERFORMATIVES.indexOf(m.performative);
    const fromRetailer = code === CFP || code === ACCEPT || code === REJECT;
    if (fromRetailer ? m.sender !== RETAILER || m.receiver !== c : m.sender !== c || m.receiver !== RETAILER) {
      bad(`sender/receiver ${m.sender} -> ${m.receiver} do not match the conversation (retailer ${RETAILER}, subcontractor ${c})`);
    }
    const s = state[c];
    const sameRound = m.round === lastRound[c];
    switch (code) {
      case CFP:
        if (s === NONE) {
          if (m.round !== 1) bad("the first cfp of a conversation must be in round 1");
        } else if (s === REJECTED) {
          if (m.round !== lastRound[c] + 1)
            bad(`a renewed cfp must come in the round after its reject-proposal (round ${lastRound[c] + 1})`);
        } else bad(`cfp in state "${STATE_NAMES[s]}"`);
        if (!(m.quantity > 0 && Number.isFinite(m.quantity))) bad("cfp quantity must be a positive number");
        if (!(m.price >= 0 && Number.isFinite(m.price))) bad("cfp price (the offer) must be a non-negative number");
        state[c] = AWAIT_REPLY;
        askedQty[c] = m.quantity;
        break;
      case PROPOSE:
      case REFUSE:
        if (s !== AWAIT_REPLY || !sameRound) bad(`reply without an open cfp in this round (state "${STATE_NAMES[s]}")`);
        if (code === PROPOSE) {
          if (!(m.price >= 0 && Number.isFinite(m.price))) bad("proposal price must be a non-negative number");
          if (!(m.quantity > 0 && m.quantity <= askedQty[c] * (1 + 1e-12)))
            bad(`proposal quantity must be in (0, ${askedQty[c]}] (the cfp's)`);
          lastPrice[c] = m.price;
          lastQty[c] = m.quantity;
        }
        state[c] = code === PROPOSE ? PROPOSED : CLOSED;
        break;
      case ACCEPT:
      case REJECT:
        if (s !== PROPOSED || !sameRound) bad(`answer without an open proposal in this round (state "${STATE_NAMES[s]}")`);
        if (code === ACCEPT && (m.price !== lastPrice[c] || m.quantity !== lastQty[c])) {
          bad(`accept-proposal (${m.price}, ${m.quantity}) differs from the proposal (${lastPrice[c]}, ${lastQty[c]})`);
        }
        state[c] = code === ACCEPT ? ACCEPTED : REJECTED;
        break;
      case INFORM:
        if (s !== ACCEPTED || !sameRound) bad(`inform without an accepted proposal in this round (state "${STATE_NAMES[s]}")`);
        if (m.price !== lastPrice[c] || m.quantity !== lastQty[c]) bad("inform must confirm the accepted price and quantity");
        state[c] = DONE;
        break;
      default:
        bad("unknown performative");
    }
    lastRound[c] = m.round;
  }
  for (let c = 0; c < n; c++) {
    const s = state[c];
    if (s === AWAIT_REPLY || s === PROPOSED || s === ACCEPTED) {
      out.push({ index: -1, conversation: c, message: `conversation ${c} ends in state "${STATE_NAMES[s]}"` });
    }
  }
  return out;
}
