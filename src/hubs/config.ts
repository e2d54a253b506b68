import { boundedInt, boundedNumber, LIMITS } from "../io/limits.js";
import { pathNameSchema } from "../io/names.js";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseCsv as parseCsvRows } from "../io/csv.js";
import { parseConfig, readJsonFile } from "../io/config.js";
import { ConfigError, type ConfigIssue, zodIssues } from "../io/errors.js";

/**
 * The JSON configuration of a hubs scenario (docs/model.md section C) and its resolution into indexed arrays.
 * Every field is documented in the schema below; `resolveHubsConfig` fills defaults and checks the rules zod
 * cannot express (ids that must exist, supplies within storage, ...), naming each JSON path that is wrong.
 */

export const RESOURCE_KINDS = ["components", "labour", "machine", "energy", "other"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const MECHANISM_KINDS = ["vcg", "bilateral", "both", "sequential-second-price"] as const;

const positive = boundedNumber().refine((v) => v > 0, "must be > 0");
const nonneg = boundedNumber().refine((v) => v >= 0, "must be >= 0");
const ident = pathNameSchema;

const resourceSchema = z.strictObject({
  /** The resource's id (unique); hubs' supply, products' needs and events name it. */
  id: ident.describe("The resource's id (unique); hubs' supply, products' needs and events name it."),
  /** What the resource is; energy counts against a hub's energyLimit, labour against contractualLabourHours, components are storable by default. */
  kind: z
    .enum(RESOURCE_KINDS)
    .describe(
      "What the resource is; energy counts against a hub's energyLimit, labour against contractualLabourHours, components are storable by default.",
    ),
  /** Unit of one quantity (for reports). */
  unit: z.string().default("unit").describe("Unit of one quantity (for reports)."),
  /** Size of one traded lot (auctions and bilateral offers move whole lots). */
  lot: positive.describe("Size of one traded lot (auctions and bilateral offers move whole lots)."),
  /** Counts against the hub's storage capacity (default: true for components, false otherwise). */
  storable: z.boolean().optional().describe("Counts against the hub's storage capacity (default: true for components, false otherwise)."),
  /** May move between hubs. */
  transferable: z.boolean().default(true).describe("May move between hubs."),
  /** Maximum price per unit an agent may agree to (negotiation limit); default no cap. */
  maxPricePerUnit: positive.optional().describe("Maximum price per unit an agent may agree to (negotiation limit); default no cap."),
});

const productSchema = z.strictObject({
  /** The product's id (unique within its hub). */
  id: ident.describe("The product's id (unique within its hub)."),
  /** Money earned per unit produced. */
  marginPerUnit: nonneg.describe("Money earned per unit produced."),
  /** Money lost per hour of production delay. */
  delayCostPerHour: nonneg.describe("Money lost per hour of production delay."),
  /** Production rate at full speed; a shortfall of u units is u / unitsPerHour hours of delay. */
  unitsPerHour: positive.describe("Production rate at full speed; a shortfall of u units is u / unitsPerHour hours of delay."),
  /** Resource needs per unit produced, by resource id (missing = 0; at least one > 0). */
  needs: z.record(z.string(), nonneg).describe("Resource needs per unit produced, by resource id (missing = 0; at least one > 0)."),
  /** Units ordered per period; default unitsPerHour * hoursPerPeriod. */
  demandPerPeriod: nonneg.optional().describe("Units ordered per period; default unitsPerHour * hoursPerPeriod."),
  /** Multiplier of the demand per period (cycled when shorter than the episode). */
  demandMultipliers: z
    .array(nonneg)
    .min(1)
    .optional()
    .describe("Multiplier of the demand per period (cycled when shorter than the episode)."),
});

const hubSchema = z.strictObject({
  /** The hub's id (unique); it is the agent id in HubTrading-v0. */
  id: ident.describe("The hub's id (unique); it is the agent id in HubTrading-v0."),
  /** Free text. */
  description: z.string().default("").describe("Free text."),
  /** Allocation of each resource per period before shortages, by resource id (missing = 0). */
  supply: z.record(z.string(), nonneg).describe("Allocation of each resource per period before shortages, by resource id (missing = 0)."),
  /** Hard constraint: total energy used per period (all energy-kind resources). Default no limit. */
  energyLimit: nonneg.optional().describe("Hard constraint: total energy used per period (all energy-kind resources). Default no limit."),
  /** Hard constraint: units of storable resources held per period (at least the hub's own storable supply). Default no limit. */
  storageCapacity: nonneg
    .optional()
    .describe("Hard constraint: units of storable resources held per period (at least the hub's own storable supply). Default no limit."),
  /** Hard constraint: labour hours used per period under contract. Default no limit. */
  contractualLabourHours: nonneg.optional().describe("Hard constraint: labour hours used per period under contract. Default no limit."),
  /** What the hub produces. */
  products: z.array(productSchema).min(1).describe("What the hub produces."),
});

const eventSchema = z.strictObject({
  /** First period of the shortage. */
  start: boundedInt(0, LIMITS.periods).describe("First period of the shortage."),
  /** Periods the shortage lasts. */
  duration: boundedInt(1, LIMITS.periods).describe("Periods the shortage lasts."),
  /** Hub ids hit, or "*" for all. */
  hubs: z.union([z.literal("*"), z.array(ident).min(1)]).describe('Hub ids hit, or "*" for all.'),
  /** The resource cut. */
  resource: ident.describe("The resource cut."),
  /** Fraction of the supply cut, in (0, 1]. */
  fraction: z.number().gt(0).lte(1).describe("Fraction of the supply cut, in (0, 1]."),
  /** Period from which the event is known (forecastable), at most start; default max(0, start - horizon). */
  announced: boundedInt(0, LIMITS.periods)
    .optional()
    .describe("Period from which the event is known (forecastable), at most start; default max(0, start - horizon)."),
});

const generatorSchema = z.strictObject({
  /** Probability per period that a new shortage starts. */
  rate: z.number().min(0).max(1).describe("Probability per period that a new shortage starts."),
  /** Least fraction of supply a generated shortage cuts (<= fractionMax). */
  fractionMin: z.number().gt(0).lte(1).default(0.2).describe("Least fraction of supply a generated shortage cuts (<= fractionMax)."),
  /** Largest fraction of supply a generated shortage cuts. */
  fractionMax: z.number().gt(0).lte(1).default(0.6).describe("Largest fraction of supply a generated shortage cuts."),
  /** Shortest generated duration in periods (<= durationMax). */
  durationMin: boundedInt(1, LIMITS.periods).default(1).describe("Shortest generated duration in periods (<= durationMax)."),
  /** Longest generated duration in periods. */
  durationMax: boundedInt(1, LIMITS.periods).default(3).describe("Longest generated duration in periods."),
  /** Resources a generated shortage may hit (default all). */
  resources: z.array(ident).optional().describe("Resources a generated shortage may hit (default all)."),
  /** Probability that a generated event hits every hub instead of one. */
  companyWide: z.number().min(0).max(1).default(0.3).describe("Probability that a generated event hits every hub instead of one."),
  /** Periods between announcement and start (default the horizon). */
  leadTime: boundedInt(0, LIMITS.periods).optional().describe("Periods between announcement and start (default the horizon)."),
});

const mechanismSchema = z.strictObject({
  /** Which mechanisms run each trading round: "vcg" (one truthful VCG auction per resource, docs/hubs.md), "bilateral" (negotiation; manipulable), "both" (VCG, then bilateral deals among the hubs that did not trade), "sequential-second-price" (one second-price auction per lot in turn: manipulable, kept for comparison). */
  kind: z
    .enum(MECHANISM_KINDS, {
      error: (iss) =>
        iss.input === "vickrey"
          ? '"vickrey" was the sequential per-lot auction, which is not truthful: use "vcg" (truthful) or "sequential-second-price" (the old rule)'
          : `must be one of ${MECHANISM_KINDS.map((k) => `"${k}"`).join(", ")}`,
    })
    .default("both")
    .describe(
      'Which mechanisms run each trading round: "vcg" (one truthful VCG auction per resource, docs/hubs.md), "bilateral" (negotiation; manipulable), "both" (VCG, then bilateral deals among the hubs that did not trade), "sequential-second-price" (one second-price auction per lot in turn: manipulable, kept for comparison).',
    ),
  /** VCG: most lots of a resource one hub may buy, or sell, in one auction. */
  lotsPerAuction: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(10)
    .describe("VCG: most lots of a resource one hub may buy, or sell, in one auction."),
  /** How bilateral deals pay: money, future priority on another resource, or priority when possible else money. */
  payment: z
    .enum(["money", "priority", "priority-or-money"])
    .default("priority-or-money")
    .describe("How bilateral deals pay: money, future priority on another resource, or priority when possible else money."),
  /** Negotiation limit: alternating concession steps before a bilateral negotiation fails. */
  timeToConclude: boundedInt(1, LIMITS.iterations)
    .default(5)
    .describe("Negotiation limit: alternating concession steps before a bilateral negotiation fails."),
  /** Trading rounds per period (each hub trades at most once per round). */
  maxRounds: boundedInt(1, LIMITS.iterations).default(10).describe("Trading rounds per period (each hub trades at most once per round)."),
  /** What happens when a value-creating deal finds no agreement (docs/hubs.md). */
  escalation: z
    .enum(["review", "planner", "drop"])
    .default("review")
    .describe("What happens when a value-creating deal finds no agreement (docs/hubs.md)."),
  /** Periods after issue during which a priority credit may be redeemed. */
  creditWindow: boundedInt(1, LIMITS.periods).default(4).describe("Periods after issue during which a priority credit may be redeemed."),
  /** Money per unit the issuer pays the holder for any credit still unredeemed at expiry. */
  creditFallbackPrice: nonneg.default(0).describe("Money per unit the issuer pays the holder for any credit still unredeemed at expiry."),
});

const reviewSchema = z.strictObject({
  /** Trades whose unit price or quantity is more than k standard deviations from the norm wait for review. */
  k: positive.default(3).describe("Trades whose unit price or quantity is more than k standard deviations from the norm wait for review."),
  /** Executed trades on a resource needed before the rule applies. */
  minHistory: z.number().int().min(2).default(5).describe("Executed trades on a resource needed before the rule applies."),
  /** Policy for trades nobody reviews in simulation: "hold" them, or reject them after some periods. */
  unreviewed: z
    .union([
      z.literal("hold"),
      z.strictObject({
        /** Periods after which a held trade is rejected. */
        rejectAfter: z.number().int().min(1).describe("Periods after which a held trade is rejected."),
      }),
    ])
    .default({ rejectAfter: 2 })
    .describe('Policy for trades nobody reviews in simulation: "hold" them, or reject them after some periods.'),
  /** Historical norm to start from, per resource id. */
  history: z
    .record(
      z.string(),
      z.strictObject({
        /** Past trades' unit prices. */
        prices: z.array(nonneg).describe("Past trades' unit prices."),
        /** Past trades' quantities. */
        quantities: z.array(nonneg).describe("Past trades' quantities."),
      }),
    )
    .default({})
    .describe("Historical norm to start from, per resource id."),
});

export const hubsConfigSchema = z.strictObject({
  /** The scenario's name (it names result folders). */
  name: ident.describe("The scenario's name (it names result folders)."),
  /** Free text. */
  description: z.string().default("").describe("Free text."),
  /** Default seed of a simulation (its generated shortages) when none is given, and of the shortage forecasters' fit. */
  seed: z
    .number()
    .int()
    .default(0)
    .describe("Default seed of a simulation (its generated shortages) when none is given, and of the shortage forecasters' fit."),
  /** Periods of one episode. */
  periods: boundedInt(1, LIMITS.periods).describe("Periods of one episode."),
  /** Working hours per period (the default demand is unitsPerHour * hoursPerPeriod). */
  hoursPerPeriod: positive.default(40).describe("Working hours per period (the default demand is unitsPerHour * hoursPerPeriod)."),
  /** Periods ahead for which shortages are predicted and priority credits are valued. */
  horizon: boundedInt(1, LIMITS.periods)
    .default(3)
    .describe("Periods ahead for which shortages are predicted and priority credits are valued."),
  /** The resources hubs hold and trade. */
  resources: z.array(resourceSchema).min(1).describe("The resources hubs hold and trade."),
  /** The production hubs (at least two). */
  hubs: z.array(hubSchema).min(2).max(LIMITS.agents, `at most ${LIMITS.agents} hubs`).describe("The production hubs (at least two)."),
  /** Where supply is cut: listed events, a CSV of past events and a random generator, combined. */
  shortages: z
    .strictObject({
      /** Shortage events listed one by one. */
      events: z.array(eventSchema).default([]).describe("Shortage events listed one by one."),
      /** Random shortages drawn per episode (from the reset seed). */
      generator: generatorSchema.optional().describe("Random shortages drawn per episode (from the reset seed)."),
      /** CSV of historical events (start,duration,hubs,resource,fraction[,announced]; hubs is * or ids separated by ;), relative to the config file. */
      historyCsv: z
        .string()
        .optional()
        .describe(
          "CSV of historical events (start,duration,hubs,resource,fraction[,announced]; hubs is * or ids separated by ;), relative to the config file.",
        ),
    })
    .default({ events: [] })
    .describe("Where supply is cut: listed events, a CSV of past events and a random generator, combined."),
  /** How hubs trade. */
  mechanism: mechanismSchema.default(mechanismSchema.parse({})).describe("How hubs trade."),
  /** The outlier review gate on trades. */
  review: reviewSchema.default(reviewSchema.parse({})).describe("The outlier review gate on trades."),
  /** Shadow mode: replay, propose trades, execute none. */
  shadow: z.boolean().default(false).describe("Shadow mode: replay, propose trades, execute none."),
});

export type HubsConfigInput = z.input<typeof hubsConfigSchema>;
export type HubsConfig = z.output<typeof hubsConfigSchema>;
export type ShortageEventInput = z.output<typeof eventSchema>;
export type GeneratorConfig = z.output<typeof generatorSchema>;
export type MechanismConfig = z.output<typeof mechanismSchema>;
export type ReviewConfig = z.output<typeof reviewSchema>;

export interface ResolvedResource {
  id: string;
  kind: ResourceKind;
  unit: string;
  lot: number;
  storable: boolean;
  transferable: boolean;
  maxPricePerUnit: number;
}

export interface ResolvedProduct {
  id: string;
  marginPerUnit: number;
  delayCostPerHour: number;
  unitsPerHour: number;
  /** Delay cost of one unit short: delayCostPerHour / unitsPerHour. */
  delayPerUnit: number;
  /** Needs per unit, indexed like `resources`. */
  needs: number[];
  /** Units ordered in each period, length `periods`. */
  demand: number[];
}

export interface ResolvedHub {
  id: string;
  description: string;
  supply: number[];
  energyLimit: number;
  storageCapacity: number;
  contractualLabourHours: number;
  products: ResolvedProduct[];
}

/** A shortage with indices resolved: hub indices hit, resource index, periods [start, start + duration). */
export interface ShortageEvent {
  start: number;
  duration: number;
  hubs: number[];
  resource: number;
  fraction: number;
  announced: number;
}

export interface ResolvedHubsConfig {
  name: string;
  description: string;
  seed: number;
  periods: number;
  hoursPerPeriod: number;
  horizon: number;
  resources: ResolvedResource[];
  hubs: ResolvedHub[];
  /** Events listed in the config or read from the CSV (the generator adds more per episode). */
  events: ShortageEvent[];
  generator?: GeneratorConfig;
  mechanism: MechanismConfig;
  review: ReviewConfig;
  shadow: boolean;
  /** The validated input with defaults filled (for the manifest). */
  raw: HubsConfig;
}

/**
 * Resolve an already-parsed JSON value; `file` names it in errors; `readText` reads `shortages.historyCsv` (default:
 * the path as given, relative to the working directory; `loadHubsConfig` resolves it against the config's folder).
 */
export function resolveHubsConfig(
  input: unknown,
  file = "<config>",
  readText: (path: string) => string = (p) => readFileSync(p, "utf8"),
): ResolvedHubsConfig {
  const c = parseConfig(hubsConfigSchema, input, file);
  const issues: ConfigIssue[] = [];
  const rIndex = new Map<string, number>();
  c.resources.forEach((r, i) => {
    if (rIndex.has(r.id)) issues.push({ path: `resources[${i}].id`, message: `duplicate resource id "${r.id}"` });
    rIndex.set(r.id, i);
  });
  const hIndex = new Map<string, number>();
  c.hubs.forEach((h, i) => {
    if (hIndex.has(h.id)) issues.push({ path: `hubs[${i}].id`, message: `duplicate hub id "${h.id}"` });
    hIndex.set(h.id, i);
  });
  const byResource = (rec: Record<string, number>, path: string): number[] => {
    const out = new Array<number>(c.resources.length).fill(0);
    for (const [k, v] of Object.entries(rec)) {
      const ri = rIndex.get(k);
      if (ri === undefined)
        issues.push({ path: `${path}.${k}`, message: `unknown resource "${k}" (known: ${[...rIndex.keys()].join(", ")})` });
      else out[ri] = v;
    }
    return out;
  };
  const resources: ResolvedResource[] = c.resources.map((r) => ({
    id: r.id,
    kind: r.kind,
    unit: r.unit,
    lot: r.lot,
    storable: r.storable ?? r.kind === "components",
    transferable: r.transferable,
    maxPricePerUnit: r.maxPricePerUnit ?? Infinity,
  }));
  const hubs: ResolvedHub[] = c.hubs.map((h, hi) => {
    const supply = byResource(h.supply, `hubs[${hi}].supply`);
    const storageCapacity = h.storageCapacity ?? Infinity;
    const stored = supply.reduce((s, v, ri) => s + (resources[ri]?.storable ? v : 0), 0);
    if (stored > storageCapacity) {
      issues.push({
        path: `hubs[${hi}].storageCapacity`,
        message: `${storageCapacity} is below the hub's own supply of storable resources (${stored})`,
      });
    }
    const pIds = new Set<string>();
    const products = h.products.map((p, pi) => {
      if (pIds.has(p.id)) issues.push({ path: `hubs[${hi}].products[${pi}].id`, message: `duplicate product id "${p.id}"` });
      pIds.add(p.id);
      const needs = byResource(p.needs, `hubs[${hi}].products[${pi}].needs`);
      if (needs.every((v) => v === 0))
        issues.push({ path: `hubs[${hi}].products[${pi}].needs`, message: "a product must need at least one resource" });
      const base = p.demandPerPeriod ?? p.unitsPerHour * c.hoursPerPeriod;
      const mult = p.demandMultipliers ?? [1];
      return {
        id: p.id,
        marginPerUnit: p.marginPerUnit,
        delayCostPerHour: p.delayCostPerHour,
        unitsPerHour: p.unitsPerHour,
        delayPerUnit: p.delayCostPerHour / p.unitsPerHour,
        needs,
        demand: Array.from({ length: c.periods }, (_, t) => base * mult[t % mult.length]),
      };
    });
    return {
      id: h.id,
      description: h.description,
      supply,
      energyLimit: h.energyLimit ?? Infinity,
      storageCapacity,
      contractualLabourHours: h.contractualLabourHours ?? Infinity,
      products,
    };
  });
  const events: ShortageEvent[] = [];
  const addEvent = (e: ShortageEventInput, path: string): void => {
    const ri = rIndex.get(e.resource);
    if (ri === undefined) issues.push({ path: `${path}.resource`, message: `unknown resource "${e.resource}"` });
    let hubIdx: number[] = [];
    if (e.hubs === "*") hubIdx = hubs.map((_, i) => i);
    else
      e.hubs.forEach((id, j) => {
        const hi = hIndex.get(id);
        if (hi === undefined) issues.push({ path: `${path}.hubs[${j}]`, message: `unknown hub "${id}"` });
        else hubIdx.push(hi);
      });
    if (e.announced !== undefined && e.announced > e.start)
      issues.push({ path: `${path}.announced`, message: `announced (${e.announced}) after start (${e.start})` });
    events.push({
      start: e.start,
      duration: e.duration,
      hubs: hubIdx,
      resource: ri ?? 0,
      fraction: e.fraction,
      announced: e.announced ?? Math.max(0, e.start - c.horizon),
    });
  };
  c.shortages.events.forEach((e, i) => addEvent(e, `shortages.events[${i}]`));
  if (c.shortages.historyCsv !== undefined) {
    let text: string;
    try {
      text = readText(c.shortages.historyCsv);
    } catch (err) {
      throw new ConfigError(file, [
        { path: "shortages.historyCsv", message: `cannot read ${c.shortages.historyCsv} (${(err as NodeJS.ErrnoException).code ?? err})` },
      ]);
    }
    parseShortageCsv(text, `shortages.historyCsv(${c.shortages.historyCsv})`, issues).forEach((e, i) =>
      addEvent(e, `shortages.historyCsv[row ${i + 1}]`),
    );
  }
  const g = c.shortages.generator;
  if (g) {
    if (g.fractionMin > g.fractionMax) issues.push({ path: "shortages.generator.fractionMin", message: "must be <= fractionMax" });
    if (g.durationMin > g.durationMax) issues.push({ path: "shortages.generator.durationMin", message: "must be <= durationMax" });
    g.resources?.forEach((id, j) => {
      if (!rIndex.has(id)) issues.push({ path: `shortages.generator.resources[${j}]`, message: `unknown resource "${id}"` });
    });
  }
  for (const id of Object.keys(c.review.history)) {
    if (!rIndex.has(id)) issues.push({ path: `review.history.${id}`, message: `unknown resource "${id}"` });
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  return {
    name: c.name,
    description: c.description,
    seed: c.seed,
    periods: c.periods,
    hoursPerPeriod: c.hoursPerPeriod,
    horizon: c.horizon,
    resources,
    hubs,
    events,
    generator: g,
    mechanism: c.mechanism,
    review: c.review,
    shadow: c.shadow,
    raw: c,
  };
}

/** Read and resolve a JSON config file (historyCsv paths are relative to the file). */
/**
 * The same config with some mechanism fields replaced (e.g. `{ kind: "vcg" }`): the merged mechanism section is
 * validated by the config's own schema, so a bad field is a ConfigError at `<file> <field>`.
 */
export function withMechanism(cfg: ResolvedHubsConfig, override: unknown, file = "<mechanism>"): ResolvedHubsConfig {
  if (typeof override !== "object" || override === null || Array.isArray(override))
    throw new ConfigError(file, [{ path: "", message: 'must be an object of mechanism fields, e.g. {"kind": "vcg"}' }]);
  const mechanism = parseConfig(mechanismSchema, { ...cfg.mechanism, ...override }, file);
  return { ...cfg, mechanism, raw: { ...cfg.raw, mechanism } };
}

export function loadHubsConfig(path: string): ResolvedHubsConfig {
  const json = readJsonFile(path);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  return resolveHubsConfig(json, path, (p) => readFileSync(p.startsWith("/") ? p : `${dir}/${p}`, "utf8"));
}

/**
 * Historical shortage events as CSV: `start,duration,hubs,resource,fraction[,announced]`; `hubs` is `*` or ids
 * separated by `;`. Rows that break a rule become issues naming the row.
 */
export function parseShortageCsv(text: string, where: string, issues: ConfigIssue[]): ShortageEventInput[] {
  const rows = parseCsvRows(text);
  const out: ShortageEventInput[] = [];
  rows.forEach((row, i) => {
    const candidate = {
      start: Number(row.start),
      duration: Number(row.duration),
      hubs: row.hubs === "*" ? "*" : (row.hubs ?? "").split(";").filter((s) => s !== ""),
      resource: row.resource,
      fraction: Number(row.fraction),
      ...(row.announced !== undefined && row.announced !== "" ? { announced: Number(row.announced) } : {}),
    };
    const r = eventSchema.safeParse(candidate);
    if (!r.success) issues.push(...zodIssues(r.error.issues, [`${where}[row ${i + 1}]`]));
    else out.push(r.data);
  });
  return out;
}
