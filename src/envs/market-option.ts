import { z } from "zod";
import { Rng } from "../core/rng.js";
import { zodIssues } from "../io/errors.js";
import { boundedInt, LIMITS } from "../io/limits.js";
import { MarketSpecError } from "../market/errors.js";
import { randomMarket } from "../market/generate.js";
import { paperMarket } from "../market/paper.js";

/** The `{ "generate": { ... } }` form of the `market` option: a random valid market drawn from a seed. */
export const generatedMarketSchema = z.strictObject({
  /** Draw a random valid market (src/market/generate.ts) instead of listing its coefficients. */
  generate: z
    .strictObject({
      /** Agent groups (layers of producers). */
      groups: boundedInt(1, LIMITS.agents).describe("Agent groups (layers of producers)."),
      /** Producers per group. */
      agentsPerGroup: boundedInt(1, LIMITS.agents).describe("Producers per group."),
      /** Goods per market layer. */
      goods: boundedInt(1, LIMITS.agents).describe("Goods per market layer."),
      /** Seed of the project's Rng that draws the coefficients (same seed, same market). */
      seed: z
        .number()
        .int("must be an integer")
        .default(0)
        .describe("Seed of the project's Rng that draws the coefficients (same seed, same market)."),
    })
    .describe("Draw a random valid market (src/market/generate.ts) instead of listing its coefficients."),
});

/**
 * The `market` option of the market envs and the market scenario: a MarketSpec, absent (the paper's market), or
 * `{ "generate": { groups, agentsPerGroup, goods, seed } }`, a random valid market drawn by src/market/generate.ts
 * with the project's seeded Rng (the same seed gives the same market): how a 300-producer market is written in an
 * experiment file without listing 300 x 30 coefficients. A bad `generate` throws MarketSpecError naming its path.
 */
export function resolveMarketOption(market: unknown): unknown {
  if (market === undefined) return paperMarket;
  if (typeof market !== "object" || market === null || !("generate" in market)) return market;
  const parsed = generatedMarketSchema.safeParse(market);
  if (!parsed.success) throw new MarketSpecError(zodIssues(parsed.error.issues));
  const g = parsed.data.generate;
  return randomMarket(new Rng(g.seed), { groups: g.groups, agentsPerGroup: g.agentsPerGroup, goods: g.goods });
}
