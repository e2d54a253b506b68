import { z } from "zod";
import { type ConfigIssue, zodIssues } from "../io/errors.js";
import { LIMITS } from "../io/limits.js";
import { MarketSpecError } from "./errors.js";

/**
 * A layered market (docs/model.md section A): `groups.length` agent groups between `groups.length + 1` market layers,
 * `goods` goods per layer. Agent `A[k][m]` buys good j in layer k and sells good j in layer k+1 through
 * `y = a[j] x^b[j]` under a budget. Outside supply `alpha p^beta` (beta > 0) feeds layer 0; outside demand
 * `alpha p^beta` (beta < -1) drains the last layer.
 */
export interface MarketSpec {
  goods: number;
  groups: AgentGroupSpec[];
  outsideSupply: { alpha: number[]; beta: number[] };
  outsideDemand: { alpha: number[]; beta: number[]; chokePrice?: number[] };
}

export interface AgentGroupSpec {
  /** Cobb-Douglas exponent per good, shared by the group (it sets the good's price elasticity). */
  b: number[];
  agents: AgentSpec[];
}

export interface AgentSpec {
  /** Defaults to `A[k][m]`. */
  name?: string;
  /** Cobb-Douglas scale per good. */
  a: number[];
  /** Maximum total purchase cost per period. */
  budget: number;
}

/** Money and quantity inputs: positive and at most LIMITS.magnitude, so that plans and sums stay finite. */
const positive = (rule: string) =>
  z
    .number()
    .gt(0, rule)
    .max(LIMITS.magnitude, `must be at most ${LIMITS.magnitude.toExponential()} (larger inputs overflow the plans and sums)`);
const positives = (rule: string) => z.array(positive(rule));

const agentSchema = z.strictObject({
  /** Unique agent name; default A[k][m] (group k, member m). */
  name: z.string().min(1).optional().describe("Unique agent name; default A[k][m] (group k, member m)."),
  /** Cobb-Douglas scale per good (one per good, > 0): output y = a x^b. */
  a: positives("Cobb-Douglas scale a must be positive").describe("Cobb-Douglas scale per good (one per good, > 0): output y = a x^b."),
  /** Maximum total purchase cost per period (> 0). */
  budget: positive("budget must be positive").describe("Maximum total purchase cost per period (> 0)."),
});

/**
 * The zod schema of a market spec: types and the sign rules of each coefficient. `compileMarket` checks the rules
 * that involve several fields (one entry per good, unique names) after it.
 */
export const marketSpecSchema = z.strictObject({
  /** Goods per market layer (every vector below has one entry per good). */
  goods: z
    .number()
    .int("must be an integer")
    .positive("must be at least 1")
    .max(LIMITS.goods, `must be at most ${LIMITS.goods.toLocaleString("en-US")}`)
    .describe("Goods per market layer (every vector below has one entry per good)."),
  /** Agent groups, one per layer of producers: group k buys in market layer k and sells in layer k + 1. */
  groups: z
    .array(
      z.strictObject({
        /** Cobb-Douglas exponent per good, in (0, 1), shared by the group's agents (it sets the good's price elasticity). */
        b: z
          .array(z.number().gt(0, "Cobb-Douglas exponent b must lie in (0, 1)").lt(1, "Cobb-Douglas exponent b must lie in (0, 1)"))
          .describe("Cobb-Douglas exponent per good, in (0, 1), shared by the group's agents (it sets the good's price elasticity)."),
        /** The group's agents (producers). */
        agents: z
          .array(agentSchema)
          .min(1, "each group needs at least one agent")
          .max(LIMITS.agents, `must have at most ${LIMITS.agents.toLocaleString("en-US")} agents`)
          .describe("The group's agents (producers)."),
      }),
    )
    .min(1, "needs at least one agent group")
    .max(LIMITS.layers, `must have at most ${LIMITS.layers} groups`)
    .describe("Agent groups, one per layer of producers: group k buys in market layer k and sells in layer k + 1."),
  /** Outside supply alpha p^beta feeding market layer 0. */
  outsideSupply: z
    .strictObject({
      /** Scale alpha per good (> 0). */
      alpha: positives("outside supply scale alpha must be positive").describe("Scale alpha per good (> 0)."),
      /** Price exponent beta per good (> 0: supply rises with the price). */
      beta: positives("outside supply exponent beta must be positive").describe(
        "Price exponent beta per good (> 0: supply rises with the price).",
      ),
    })
    .describe("Outside supply alpha p^beta feeding market layer 0."),
  /** Outside demand alpha p^beta draining the last market layer. */
  outsideDemand: z
    .strictObject({
      /** Scale alpha per good (> 0). */
      alpha: positives("outside demand scale alpha must be positive").describe("Scale alpha per good (> 0)."),
      /** Price exponent beta per good (< -1, so that consumer surplus is finite). */
      beta: z
        .array(z.number().lt(-1, "outside demand exponent beta must be below -1 (so consumer surplus is finite)"))
        .describe("Price exponent beta per good (< -1, so that consumer surplus is finite)."),
      /** Price per good above which outside consumers buy nothing (> 0); default no choke price. */
      chokePrice: positives("choke price must be positive")
        .optional()
        .describe("Price per good above which outside consumers buy nothing (> 0); default no choke price."),
    })
    .describe("Outside demand alpha p^beta draining the last market layer."),
});

/** Compiled, validated market in flat typed arrays: what the solvers read on their hot path. */
export interface CompiledMarket {
  readonly spec: MarketSpec;
  /** Goods per layer. */
  readonly G: number;
  /** Agent groups; market layers are 0..L. */
  readonly L: number;
  readonly nMarkets: number;
  readonly nAgents: number;
  readonly names: readonly string[];
  /** Group and member of each agent. */
  readonly group: Int32Array;
  readonly member: Int32Array;
  /** First agent of group k is groupStart[k]; groupStart[L] = nAgents. */
  readonly groupStart: Int32Array;
  /** a[i*G+j]. */
  readonly a: Float64Array;
  readonly budget: Float64Array;
  /** b[k*G+j] and e = 1/(1-b). */
  readonly b: Float64Array;
  readonly e: Float64Array;
  /** True when every good of group k has the same b (the budget multiplier then has a closed form). */
  readonly uniformB: Uint8Array;
  readonly supplyAlpha: Float64Array;
  readonly supplyBeta: Float64Array;
  readonly demandAlpha: Float64Array;
  readonly demandBeta: Float64Array;
  /** Price above which outside consumers buy nothing, per good (Infinity by default). */
  readonly chokePrice: Float64Array;
}

/** Market index of good j in layer l. */
export function marketIndex(m: { G: number }, layer: number, good: number): number {
  return layer * m.G + good;
}

/**
 * Validate a market description and compile it. Throws `MarketSpecError` (a ConfigError) naming every field that
 * breaks a rule by its JSON path inside the spec.
 */
export function compileMarket(input: unknown): CompiledMarket {
  const parsed = marketSpecSchema.safeParse(input);
  if (!parsed.success) throw new MarketSpecError(zodIssues(parsed.error.issues));
  const spec = parsed.data as MarketSpec;
  const G = spec.goods;
  const L = spec.groups.length;
  const issues: ConfigIssue[] = [];
  const lengthIs = (arr: readonly number[], path: string) => {
    if (arr.length !== G) issues.push({ path, message: `has ${arr.length} entries; needs one per good (${G})` });
  };
  const names: string[] = [];
  const groupStart = new Int32Array(L + 1);
  const aList: number[] = [];
  const budgets: number[] = [];
  const groupOf: number[] = [];
  const memberOf: number[] = [];
  const b = new Float64Array(L * G);
  const e = new Float64Array(L * G);
  const uniformB = new Uint8Array(L);
  spec.groups.forEach((g, k) => {
    lengthIs(g.b, `groups[${k}].b`);
    g.b.forEach((bj, j) => {
      b[k * G + j] = bj;
      e[k * G + j] = 1 / (1 - bj);
    });
    uniformB[k] = g.b.every((bj) => bj === g.b[0]) ? 1 : 0;
    groupStart[k] = names.length;
    g.agents.forEach((ag, m) => {
      lengthIs(ag.a, `groups[${k}].agents[${m}].a`);
      const name = ag.name ?? `A[${k}][${m}]`;
      if (names.includes(name)) issues.push({ path: `groups[${k}].agents[${m}].name`, message: `duplicate agent name "${name}"` });
      names.push(name);
      aList.push(...ag.a);
      budgets.push(ag.budget);
      groupOf.push(k);
      memberOf.push(m);
    });
  });
  groupStart[L] = names.length;
  const { outsideSupply: os, outsideDemand: od } = spec;
  lengthIs(os.alpha, "outsideSupply.alpha");
  lengthIs(os.beta, "outsideSupply.beta");
  lengthIs(od.alpha, "outsideDemand.alpha");
  lengthIs(od.beta, "outsideDemand.beta");
  if (od.chokePrice) lengthIs(od.chokePrice, "outsideDemand.chokePrice");
  if (issues.length > 0) throw new MarketSpecError(issues);
  const choke = od.chokePrice ?? new Array<number>(G).fill(Infinity);
  return {
    spec,
    G,
    L,
    nMarkets: (L + 1) * G,
    nAgents: names.length,
    names,
    group: Int32Array.from(groupOf),
    member: Int32Array.from(memberOf),
    groupStart,
    a: Float64Array.from(aList),
    budget: Float64Array.from(budgets),
    b,
    e,
    uniformB,
    supplyAlpha: Float64Array.from(os.alpha),
    supplyBeta: Float64Array.from(os.beta),
    demandAlpha: Float64Array.from(od.alpha),
    demandBeta: Float64Array.from(od.beta),
    chokePrice: Float64Array.from(choke),
  };
}
