import { z } from "zod";
import { deriveSeed } from "../core/rng.js";
import { parseConfig } from "../io/config.js";
import { pathNameSchema } from "../io/names.js";
import { TACTICS, type NegotiationConfig } from "../contracts/config.js";
import { generateConfig } from "../contracts/generate.js";
import { NegotiationEngine } from "../contracts/negotiation.js";
import { dealsFromEngine, settle, type NegotiationOutcome } from "../contracts/outcome.js";
import { PAPER_CONFIG } from "../contracts/paper.js";
import { summarizeOutcomes, type ConditionSummary } from "../eval/contracts-summary.js";

/**
 * The sensitivity study of the contracts finding (experiments/contracts-sensitivity.json, `supplygym
 * contracts-sensitivity`): the analytic negotiation, with and without checkQuantityEfficiency(), over a grid of
 * number of subcontractors x demand position between sum CN and sum CM x concession tactic x retailer cost c_R x
 * round limit. Each cell negotiates `instances` generated instances (generateConfig with seed
 * deriveSeed(seed, "sensitivity", k), the same instances in every cell with the same number of subcontractors),
 * overridden by the cell: demand D = round(sum CN + position x (sum CM - sum CN)); every subcontractor's tactic
 * (or "mixed": the generator's random draw) with markup 0.5; c_R with the retailer's margin R - c_R kept (so the
 * negotiation itself does not change with c_R, only the retailer's added value c_R x q does); the deadline.
 * The paper's deterministic setting is negotiated once per check value (no copies). Analytic agents only.
 */
const tacticOption = z.enum([...TACTICS, "mixed"]);

export const sensitivitySchema = z.strictObject({
  /** The study's name; results go to results/<name>/. */
  name: pathNameSchema.describe("The study's name; results go to results/<name>/."),
  /** Free text, copied into the manifest. */
  description: z.string().default("").describe("Free text, copied into the manifest."),
  /** Seed of the generated instances (instance k: deriveSeed(seed, "sensitivity", k)). */
  seed: z.number().int().default(0).describe('Seed of the generated instances (instance k: deriveSeed(seed, "sensitivity", k)).'),
  /** Generated instances negotiated per cell of the grid. */
  instances: z.number().int().min(1).max(100000).describe("Generated instances negotiated per cell of the grid."),
  /** Numbers of subcontractors (one grid axis). */
  subcontractors: z.array(z.number().int().min(1).max(100)).min(1).describe("Numbers of subcontractors (one grid axis)."),
  /** Where demand D lies between sum CN (0) and sum CM (1): D = round(sum CN + position x (sum CM - sum CN)). */
  demandPositions: z
    .array(z.number().min(0).max(1))
    .min(1)
    .describe("Where demand D lies between sum CN (0) and sum CM (1): D = round(sum CN + position x (sum CM - sum CN))."),
  /** Concession tactic of every subcontractor, or "mixed" (the generator's random draw per subcontractor). */
  tactics: z
    .array(tacticOption)
    .min(1)
    .describe('Concession tactic of every subcontractor, or "mixed" (the generator\'s random draw per subcontractor).'),
  /** Retailer unit costs c_R, with the margin R - c_R kept (only the retailer's added value changes). */
  retailerCosts: z
    .array(z.number().nonnegative())
    .min(1)
    .describe("Retailer unit costs c_R, with the margin R - c_R kept (only the retailer's added value changes)."),
  /** Round limits of the negotiation. */
  deadlines: z.array(z.number().int().min(1).max(1000)).min(1).describe("Round limits of the negotiation."),
});
export type SensitivitySpec = z.infer<typeof sensitivitySchema>;

export function parseSensitivitySpec(json: unknown, file = "<sensitivity>"): SensitivitySpec {
  return parseConfig(sensitivitySchema, json, file);
}

export interface SensitivityRow {
  instance: "generated" | "paper";
  subcontractors: number;
  demand_position: number;
  tactic: string;
  retailer_cost: number;
  deadline: number;
  check: boolean;
  negotiations: number;
  agreement_rate: number;
  illogical_rate: number;
  overtime_while_normal_idle_rate: number;
  price_order_inverted_rate: number;
  price_below_average_cost_rate: number;
  price_above_retail_margin_rate: number;
  chain_efficiency: number;
  mean_fairness_tv: number;
  undefined_fairness_tv: number;
  mean_jain_profit: number;
  undefined_jain_profit: number;
}

export const SENSITIVITY_COLUMNS = [
  "instance",
  "subcontractors",
  "demand_position",
  "tactic",
  "retailer_cost",
  "deadline",
  "check",
  "negotiations",
  "agreement_rate",
  "illogical_rate",
  "overtime_while_normal_idle_rate",
  "price_order_inverted_rate",
  "price_below_average_cost_rate",
  "price_above_retail_margin_rate",
  "chain_efficiency",
  "mean_fairness_tv",
  "undefined_fairness_tv",
  "mean_jain_profit",
  "undefined_jain_profit",
] as const;

function negotiate(cfg: NegotiationConfig, engine: NegotiationEngine): NegotiationOutcome {
  engine.load(cfg);
  engine.reset(cfg.retailer.demand, cfg.negotiation.check);
  engine.run();
  return settle(cfg, dealsFromEngine(engine), cfg.retailer.demand);
}

function row(base: Omit<SensitivityRow, keyof ReturnType<typeof fromSummary>>, s: ConditionSummary): SensitivityRow {
  return { ...base, ...fromSummary(s) };
}

function fromSummary(s: ConditionSummary) {
  return {
    negotiations: s.negotiations,
    agreement_rate: s.agreementRate,
    illogical_rate: s.illogicalPriceRate,
    overtime_while_normal_idle_rate: s.overtimeWhileNormalIdleRate,
    price_order_inverted_rate: s.priceOrderInvertedRate,
    price_below_average_cost_rate: s.priceBelowAverageCostRate,
    price_above_retail_margin_rate: s.priceAboveRetailMarginRate,
    chain_efficiency: s.chainEfficiency,
    mean_fairness_tv: s.meanFairnessTV,
    undefined_fairness_tv: s.undefinedFairnessTV,
    mean_jain_profit: s.meanJainProfit,
    undefined_jain_profit: s.undefinedJainProfit,
  };
}

export function runSensitivity(spec: SensitivitySpec): SensitivityRow[] {
  const rows: SensitivityRow[] = [];
  const engine = new NegotiationEngine(PAPER_CONFIG, { log: false });
  for (const check of [false, true]) {
    const cfg: NegotiationConfig = { ...PAPER_CONFIG, negotiation: { ...PAPER_CONFIG.negotiation, check } };
    const o = negotiate(cfg, engine);
    const subs = PAPER_CONFIG.subcontractors;
    const cn = subs.reduce((a, s) => a + s.normalCapacity, 0);
    const cm = subs.reduce((a, s) => a + s.maxCapacity, 0);
    rows.push(
      row(
        {
          instance: "paper",
          subcontractors: subs.length,
          demand_position: (PAPER_CONFIG.retailer.demand - cn) / (cm - cn),
          tactic: "paper",
          retailer_cost: PAPER_CONFIG.retailer.unitCost,
          deadline: PAPER_CONFIG.negotiation.deadline,
          check,
        },
        summarizeOutcomes([o]),
      ),
    );
  }
  for (const n of spec.subcontractors) {
    const bases = Array.from({ length: spec.instances }, (_, k) => generateConfig(deriveSeed(spec.seed, "sensitivity", n, k), { n }));
    for (const position of spec.demandPositions) {
      for (const tactic of spec.tactics) {
        for (const cR of spec.retailerCosts) {
          for (const deadline of spec.deadlines) {
            for (const check of [false, true]) {
              const outcomes = bases.map((b) => {
                const cn = b.subcontractors.reduce((a, s) => a + s.normalCapacity, 0);
                const cm = b.subcontractors.reduce((a, s) => a + s.maxCapacity, 0);
                const margin = b.retailer.retailPrice - b.retailer.unitCost;
                const cfg: NegotiationConfig = {
                  ...b,
                  retailer: { ...b.retailer, demand: Math.round(cn + position * (cm - cn)), unitCost: cR, retailPrice: cR + margin },
                  subcontractors: b.subcontractors.map((s) => (tactic === "mixed" ? s : { ...s, tactic, markup: 0.5 })),
                  negotiation: { ...b.negotiation, deadline, check },
                };
                return negotiate(cfg, engine);
              });
              rows.push(
                row(
                  { instance: "generated", subcontractors: n, demand_position: position, tactic, retailer_cost: cR, deadline, check },
                  summarizeOutcomes(outcomes),
                ),
              );
            }
          }
        }
      }
    }
  }
  return rows;
}
