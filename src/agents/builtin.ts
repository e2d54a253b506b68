import { z } from "zod";
import { Box } from "../core/spaces.js";
import { ConfigError } from "../io/errors.js";
import type { Policy } from "../core/types.js";
import { registerStrategy, type StrategyContext } from "./registry.js";

/**
 * The built-in strategies. They act in the environment's own action space for the agent:
 *
 * - MarketBidding-v0 / MarketBiddingParallel-v0 (seed 002): per good of the agent's layer a demand scale in [0, 2]
 *   (1 = the analytic, truthful demand), then per good a withheld fraction of output in [0, 1], then (with
 *   inventory) per good a released fraction of stock in [0, 1].
 * - HubTrading-v0 (seed 000): per resource a bid scale and an ask scale in [0, 2] on the hub's true values (1 = truthful).
 *
 * `truthful` is what every agent that is neither learned nor given a strategy plays. The scenarios keep the
 * simulators' fast analytic paths for it (the analytic agent inside the env), and a test checks that the
 * registered policy acting through the env gives bit-identical results.
 */
export const MARKET_ENVS = ["MarketBidding-v0", "MarketBiddingParallel-v0"] as const;
export const HUB_ENVS = ["HubTrading-v0"] as const;

function box(ctx: StrategyContext, name: string): Box {
  if (!(ctx.actionSpace instanceof Box))
    throw new TypeError(`strategy "${name}" needs a Box action space for ${ctx.agent} in ${ctx.envId}`);
  return ctx.actionSpace;
}

/** Goods per layer of a market agent's action space: its demand-scale entries are those with upper bound 2. */
function marketGoods(space: Box): number {
  let g = 0;
  while (g < space.size && space.high[g] === 2) g++;
  return g;
}

/** A constant action (a fresh copy per call, so that an env may keep or change what it receives). */
function constant(action: readonly number[]): Policy<unknown, number[]> {
  return { act: () => [...action] };
}

/** The truthful action of an agent: market demand scale 1 and nothing withheld or released; hubs scales 1. */
export function truthfulAction(ctx: Pick<StrategyContext, "actionSpace" | "envId" | "agent">): number[] {
  const space = box(ctx as StrategyContext, "truthful");
  if ((HUB_ENVS as readonly string[]).includes(ctx.envId)) return new Array<number>(space.size).fill(1);
  const g = marketGoods(space);
  return Array.from({ length: space.size }, (_, k) => (k < g ? 1 : 0));
}

registerStrategy("truthful", (ctx) => constant(truthfulAction(ctx)), {
  description:
    "the analytic agent: a producer bids its profit-maximising demand and offers all its output (seed 002); a hub states its true values (seed 000)",
  envs: [...MARKET_ENVS, ...HUB_ENVS],
});

const perGood = (what: string, min: number, max: number) =>
  z.union(
    [
      z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`),
      z.array(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`)).min(1, "needs one value per good"),
    ],
    {
      error: `must be a number in [${min}, ${max}] or a list of them, one per good (${what})`,
    },
  );

export const scaledOptionsSchema = z.strictObject({
  /** Multiple of the analytic demand per good (the budget is re-solved), in [0, 2]; a number or one per good (default 1 = truthful). */
  demandScale: perGood("1 = truthful demand", 0, 2)
    .default(1)
    .describe(
      "Multiple of the analytic demand per good (the budget is re-solved), in [0, 2]; a number or one per good (default 1 = truthful).",
    ),
  /** Withheld fraction of output per good (destroyed, or stored with inventory), in [0, 1]; a number or one per good (default 0). */
  withhold: perGood("0 = offer all output", 0, 1)
    .default(0)
    .describe(
      "Withheld fraction of output per good (destroyed, or stored with inventory), in [0, 1]; a number or one per good (default 0).",
    ),
  /** Released fraction of stock per good, in [0, 1] (inventory only; default 0). */
  release: perGood("0 = keep the stock", 0, 1)
    .default(0)
    .describe("Released fraction of stock per good, in [0, 1] (inventory only; default 0)."),
});
export type ScaledOptions = z.infer<typeof scaledOptionsSchema>;

registerStrategy(
  "scaled",
  (ctx) => {
    const space = box(ctx, "scaled");
    const g = marketGoods(space);
    const o = ctx.options as ScaledOptions;
    const parts = space.size / g;
    const expand = (v: number | number[], field: string): number[] => {
      if (typeof v === "number") return new Array<number>(g).fill(v);
      if (v.length !== g)
        throw new ConfigError("scaled options", [
          { path: field, message: `${v.length} values for ${g} goods (agent ${ctx.agent} trades ${g} goods per layer)` },
        ]);
      return [...v];
    };
    const action = [...expand(o.demandScale, "demandScale"), ...expand(o.withhold, "withhold")];
    if (parts === 3) action.push(...expand(o.release, "release"));
    else if (o.release !== 0 && !(Array.isArray(o.release) && o.release.every((x) => x === 0)))
      throw new ConfigError("scaled options", [
        { path: "release", message: "the env has no inventory (set env.options.inventory to store and release output)" },
      ]);
    return constant(action);
  },
  {
    description:
      "a market producer that bids a fixed multiple of its truthful demand and withholds a fixed fraction of its output every period (e.g. demandScale 0.8: always bid 80% of truthful demand)",
    options: scaledOptionsSchema,
    envs: [...MARKET_ENVS],
  },
);
