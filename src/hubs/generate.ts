import { Rng } from "../core/rng.js";
import { resolveHubsConfig, type HubsConfigInput, type ResolvedHubsConfig } from "./config.js";

/**
 * A random but reproducible hubs scenario: `hubs` hubs, four resources (chips, labour, machine, energy), one
 * product per hub with margin, delay cost and needs drawn from wide ranges, allocations within +-30% of need,
 * hard limits 20-50% above need, and a shortage generator. Used by HubTrading-v0's default and the benchmark.
 */
export interface RandomHubsOptions {
  hubs: number;
  periods: number;
  seed: number;
  /** Probability per period of a new shortage. */
  shortageRate: number;
}

export const RANDOM_HUBS_DEFAULTS: RandomHubsOptions = { hubs: 4, periods: 12, seed: 0, shortageRate: 0.3 };

export function randomHubsInput(options: Partial<RandomHubsOptions> = {}): HubsConfigInput {
  const o = { ...RANDOM_HUBS_DEFAULTS, ...options };
  if (!Number.isInteger(o.hubs) || o.hubs < 2) throw new RangeError(`randomHubsInput: hubs must be an integer >= 2, got ${o.hubs}`);
  if (!Number.isInteger(o.periods) || o.periods < 1)
    throw new RangeError(`randomHubsInput: periods must be a positive integer, got ${o.periods}`);
  const rng = new Rng(`random-hubs/${o.seed}`);
  const hours = 40;
  const hubs = Array.from({ length: o.hubs }, (_, i) => {
    const unitsPerHour = Math.round(rng.uniform(1, 100));
    const needs = {
      chips: Math.round(rng.uniform(1, 5)),
      labour: rng.uniform(0.02, 1),
      machine: rng.uniform(0.01, 0.5),
      energy: rng.uniform(0.001, 0.05),
    };
    const demand = unitsPerHour * hours;
    const alloc = (k: keyof typeof needs) => Math.round(demand * needs[k] * rng.uniform(0.7, 1.3) * 100) / 100;
    const supply = { chips: alloc("chips"), labour: alloc("labour"), machine: alloc("machine"), energy: alloc("energy") };
    return {
      id: `H${i}`,
      supply,
      energyLimit: Math.round(demand * needs.energy * rng.uniform(1.2, 1.5) * 100) / 100,
      storageCapacity: Math.round(supply.chips * rng.uniform(1.2, 1.5)),
      contractualLabourHours: Math.round(demand * needs.labour * rng.uniform(1.2, 1.5)),
      products: [
        {
          id: `p${i}`,
          marginPerUnit: Math.round(rng.uniform(5, 500)),
          delayCostPerHour: Math.round(rng.uniform(1000, 50000)),
          unitsPerHour,
          needs,
        },
      ],
    };
  });
  return {
    name: `random-hubs-${o.hubs}`,
    seed: o.seed,
    periods: o.periods,
    hoursPerPeriod: hours,
    horizon: 3,
    resources: [
      { id: "chips", kind: "components", lot: 20 },
      { id: "labour", kind: "labour", lot: 10 },
      { id: "machine", kind: "machine", lot: 5 },
      { id: "energy", kind: "energy", lot: 0.5 },
    ],
    hubs,
    shortages: {
      events: [],
      generator: { rate: o.shortageRate, fractionMin: 0.2, fractionMax: 0.6, durationMin: 1, durationMax: 3, companyWide: 0.3 },
    },
    mechanism: { kind: "both", payment: "priority-or-money" },
  };
}

export function randomHubsConfig(options: Partial<RandomHubsOptions> = {}): ResolvedHubsConfig {
  return resolveHubsConfig(randomHubsInput(options), `random-hubs(${JSON.stringify(options)})`);
}
