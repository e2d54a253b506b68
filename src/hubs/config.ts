import { boundedInt, boundedNumber, LIMITS } from "../io/limits.js";
import { pathNameSchema } from "../io/names.js";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseCsv as parseCsvRows } from "../io/csv.js";
import { parseConfig, readJsonFile } from "../io/config.js";
import { ConfigError, formatPath, type ConfigIssue } from "../io/errors.js";

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
  id: ident,
  kind: z.enum(RESOURCE_KINDS),
  unit: z.string().default("unit"),
  /** Size of one traded lot (auctions and bilateral offers move whole lots). */
  lot: positive,
  /** Counts against the hub's storage capacity (default: true for components). */
  storable: z.boolean().optional(),
  /** May move between hubs (default true). */
  transferable: z.boolean().default(true),
  /** Maximum price per unit an agent may agree to (negotiation limit); default: no cap. */
  maxPricePerUnit: positive.optional(),
});

const productSchema = z.strictObject({
  id: ident,
  marginPerUnit: nonneg,
  delayCostPerHour: nonneg,
  /** Production rate at full speed; a shortfall of u units is u / unitsPerHour hours of delay. */
  unitsPerHour: positive,
  /** Resource needs per unit produced, by resource id (missing = 0). */
  needs: z.record(z.string(), nonneg),
  /** Units ordered per period; default unitsPerHour * hoursPerPeriod. */
  demandPerPeriod: nonneg.optional(),
  /** Multiplier of demand per period (cycled when shorter than the episode). */
  demandMultipliers: z.array(nonneg).min(1).optional(),
});

const hubSchema = z.strictObject({
  id: ident,
  description: z.string().default(""),
  /** Allocation of each resource per period before shortages, by resource id (missing = 0). */
  supply: z.record(z.string(), nonneg),
  /** Hard constraint: total energy used per period (all energy-kind resources). Default: no limit. */
  energyLimit: nonneg.optional(),
  /** Hard constraint: units of storable resources held per period. Default: no limit. */
  storageCapacity: nonneg.optional(),
  /** Hard constraint: labour hours used per period under contract. Default: no limit. */
  contractualLabourHours: nonneg.optional(),
  products: z.array(productSchema).min(1),
});

const eventSchema = z.strictObject({
  start: z.number().int().nonnegative(),
  duration: z.number().int().positive(),
  /** Hub ids hit, or "*" for all. */
  hubs: z.union([z.literal("*"), z.array(ident).min(1)]),
  resource: ident,
  /** Fraction of supply cut, in (0, 1]. */
  fraction: z.number().gt(0).lte(1),
  /** Period from which the event is known (forecastable); default max(0, start - horizon). */
  announced: z.number().int().nonnegative().optional(),
});

const generatorSchema = z.strictObject({
  /** Probability per period that a new shortage starts. */
  rate: z.number().min(0).max(1),
  fractionMin: z.number().gt(0).lte(1).default(0.2),
  fractionMax: z.number().gt(0).lte(1).default(0.6),
  durationMin: z.number().int().positive().default(1),
  durationMax: z.number().int().positive().default(3),
  /** Resources a generated shortage may hit (default: all). */
  resources: z.array(ident).optional(),
  /** Probability a generated event hits every hub instead of one. */
  companyWide: z.number().min(0).max(1).default(0.3),
  /** Periods between announcement and start (default: the horizon). */
  leadTime: z.number().int().nonnegative().optional(),
});

const mechanismSchema = z.strictObject({
  /**
   * Which mechanisms run each trading round: "vcg" (one truthful VCG auction per resource, docs/hubs.md),
   * "bilateral" (negotiation; manipulable), "both" (VCG, then bilateral deals among the hubs that did not trade),
   * "sequential-second-price" (one second-price auction per lot in turn: manipulable, kept for comparison).
   */
  kind: z
    .enum(MECHANISM_KINDS, {
      error: (iss) =>
        iss.input === "vickrey"
          ? '"vickrey" was the sequential per-lot auction, which is not truthful: use "vcg" (truthful) or "sequential-second-price" (the old rule)'
          : `must be one of ${MECHANISM_KINDS.map((k) => `"${k}"`).join(", ")}`,
    })
    .default("both"),
  /** VCG: most lots of a resource one hub may buy, or sell, in one auction. */
  lotsPerAuction: z.number().int().min(1).max(50).default(10),
  /** How bilateral deals pay: money, future priority on another resource, or priority when possible else money. */
  payment: z.enum(["money", "priority", "priority-or-money"]).default("priority-or-money"),
  /** Negotiation limit: alternating concession steps before a bilateral negotiation fails. */
  timeToConclude: z.number().int().min(1).default(5),
  /** Trading rounds per period (each hub trades at most once per round). */
  maxRounds: z.number().int().min(1).default(10),
  /** What happens when a value-creating deal finds no agreement (see docs/hubs.md). */
  escalation: z.enum(["review", "planner", "drop"]).default("review"),
  /** Periods after issue during which a priority credit may be redeemed. */
  creditWindow: z.number().int().min(1).default(4),
  /** Money per unit the issuer pays the holder for any credit still unredeemed at expiry. */
  creditFallbackPrice: nonneg.default(0),
});

const reviewSchema = z.strictObject({
  /** Trades whose unit price or quantity is more than k standard deviations from the norm wait for review. */
  k: positive.default(3),
  /** Executed trades on a resource needed before the rule applies. */
  minHistory: z.number().int().min(2).default(5),
  /** Policy for trades nobody reviews in simulation. */
  unreviewed: z.union([z.literal("hold"), z.strictObject({ rejectAfter: z.number().int().min(1) })]).default({ rejectAfter: 2 }),
  /** Historical norm to start from: per resource id, past trades' unit prices and quantities. */
  history: z.record(z.string(), z.strictObject({ prices: z.array(nonneg), quantities: z.array(nonneg) })).default({}),
});

export const hubsConfigSchema = z.strictObject({
  name: ident,
  description: z.string().default(""),
  seed: z.number().int().default(0),
  periods: boundedInt(1, LIMITS.periods),
  hoursPerPeriod: positive.default(40),
  /** Periods ahead for which shortages are predicted and priority credits are valued. */
  horizon: z.number().int().min(1).default(3),
  resources: z.array(resourceSchema).min(1),
  hubs: z.array(hubSchema).min(2).max(LIMITS.agents, `at most ${LIMITS.agents} hubs`),
  shortages: z
    .strictObject({
      events: z.array(eventSchema).default([]),
      generator: generatorSchema.optional(),
      /** CSV of historical events (start,duration,hubs,resource,fraction[,announced]), relative to the config file. */
      historyCsv: z.string().optional(),
    })
    .default({ events: [] }),
  mechanism: mechanismSchema.default(mechanismSchema.parse({})),
  review: reviewSchema.default(reviewSchema.parse({})),
  /** Shadow mode: replay, propose trades, execute none. */
  shadow: z.boolean().default(false),
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
    if (!r.success)
      for (const iss of r.error.issues)
        issues.push({ path: `${where}[row ${i + 1}].${formatPath(iss.path as PropertyKey[])}`, message: iss.message });
    else out.push(r.data);
  });
  return out;
}
