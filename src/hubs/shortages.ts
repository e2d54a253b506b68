import type { Rng } from "../core/rng.js";
import type { ResolvedHubsConfig, ShortageEvent } from "./config.js";

/**
 * Shortage events: a resource's supply at some hubs cut by a fraction for a number of periods. Overlapping
 * events on the same hub and resource compound: supply * (1 - f1) * (1 - f2).
 */

/** The config's events plus, when a generator is configured, events drawn from `rng` (one draw per period). */
export function episodeEvents(cfg: ResolvedHubsConfig, rng: Rng): ShortageEvent[] {
  const events = cfg.events.map((e) => ({ ...e, hubs: [...e.hubs] }));
  const g = cfg.generator;
  if (!g) return events;
  const pool = g.resources ? g.resources.map((id) => cfg.resources.findIndex((r) => r.id === id)) : cfg.resources.map((_, i) => i);
  const lead = g.leadTime ?? cfg.horizon;
  for (let t = 0; t < cfg.periods; t++) {
    if (!rng.bernoulli(g.rate)) continue;
    const resource = rng.choice(pool);
    const hubs = rng.bernoulli(g.companyWide) ? cfg.hubs.map((_, i) => i) : [rng.int(cfg.hubs.length)];
    const fraction = rng.uniform(g.fractionMin, g.fractionMax);
    const duration = g.durationMin + rng.int(g.durationMax - g.durationMin + 1);
    events.push({ start: t, duration, hubs, resource, fraction, announced: Math.max(0, t - lead) });
  }
  return events;
}

/**
 * Supply of every hub and resource in `period`, [hub][resource]. With `knownAt`, only events announced by then
 * count (the forecast a hub can make at period `knownAt`).
 */
export function supplyAt(cfg: ResolvedHubsConfig, events: readonly ShortageEvent[], period: number, knownAt = Infinity): number[][] {
  const s = cfg.hubs.map((h) => [...h.supply]);
  for (const e of events) {
    if (e.announced > knownAt || period < e.start || period >= e.start + e.duration) continue;
    for (const h of e.hubs) s[h][e.resource] *= 1 - e.fraction;
  }
  return s;
}

/** Fraction of resource r's supply at hub h cut in `period` by events announced by `knownAt` (0 = none). */
export function predictedCut(
  cfg: ResolvedHubsConfig,
  events: readonly ShortageEvent[],
  h: number,
  r: number,
  period: number,
  knownAt: number,
): number {
  let keep = 1;
  for (const e of events) {
    if (e.resource !== r || e.announced > knownAt || period < e.start || period >= e.start + e.duration || !e.hubs.includes(h)) continue;
    keep *= 1 - e.fraction;
  }
  return 1 - keep;
}
