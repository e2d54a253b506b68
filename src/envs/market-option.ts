import { Rng } from "../core/rng.js";
import { randomMarket } from "../market/generate.js";
import { paperMarket } from "../market/paper.js";
import { MarketSpecError } from "../market/errors.js";

/**
 * The `market` option of the market envs and the market scenario: a MarketSpec, absent (the paper's market), or
 * `{ "generate": { groups, agentsPerGroup, goods, seed } }`, a random valid market drawn by src/market/generate.ts
 * with the project's seeded Rng (the same seed gives the same market): how a 300-producer market is written in an
 * experiment file without listing 300 x 30 coefficients.
 */
export function resolveMarketOption(market: unknown): unknown {
  if (market === undefined) return paperMarket;
  if (typeof market !== "object" || market === null || !("generate" in market)) return market;
  const g = (market as { generate: unknown }).generate as Record<string, unknown>;
  const extra = Object.keys(market).filter((k) => k !== "generate");
  if (extra.length > 0) throw new MarketSpecError(extra[0], "unknown field next to generate");
  if (typeof g !== "object" || g === null) throw new MarketSpecError("generate", "must be { groups, agentsPerGroup, goods, seed }");
  for (const k of ["groups", "agentsPerGroup", "goods"]) {
    const v = g[k];
    if (!Number.isInteger(v) || (v as number) < 1) throw new MarketSpecError(`generate.${k}`, "must be a positive integer");
  }
  const seed = g.seed ?? 0;
  if (!Number.isInteger(seed)) throw new MarketSpecError("generate.seed", "must be an integer");
  const unknown = Object.keys(g).filter((k) => !["groups", "agentsPerGroup", "goods", "seed"].includes(k));
  if (unknown.length > 0)
    throw new MarketSpecError(`generate.${unknown[0]}`, "unknown field; expected groups, agentsPerGroup, goods, seed");
  return randomMarket(new Rng(seed as number), {
    groups: g.groups as number,
    agentsPerGroup: g.agentsPerGroup as number,
    goods: g.goods as number,
  });
}
