import { z } from "zod";
import { formatPath } from "../io/errors.js";
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

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const numbers = z.array(finite);

export const marketSpecSchema = z
  .object({
    goods: z.number().int("must be an integer").positive("must be at least 1"),
    groups: z
      .array(
        z
          .object({
            b: numbers,
            agents: z
              .array(z.object({ name: z.string().min(1).optional(), a: numbers, budget: finite }).strict())
              .min(1, "each group needs at least one agent"),
          })
          .strict(),
      )
      .min(1, "needs at least one agent group"),
    outsideSupply: z.object({ alpha: numbers, beta: numbers }).strict(),
    outsideDemand: z.object({ alpha: numbers, beta: numbers, chokePrice: numbers.optional() }).strict(),
  })
  .strict();

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

/** Validate a market description and compile it. Throws `MarketSpecError` naming the field and the rule. */
export function compileMarket(input: unknown): CompiledMarket {
  const parsed = marketSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MarketSpecError(formatPath(issue.path) || "(market)", issue.message);
  }
  const spec = parsed.data as MarketSpec;
  const G = spec.goods;
  const L = spec.groups.length;
  const lengthIs = (arr: readonly number[], path: string) => {
    if (arr.length !== G) throw new MarketSpecError(path, `has ${arr.length} entries; needs one per good (${G})`);
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
      if (!(bj > 0 && bj < 1)) throw new MarketSpecError(`groups[${k}].b[${j}]`, `Cobb-Douglas exponent b must lie in (0, 1), got ${bj}`);
      b[k * G + j] = bj;
      e[k * G + j] = 1 / (1 - bj);
    });
    uniformB[k] = g.b.every((bj) => bj === g.b[0]) ? 1 : 0;
    groupStart[k] = names.length;
    g.agents.forEach((ag, m) => {
      lengthIs(ag.a, `groups[${k}].agents[${m}].a`);
      ag.a.forEach((aj, j) => {
        if (!(aj > 0)) throw new MarketSpecError(`groups[${k}].agents[${m}].a[${j}]`, `Cobb-Douglas scale a must be positive, got ${aj}`);
      });
      if (!(ag.budget > 0)) throw new MarketSpecError(`groups[${k}].agents[${m}].budget`, `budget must be positive, got ${ag.budget}`);
      const name = ag.name ?? `A[${k}][${m}]`;
      if (names.includes(name)) throw new MarketSpecError(`groups[${k}].agents[${m}].name`, `duplicate agent name "${name}"`);
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
  os.alpha.forEach((v, j) => {
    if (!(v > 0)) throw new MarketSpecError(`outsideSupply.alpha[${j}]`, `outside supply scale alpha must be positive, got ${v}`);
  });
  os.beta.forEach((v, j) => {
    if (!(v > 0)) throw new MarketSpecError(`outsideSupply.beta[${j}]`, `outside supply exponent beta must be positive, got ${v}`);
  });
  od.alpha.forEach((v, j) => {
    if (!(v > 0)) throw new MarketSpecError(`outsideDemand.alpha[${j}]`, `outside demand scale alpha must be positive, got ${v}`);
  });
  od.beta.forEach((v, j) => {
    if (!(v < -1))
      throw new MarketSpecError(
        `outsideDemand.beta[${j}]`,
        `outside demand exponent beta must be below -1 (so consumer surplus is finite), got ${v}`,
      );
  });
  const choke = od.chokePrice ?? new Array<number>(G).fill(Infinity);
  if (od.chokePrice) {
    lengthIs(od.chokePrice, "outsideDemand.chokePrice");
    od.chokePrice.forEach((v, j) => {
      if (!(v > 0)) throw new MarketSpecError(`outsideDemand.chokePrice[${j}]`, `choke price must be positive, got ${v}`);
    });
  }
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
