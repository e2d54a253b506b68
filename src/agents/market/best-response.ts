import { z } from "zod";
import type { Policy } from "../../core/types.js";
import { truthfulAction } from "../builtin.js";
import { registerStrategy } from "../registry.js";

/**
 * The strategy `best-response` for market producers (MODEL.md "Strategic bidding"; docs/market-benchmarks.md):
 * every period the agent picks its bid (demand scale and withheld fraction per good, within its action space) to
 * maximise its own profit of that period given the other agents' bids of that period, by bounded compass search
 * with multi-start over the project's own market model (market/best-bid.ts), warm-started from its last answer.
 *
 * How it sees the others' bids: the strategy registers the agent as a *responder* on the environment's engine
 * (`MarketBiddingCore.setResponder`, reached through the unwrapped env the scenario passes as `ctx.env`); the
 * engine then chooses the responder's bid inside each period after every other agent has committed its own, and
 * ignores the action the policy returns. When several agents respond, the engine iterates their best responses to
 * a fixed point (or a cap): the static Nash equilibrium of the period's bidding game.
 */
export const bestResponseOptionsSchema = z.strictObject({
  /** What the agent knows of this period's outside demand: its forecaster's point forecast, or the true draw (an upper bound). */
  demand: z.enum(["forecast", "oracle"]).default("forecast"),
  /** The optimiser (market/optimize.ts); compass search with multi-start is the one there is. */
  optimizer: z.enum(["pattern"]).default("pattern"),
  /** Profit evaluations (equilibrium solves) per decision, over all starts. */
  budget: z.int().min(10).default(200),
  /** Starts of the search: the last answer, then random points of the action space. */
  starts: z.int().min(1).default(2),
  /** With several responders: cap on best-response rounds per period, and the fixed-point tolerance (bid units). */
  maxRounds: z.int().min(1).default(20).describe("Several responders: cap on best-response rounds per period (default 20)."),
  tolerance: z
    .number()
    .positive()
    .default(1e-3)
    .describe("Several responders: a round moving no bid by more than this is a fixed point (default 1e-3)."),
});

export type BestResponseOptions = z.output<typeof bestResponseOptionsSchema>;

/**
 * What the strategy needs of the env's engine (`MarketBiddingCore` in src/envs, described structurally: the agents
 * layer imports only core and io). `ResponderSpec` mirrors the engine's own type of that name.
 */
export interface ResponderSpec {
  demand: "forecast" | "oracle";
  search: { budget?: number; starts?: number; seed?: number };
  maxRounds?: number;
  tolerance?: number;
}

interface ResponderHost {
  readonly market: { readonly names: readonly string[] };
  readonly G: number;
  setResponder(i: number, spec: ResponderSpec | null): void;
}

interface Ctx {
  agent: string;
  envId: string;
  actionSpace: unknown;
  options: Record<string, unknown>;
  seed: number;
  env?: unknown;
}

/** The market engine behind an env instance, or undefined when the env is not a market-bidding env. */
export function marketCoreOf(env: unknown): ResponderHost | undefined {
  const core = (env as { core?: unknown } | undefined)?.core as ResponderHost | undefined;
  return core && typeof core.setResponder === "function" ? core : undefined;
}

/** The responder spec of a set of options. */
export function responderSpec(o: BestResponseOptions, seed: number): ResponderSpec {
  return { demand: o.demand, search: { budget: o.budget, starts: o.starts, seed }, maxRounds: o.maxRounds, tolerance: o.tolerance };
}

/** Strategy factory: registers the agent as a responder and returns a policy whose action the engine replaces. */
export function bestResponse(ctx: Ctx): Policy<unknown, number[]> {
  const core = marketCoreOf(ctx.env);
  if (!core)
    throw new Error(
      `best-response (${ctx.agent}): needs the market-bidding env instance (ctx.env); the scenario gave ${ctx.env === undefined ? "none" : "another env"}`,
    );
  const i = core.market.names.indexOf(ctx.agent);
  if (i < 0) throw new Error(`best-response: no agent "${ctx.agent}" in the market; it has ${core.market.names.join(", ")}`);
  const o = bestResponseOptionsSchema.parse(ctx.options);
  core.setResponder(i, responderSpec(o, ctx.seed));
  // A placeholder inside the action space (the truthful bid); the engine decides the bid.
  const placeholder = truthfulAction(ctx as Parameters<typeof truthfulAction>[0]);
  return { act: () => placeholder.slice() };
}

registerStrategy("best-response", bestResponse as never, {
  description:
    "a market producer that bids, each period after the others, the demand scales and withheld fractions maximising its own profit of the period given their bids (compass search on the market model); several such agents iterate to the bidding game's Nash equilibrium",
  options: bestResponseOptionsSchema as never,
  envs: ["MarketBiddingParallel-v0"],
});
