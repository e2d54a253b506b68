import { Rng, deriveSeed } from "../core/rng.js";
import type { NegotiationConfig } from "./config.js";
import { drawDemand } from "./demand.js";
import { generateConfig, type GenerateOptions } from "./generate.js";
import { MessageLog } from "./messages.js";
import { NegotiationEngine } from "./negotiation.js";
import { dealsFromEngine, settle, type NegotiationOutcome } from "./outcome.js";

export type AnalyticCondition = "analytic-no-check" | "analytic-check";

export interface RunOptions {
  /** Number of seeded negotiations. */
  episodes: number;
  /** Base seed; negotiation k uses deriveSeed(seed, "contracts", k) for its demand draw (and instance when generated). */
  seed: number;
  /** Overrides cfg.negotiation.check: "analytic-check" runs checkQuantityEfficiency(), "analytic-no-check" does not. */
  condition?: AnalyticCondition;
  /** Keep each negotiation's message log (copies) in the result. */
  keepLogs?: boolean;
  /** Draw a fresh instance per negotiation with generateConfig(episodeSeed, generate) instead of using cfg's. */
  generate?: GenerateOptions;
}

export interface RunResult {
  outcomes: NegotiationOutcome[];
  logs: MessageLog[];
  /** The configs negotiated (one, or one per negotiation when generated). */
  configs: NegotiationConfig[];
}

/**
 * Run N seeded negotiations of the analytic agents under one condition and return their outcome records: the
 * function the experiment runner calls for the analytic conditions. Same options -> same outcomes.
 */
export function runNegotiations(cfg: NegotiationConfig, opts: RunOptions): RunResult {
  const check = opts.condition === undefined ? cfg.negotiation.check : opts.condition === "analytic-check";
  const condition = check ? "analytic-check" : "analytic-no-check";
  const withCheck = (c: NegotiationConfig): NegotiationConfig =>
    c.negotiation.check === check ? c : { ...c, negotiation: { ...c.negotiation, check } };
  let current = withCheck(cfg);
  const engine = new NegotiationEngine(current, { log: opts.keepLogs ?? false });
  const outcomes: NegotiationOutcome[] = [];
  const logs: MessageLog[] = [];
  const configs: NegotiationConfig[] = opts.generate ? [] : [current];
  for (let k = 0; k < opts.episodes; k++) {
    const seed = deriveSeed(opts.seed, "contracts", k);
    if (opts.generate) {
      const generated = generateConfig(seed, {
        ...opts.generate,
        negotiation: { ...cfg.negotiation, ...opts.generate.negotiation, check },
      });
      current = withCheck({ ...generated, demand: cfg.demand });
      engine.load(current);
      configs.push(current);
    }
    const forecast = current.retailer.demand;
    const demand = current.demand.type === "fixed" ? forecast : drawDemand(current.demand, forecast, new Rng(seed));
    engine.reset(forecast, check);
    engine.run();
    outcomes.push(settle(current, dealsFromEngine(engine), demand, { negotiation: k, seed, condition }));
    if (opts.keepLogs) logs.push(engine.log.clone());
  }
  return { outcomes, logs, configs };
}
