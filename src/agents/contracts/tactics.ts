import { z } from "zod";
import { TACTIC_BETA } from "../../contracts/config.js";
import { buyerOffer, concession, sellerPrice, titForTatPrice } from "../../contracts/tactics.js";
import type { Policy } from "../../core/types.js";
import { registerStrategy, type StrategyContext } from "../registry.js";

/**
 * The analytic negotiators of the contracts system (seed 004; Faratin's concession tactics, src/contracts/tactics.ts)
 * as registered strategies, for ContractNegotiation-v0 and ContractNegotiationParallel-v0.
 *
 * A contracts strategy acts at its turn in the protocol and in the protocol's own units (docs/contracts.md,
 * "Strategies"): the env asks the retailer's policy for its offers before the round's cfps, and each open
 * subcontractor's policy for its price after them, so its view already holds the offer it answers (what
 * tit-for-tat reacts to). The views are unnormalised (money, units; `retailerStrategySpaces`, `subStrategySpaces` in
 * src/envs/contract-negotiation.ts) and the formulas are the engine's own functions, so `configured` played
 * through the env is bit-identical to the engine's analytic agents (tested on metrics.csv).
 *
 * Parameters a condition does not set are the agent's configured ones (the contracts config: the retailer's
 * openingFraction and beta; a subcontractor's markup, beta and patience), read from the agent's view each round.
 */
export const CONTRACT_ENVS = ["ContractNegotiation-v0", "ContractNegotiationParallel-v0"] as const;
const RETAILER = "retailer";

// Positions in the views (src/envs/contract-negotiation.ts).
const R_ROUND = 0;
const R_DEADLINE = 1;
const R_PRICE = 3;
const R_COST = 4;
const R_OPENING = 5;
const R_BETA = 6;
const R_GLOBAL = 7;
const R_PER_SUB = 7;
const S_ROUND = 0;
const S_RESERVATION = 8;
const S_OFFER = 9;
const S_PREV_OFFER = 10;
const S_LAST_PRICE = 11;
const S_MARKUP = 12;
const S_BETA = 13;
const S_PATIENCE = 14;

export const contractTacticOptionsSchema = z.strictObject({
  /** Concession exponent (time-dependent tactics): < 1 Boulware, 1 linear, > 1 Conceder. Default: the configured one. */
  beta: z
    .number()
    .positive("must be > 0")
    .max(1000, "must be <= 1000")
    .optional()
    .describe("Concession exponent of a time-dependent tactic (< 1 Boulware, 1 linear, > 1 Conceder); default the configured one."),
  /** Subcontractors: opening price = reservation x (1 + markup). Default: the configured one. */
  markup: z
    .number()
    .min(0, "must be >= 0")
    .max(100, "must be <= 100")
    .optional()
    .describe("Subcontractors: opening price = reservation price x (1 + markup); default the configured one."),
  /** Subcontractors: own deadline in rounds (past it, it walks away from offers below its reservation). Default: the configured one. */
  patience: z
    .int()
    .min(1, "must be >= 1")
    .optional()
    .describe("Subcontractors: own deadline in rounds; past it, it refuses offers below its reservation. Default the configured one."),
  /** The retailer: opening offer = openingFraction x (R - c_R). Default: the configured one. */
  openingFraction: z
    .number()
    .min(0, "must be >= 0")
    .max(1, "must be <= 1")
    .optional()
    .describe("The retailer: opening offer = openingFraction x (R - c_R); default the configured one."),
});
export type ContractTacticOptions = z.infer<typeof contractTacticOptionsSchema>;

type Family = "configured" | "time-dependent" | "tit-for-tat";

const SUB_ONLY = ["markup", "patience"] as const;

function check(ctx: StrategyContext, name: string, family: Family, fixedBeta: boolean): ContractTacticOptions {
  const o = ctx.options as ContractTacticOptions;
  const given = Object.keys(o).filter((k) => o[k as keyof ContractTacticOptions] !== undefined);
  const refuse = (keys: readonly string[], why: string) => {
    const bad = given.filter((k) => keys.includes(k));
    if (bad.length > 0) throw new RangeError(`${bad.join(", ")}: ${why}`);
  };
  if (family === "configured") refuse(given, `strategy "${name}" takes no options (it plays the configured negotiator)`);
  if (fixedBeta || family === "tit-for-tat") refuse(["beta"], `strategy "${name}" has no free beta`);
  if (ctx.agent === RETAILER) {
    if (family === "tit-for-tat") throw new RangeError(`strategy "${name}" is a subcontractor's tactic; the retailer's are time-dependent`);
    refuse(SUB_ONLY, "the retailer's tactic has no markup or patience (it takes beta, openingFraction)");
  } else refuse(["openingFraction"], "a subcontractor's tactic has no openingFraction (it takes beta, markup, patience)");
  return o;
}

/** The retailer's time-dependent offers (the same to every subcontractor), as the engine's analytic retailer. */
function retailerPolicy(o: ContractTacticOptions, beta: number | undefined): Policy<number[], number[]> {
  return {
    act(v) {
      const margin = v[R_PRICE] - v[R_COST];
      const opening = (o.openingFraction ?? v[R_OPENING]) * margin;
      const offer = buyerOffer(opening, margin, concession(v[R_ROUND] - 1, v[R_DEADLINE] - 1, beta ?? o.beta ?? v[R_BETA]));
      const n = (v.length - R_GLOBAL) / R_PER_SUB;
      return new Array<number>(n).fill(offer);
    },
  };
}

/**
 * A subcontractor's tactic, as the engine's analytic subcontractor: time-dependent prices from its opening to its
 * reservation by its patience, or relative tit-for-tat on the retailer's last two offers; past its patience it
 * refuses an offer below its reservation (action -1).
 */
function subPolicy(o: ContractTacticOptions, family: Family, beta: number | undefined): Policy<number[], number[]> {
  return {
    act(v) {
      const r = v[S_ROUND];
      const res = v[S_RESERVATION];
      const offer = v[S_OFFER];
      const patience = o.patience ?? v[S_PATIENCE];
      if (r > patience && offer < res) return [-1];
      const opening = res * (1 + (o.markup ?? v[S_MARKUP]));
      const tft = family === "tit-for-tat" || (family === "configured" && v[S_BETA] === 0);
      if (tft) {
        const last = v[S_LAST_PRICE];
        return [last < 0 ? opening : titForTatPrice(last, v[S_PREV_OFFER], offer, res, opening)];
      }
      // A tit-for-tat subcontractor's configured beta is 0: a time-dependent tactic without one concedes linearly.
      const b = beta ?? o.beta ?? (v[S_BETA] > 0 ? v[S_BETA] : 1);
      return [sellerPrice(res, opening, concession(r - 1, patience - 1, b))];
    },
  };
}

function register(name: string, family: Family, description: string, fixedBeta?: number): void {
  registerStrategy(
    name,
    (ctx) => {
      const o = check(ctx, name, family, fixedBeta !== undefined);
      return (ctx.agent === RETAILER ? retailerPolicy(o, fixedBeta) : subPolicy(o, family, fixedBeta)) as Policy;
    },
    {
      description,
      ...(family === "configured" ? {} : { options: contractTacticOptionsSchema as z.ZodType<Record<string, unknown>> }),
      envs: [...CONTRACT_ENVS],
    },
  );
}

register(
  "configured",
  "configured",
  "contracts: the agent's configured analytic negotiator (its tactic, beta, markup, patience; the retailer's openingFraction and beta), played as a policy",
);
register(
  "time-dependent",
  "time-dependent",
  "contracts: Faratin's time-dependent tactic (options beta, markup, patience; the retailer's beta, openingFraction)",
);
register(
  "boulware",
  "time-dependent",
  "contracts: time-dependent tactic with beta 0.2 (holds firm, concedes at the deadline)",
  TACTIC_BETA.boulware,
);
register("linear", "time-dependent", "contracts: time-dependent tactic with beta 1 (concedes linearly)", TACTIC_BETA.linear);
register("conceder", "time-dependent", "contracts: time-dependent tactic with beta 5 (concedes early)", TACTIC_BETA.conceder);
register(
  "tit-for-tat",
  "tit-for-tat",
  "contracts, subcontractors: relative tit-for-tat on the retailer's last two offers (options markup, patience)",
);
