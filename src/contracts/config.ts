import { boundedInt, LIMITS } from "../io/limits.js";
import { pathNameSchema } from "../io/names.js";
import { z } from "zod";
import { ConfigError, formatPath, zodConfigError } from "../io/errors.js";
import type { ContractInstance, Retailer, Subcontractor } from "./model.js";

/** Named time-dependent tactics (Faratin) and the behaviour-dependent relative tit-for-tat. */
export const TACTICS = ["boulware", "linear", "conceder", "tit-for-tat"] as const;
export type TacticName = (typeof TACTICS)[number];

/** Concession exponent beta of each named time-dependent tactic (beta < 1 Boulware, 1 linear, > 1 Conceder). */
export const TACTIC_BETA: Readonly<Record<Exclude<TacticName, "tit-for-tat">, number>> = { boulware: 0.2, linear: 1, conceder: 5 };

export const CONTRACT_TYPES = ["wholesale", "buyback"] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];

/** A subcontractor with the analytic negotiator that plays it. */
export interface SubcontractorSpec extends Subcontractor {
  tactic: TacticName;
  /** Overrides the tactic's beta (time-dependent tactics only). */
  beta?: number;
  /** Opening price = reservation price x (1 + markup). */
  markup: number;
  /** Its own deadline in rounds (default: the protocol deadline); past it, it walks away from offers below its reservation. */
  patience?: number;
}

export interface RetailerSpec extends Retailer {
  /** Opening offer = openingFraction x (R - c_R). */
  openingFraction: number;
  /** Concession exponent of the retailer's time-dependent offers (1 = linear). */
  beta: number;
}

export interface NegotiationSettings {
  /** Rounds of the iterated contract net (>= 2: round 1 is the capacity quote). */
  deadline: number;
  /** Run checkQuantityEfficiency() on the allocation (the paper's second version). */
  check: boolean;
  contract: ContractType;
  /** Buy-back price = buybackFraction x wholesale price, for each unsold unit (buyback contracts). */
  buybackFraction: number;
}

export type DemandSpec =
  | { type: "fixed" }
  /** Demand ~ max(0, Normal(D, std)) per episode; the retailer orders the forecast D. */
  | { type: "normal"; std: number }
  /** Demand ~ Uniform(D - halfWidth, D + halfWidth) per episode. */
  | { type: "uniform"; halfWidth: number };

export interface NegotiationConfig {
  experiment: string;
  seed: number;
  /** Seeded repetitions (different demand draws when demand is stochastic). */
  episodes: number;
  retailer: RetailerSpec;
  subcontractors: SubcontractorSpec[];
  negotiation: NegotiationSettings;
  demand: DemandSpec;
}

export const DEFAULT_NEGOTIATION: Readonly<NegotiationSettings> = {
  deadline: 10,
  check: true,
  contract: "wholesale",
  buybackFraction: 0.5,
};
export const DEFAULT_RETAILER_BEHAVIOUR = { openingFraction: 0.4, beta: 1 } as const;
export const DEFAULT_SUBCONTRACTOR_BEHAVIOUR = { tactic: "linear" as TacticName, markup: 0.5 } as const;

const finite = z
  .number()
  .refine(Number.isFinite, "must be a finite number")
  .refine(
    (v) => Math.abs(v) <= LIMITS.magnitude,
    `must be at most ${LIMITS.magnitude.toExponential()} in magnitude (larger values overflow the profits)`,
  );
const nonNeg = finite.refine((v) => v >= 0, "must be >= 0");
const positive = finite.refine((v) => v > 0, "must be > 0");

const subcontractorSchema = z
  .object({
    /** The subcontractor's id (unique); its agent id in the contracts envs. */
    id: z.string().min(1, "must be a non-empty string").describe("The subcontractor's id (unique); its agent id in the contracts envs."),
    /** CN: units it makes at the normal unit cost. */
    normalCapacity: nonNeg.describe("CN: units it makes at the normal unit cost."),
    /** CM >= CN: units it can make at most, the ones above CN in overtime. */
    maxCapacity: positive.describe("CM >= CN: units it can make at most, the ones above CN in overtime."),
    /** c: unit cost up to CN. */
    unitCost: nonNeg.describe("c: unit cost up to CN."),
    /** e: extra unit cost of each unit above CN (an overtime unit costs c + e). */
    extraCost: nonNeg.describe("e: extra unit cost of each unit above CN (an overtime unit costs c + e)."),
    /** Its analytic negotiator: a time-dependent concession tactic (Faratin: boulware, linear, conceder) or relative tit-for-tat. */
    tactic: z
      .enum(TACTICS)
      .default(DEFAULT_SUBCONTRACTOR_BEHAVIOUR.tactic)
      .describe(
        "Its analytic negotiator: a time-dependent concession tactic (Faratin: boulware, linear, conceder) or relative tit-for-tat.",
      ),
    /** Overrides the tactic's concession exponent (time-dependent tactics only; < 1 Boulware, 1 linear, > 1 Conceder). */
    beta: positive
      .optional()
      .describe("Overrides the tactic's concession exponent (time-dependent tactics only; < 1 Boulware, 1 linear, > 1 Conceder)."),
    /** Opening price = reservation price x (1 + markup). */
    markup: nonNeg.default(DEFAULT_SUBCONTRACTOR_BEHAVIOUR.markup).describe("Opening price = reservation price x (1 + markup)."),
    /** Its own deadline in rounds (<= negotiation.deadline; default the protocol deadline); past it, it walks away from offers below its reservation. */
    patience: z
      .number()
      .int("must be an integer")
      .min(1, "must be >= 1")
      .optional()
      .describe(
        "Its own deadline in rounds (<= negotiation.deadline; default the protocol deadline); past it, it walks away from offers below its reservation.",
      ),
  })
  .strict();

const retailerSchema = z
  .object({
    /** D: units the retailer orders (sum CN < D < sum CM). */
    demand: positive.describe("D: units the retailer orders (sum CN < D < sum CM)."),
    /** R: retail price per unit sold. */
    retailPrice: positive.describe("R: retail price per unit sold."),
    /** c_R: the retailer's own unit cost on every unit it buys. */
    unitCost: nonNeg.describe("c_R: the retailer's own unit cost on every unit it buys."),
    /** Opening offer = openingFraction x (R - c_R). */
    openingFraction: finite
      .refine((v) => v >= 0 && v <= 1, "must be in [0, 1]")
      .default(DEFAULT_RETAILER_BEHAVIOUR.openingFraction)
      .describe("Opening offer = openingFraction x (R - c_R)."),
    /** Concession exponent of the retailer's time-dependent offers (1 = linear). */
    beta: positive
      .default(DEFAULT_RETAILER_BEHAVIOUR.beta)
      .describe("Concession exponent of the retailer's time-dependent offers (1 = linear)."),
  })
  .strict();

const negotiationSchema = z
  .object({
    /** Rounds of the iterated contract net (>= 2: round 1 is the capacity quote). */
    deadline: z
      .number()
      .int("must be an integer")
      .min(2, "must be >= 2 (round 1 is the capacity quote)")
      .max(LIMITS.iterations, `must be at most ${LIMITS.iterations}`)
      .default(DEFAULT_NEGOTIATION.deadline)
      .describe("Rounds of the iterated contract net (>= 2: round 1 is the capacity quote)."),
    /** Run the quantity-efficiency check on the allocation (the paper's second version). */
    check: z
      .boolean()
      .default(DEFAULT_NEGOTIATION.check)
      .describe("Run the quantity-efficiency check on the allocation (the paper's second version)."),
    /** Wholesale-price contracts, or buy-back contracts (unsold units bought back). */
    contract: z
      .enum(CONTRACT_TYPES)
      .default(DEFAULT_NEGOTIATION.contract)
      .describe("Wholesale-price contracts, or buy-back contracts (unsold units bought back)."),
    /** Buy-back price = buybackFraction x wholesale price, for each unsold unit (buyback contracts). */
    buybackFraction: finite
      .refine((v) => v >= 0 && v <= 1, "must be in [0, 1]")
      .default(DEFAULT_NEGOTIATION.buybackFraction)
      .describe("Buy-back price = buybackFraction x wholesale price, for each unsold unit (buyback contracts)."),
  })
  .strict();

const demandSchema = z.discriminatedUnion("type", [
  z.strictObject({
    /** Demand is retailer.demand in every episode. */
    type: z.literal("fixed").describe("Demand is retailer.demand in every episode."),
  }),
  z.strictObject({
    /** Demand ~ max(0, Normal(D, std)) per episode; the retailer orders the forecast D. */
    type: z.literal("normal").describe("Demand ~ max(0, Normal(D, std)) per episode; the retailer orders the forecast D."),
    /** Standard deviation of the demand. */
    std: positive.describe("Standard deviation of the demand."),
  }),
  z.strictObject({
    /** Demand ~ Uniform(D - halfWidth, D + halfWidth) per episode. */
    type: z.literal("uniform").describe("Demand ~ Uniform(D - halfWidth, D + halfWidth) per episode."),
    /** Half the width of the range (<= retailer.demand). */
    halfWidth: positive.describe("Half the width of the range (<= retailer.demand)."),
  }),
]);

export const negotiationConfigSchema = z
  .object({
    /** Name of the results folder. */
    experiment: pathNameSchema.default("contracts").describe("Name of the results folder."),
    /** Seed of the demand draws (stochastic demand) and random instances. */
    seed: z.number().int("must be an integer").default(1).describe("Seed of the demand draws (stochastic demand) and random instances."),
    /** Seeded repetitions (different demand draws when demand is stochastic). */
    episodes: boundedInt(1, LIMITS.episodes).default(1).describe("Seeded repetitions (different demand draws when demand is stochastic)."),
    /** The retailer: demand D, retail price R, own unit cost c_R, and its negotiator. */
    retailer: retailerSchema.describe("The retailer: demand D, retail price R, own unit cost c_R, and its negotiator."),
    /** The subcontractors and their analytic negotiators. */
    subcontractors: z
      .array(subcontractorSchema)
      .min(1, "needs at least one subcontractor")
      .max(LIMITS.agents, `at most ${LIMITS.agents} subcontractors`)
      .describe("The subcontractors and their analytic negotiators."),
    /** The protocol: deadline, check, contract type. */
    negotiation: negotiationSchema.default({ ...DEFAULT_NEGOTIATION }).describe("The protocol: deadline, check, contract type."),
    /** The realised demand: fixed, normal or uniform around retailer.demand. */
    demand: demandSchema.default({ type: "fixed" }).describe("The realised demand: fixed, normal or uniform around retailer.demand."),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const issue of instanceIssues(cfg)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    cfg.subcontractors.forEach((s, i) => {
      if (s.patience !== undefined && s.patience > cfg.negotiation.deadline) {
        ctx.addIssue({
          code: "custom",
          path: ["subcontractors", i, "patience"],
          message: `must be <= negotiation.deadline (${cfg.negotiation.deadline})`,
        });
      }
      if (s.beta !== undefined && s.tactic === "tit-for-tat") {
        ctx.addIssue({ code: "custom", path: ["subcontractors", i, "beta"], message: "only time-dependent tactics take a beta" });
      }
    });
    if (cfg.demand.type === "uniform" && cfg.demand.halfWidth > cfg.retailer.demand) {
      ctx.addIssue({
        code: "custom",
        path: ["demand", "halfWidth"],
        message: `must be <= retailer.demand (${cfg.retailer.demand}) so demand stays >= 0`,
      });
    }
  });

/**
 * The cross-field rules of an instance, each with the JSON path it is about: CN <= CM, unique ids,
 * sum CN < D < sum CM, and R - c_R above every overtime unit cost c + e (so every unit is worth making).
 */
export function instanceIssues(inst: ContractInstance): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Map<string, number>();
  let sumCN = 0;
  let sumCM = 0;
  let maxUnit = 0;
  inst.subcontractors.forEach((s, i) => {
    if (s.maxCapacity < s.normalCapacity) {
      issues.push({
        path: ["subcontractors", i, "maxCapacity"],
        message: `CM = ${s.maxCapacity} must be >= normalCapacity CN = ${s.normalCapacity}`,
      });
    }
    const prev = seen.get(s.id);
    if (prev !== undefined)
      issues.push({ path: ["subcontractors", i, "id"], message: `duplicate id "${s.id}" (also subcontractors[${prev}])` });
    seen.set(s.id, i);
    sumCN += s.normalCapacity;
    sumCM += s.maxCapacity;
    maxUnit = Math.max(maxUnit, s.unitCost + s.extraCost);
  });
  const { demand, retailPrice, unitCost } = inst.retailer;
  if (!(sumCN < demand && demand < sumCM)) {
    issues.push({
      path: ["retailer", "demand"],
      message: `must satisfy sum CN < D < sum CM: ${sumCN} < ${demand} < ${sumCM} does not hold`,
    });
  }
  if (!(retailPrice - unitCost > maxUnit)) {
    issues.push({
      path: ["retailer", "retailPrice"],
      message: `R - c_R = ${retailPrice - unitCost} must exceed every overtime unit cost c + e (largest ${maxUnit})`,
    });
  }
  return issues;
}

/** Throw a ConfigError (naming `source`) when the instance breaks a rule of {@link instanceIssues}. */
export function validateInstance(inst: ContractInstance, source = "<instance>"): void {
  const issues = instanceIssues(inst);
  if (issues.length > 0)
    throw new ConfigError(
      source,
      issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
}

/** Validate a JSON value (a parsed file or an options object) and fill defaults; ConfigError names `file`. */
export function parseNegotiationConfig(json: unknown, file = "<config>"): NegotiationConfig {
  const parsed = negotiationConfigSchema.safeParse(json);
  if (!parsed.success) throw zodConfigError(file, parsed.error);
  return parsed.data as NegotiationConfig;
}

/** The model part of a config. */
export function instanceOf(cfg: Pick<NegotiationConfig, "retailer" | "subcontractors">): ContractInstance {
  const { demand, retailPrice, unitCost } = cfg.retailer;
  return {
    retailer: { demand, retailPrice, unitCost },
    subcontractors: cfg.subcontractors.map(({ id, normalCapacity, maxCapacity, unitCost: c, extraCost }) => ({
      id,
      normalCapacity,
      maxCapacity,
      unitCost: c,
      extraCost,
    })),
  };
}
