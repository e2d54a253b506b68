// Complete contract negotiations per second (analytic agents, with checkQuantityEfficiency()), with 3
// subcontractors (the paper setting) and with 300 (a generated valid instance). A negotiation = reset, all rounds
// with the message log kept, and the outcome record (settle). Also reported: without the log / outcome.
import { generateConfig } from "../src/contracts/generate.js";
import { NegotiationEngine } from "../src/contracts/negotiation.js";
import { dealsFromEngine, settle } from "../src/contracts/outcome.js";
import { PAPER_CONFIG } from "../src/contracts/paper.js";
import type { NegotiationConfig } from "../src/contracts/config.js";
import { peakRssMiB, timeMicros, writeBench } from "./bench-util.js";

let sink = 0;

function measure(cfg: NegotiationConfig, reps: number) {
  const withLog = new NegotiationEngine(cfg, { log: true });
  const noLog = new NegotiationEngine(cfg, { log: false });
  const full = timeMicros(() => {
    withLog.reset();
    withLog.run();
    sink += settle(cfg, dealsFromEngine(withLog), cfg.retailer.demand).chainProfit;
  }, reps);
  const engineOnly = timeMicros(() => {
    noLog.reset();
    noLog.run();
    sink += noLog.round;
  }, reps);
  withLog.reset();
  withLog.run();
  return {
    subcontractors: cfg.subcontractors.length,
    negotiations_per_s: Math.round(1e6 / full),
    us_per_negotiation: Math.round(full * 100) / 100,
    engine_only_negotiations_per_s: Math.round(1e6 / engineOnly),
    rounds: withLog.round,
    messages: withLog.log.length,
  };
}

const three = measure(PAPER_CONFIG, 20000);
const big = measure(generateConfig(1, { n: 300 }), 100);
const figures = {
  three_subcontractors: three,
  three_hundred_subcontractors: big,
  targets: { three_per_s: 10000, three_hundred_per_s: 20 },
  meets_targets: three.negotiations_per_s >= 10000 && big.negotiations_per_s >= 20,
  peak_rss_mib: peakRssMiB(),
};
console.log(JSON.stringify(figures, null, 2));
writeBench("contracts", figures);
if (!Number.isFinite(sink)) console.log(sink); // keeps the measured work observable
