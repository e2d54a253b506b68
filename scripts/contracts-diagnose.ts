// Diagnosis of learned contracts negotiators (docs/contracts.md "Learned negotiators: why all-learned did not agree").
//
//   npx tsx scripts/contracts-diagnose.ts <experiment.json> <condition> [<models dir>]
//
// Prints, for the condition's env options (its envOptions merged over env.options):
// 1. the outcome of random policies (every learner acting uniformly in [0, 1], and as an untrained PPO policy does:
//    N(0, e^-0.5) in [-1, 1] clipped, mapped onto [0, 1]) and of the untrained greedy policy (a = 1/2 everywhere),
//    over 20,000 negotiations: the rate at which every allocated conversation agrees, any contract is signed, chain
//    efficiency and each actor's mean profit;
// 2. what every actor earns when nothing is agreed (the disagreement outcome = the learners' outside option);
// 3. with a models dir: for every saved policy of the condition, the greedy negotiation round by round (quantity
//    asked, the retailer's offer, the seller's ask, the seller's reservation) and the outcome of 500 negotiations
//    with actions sampled from the learned (stochastic) policies.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { Rng } from "../src/core/rng.js";
import { Box } from "../src/core/spaces.js";
import { AGREED, OPEN } from "../src/contracts/negotiation.js";
import { ContractEpisode, resolveContractEnvOptions } from "../src/envs/contract-negotiation.js";
import { conditionEnvOptions, resolveExperiment } from "../src/experiments/schema.js";
import { loadPolicy } from "../src/experiments/scenarios/learning.js";
import { initBackend } from "../src/rl/backend.js";
import type { LearnedPolicy } from "../src/rl/policy.js";
import { MultiAgentPolicy } from "../src/rl/policy.js";
import { rescaleBetween } from "../src/wrappers/rescale-action.js";

const [file, conditionName, models] = process.argv.slice(2);
if (!file || !conditionName) {
  console.error("usage: npx tsx scripts/contracts-diagnose.ts <experiment.json> <condition> [<models dir>]");
  process.exit(2);
}
const cfg = resolveExperiment(JSON.parse(readFileSync(file, "utf8")), file);
const condition = cfg.conditions.find((c) => c.name === conditionName);
if (!condition) {
  console.error(`${file}: no condition "${conditionName}"`);
  process.exit(2);
}
const { learned: _l, ...options } = conditionEnvOptions(cfg, condition);
const ep = new ContractEpisode(resolveContractEnvOptions(options, "ContractNegotiationParallel-v0"));
const n = ep.n;
const ids = ep.cfg.subcontractors.map((s) => s.id);
const rewards = new Float64Array(n + 1);
const f1 = (x: number) => x.toFixed(1);
const f3 = (x: number) => x.toFixed(3);

type Act = { offer: (i: number) => number; price: (i: number) => number };

/** One negotiation from reset(seed) with actions in [0, 1]; returns the outcome and the per-round lines. */
function negotiate(seed: number, act: Act, trace = false) {
  ep.reset(seed);
  const lines: string[] = [];
  let done = false;
  while (!done) {
    const e = ep.engine;
    const before = Array.from(e.status);
    const asked = Array.from(e.asked);
    for (let i = 0; i < n; i++) ep.offers[i] = ep.retailerOffer(i, act.offer(i));
    for (let i = 0; i < n; i++) ep.prices[i] = ep.subPrice(i, act.price(i));
    const round = e.round + 1;
    done = ep.play(ep.offers, ep.prices, rewards);
    if (trace) {
      const cells = ids.map((id, i) =>
        before[i] !== OPEN
          ? `${id} closed`
          : `${id} q ${asked[i].toFixed(0)} offer ${ep.offers[i].toFixed(2)} ask ${ep.prices[i].toFixed(2)} res ${e.reservation(i, asked[i]).toFixed(2)}${e.status[i] === AGREED ? " AGREED" : ""}`,
      );
      lines.push(`  round ${round}: ${cells.join(" | ")}`);
    }
  }
  return { outcome: ep.outcome!, lines };
}

function summarise(label: string, runs: number, act: (rng: Rng) => Act, seed = 7): void {
  const rng = new Rng(seed);
  let all = 0;
  let any = 0;
  let chain = 0;
  let max = 0;
  const profit = new Float64Array(n + 1);
  for (let k = 0; k < runs; k++) {
    const { outcome: o } = negotiate(k + 1, act(rng));
    if (o.agreement) all++;
    if (o.agreedQuantity > 0) any++;
    chain += o.chainProfit;
    max += o.maxChainProfit;
    profit[0] += o.retailerProfit;
    for (let i = 0; i < n; i++) profit[1 + i] += o.subcontractorProfit[i];
  }
  const subs = ids.map((id, i) => `${id} ${f1(profit[1 + i] / runs)}`).join(", ");
  console.log(
    `${label} (${runs} negotiations): every allocated conversation agrees ${f3(all / runs)}, any contract ${f3(any / runs)}, ` +
      `chain efficiency ${f3(chain / max)}; mean profit retailer ${f1(profit[0] / runs)}, ${subs}`,
  );
}

console.log(`${file}, condition ${conditionName}, actions ${ep.opts.actions}`);
const std = Math.exp(-0.5);
const ppoInit = (rng: Rng) => (Math.max(-1, Math.min(1, rng.normal() * std)) + 1) / 2;
summarise("uniform random actions", 20000, (rng) => ({ offer: () => rng.random(), price: () => rng.random() }));
summarise("untrained PPO (N(0, e^-0.5) clipped)", 20000, (rng) => ({ offer: () => ppoInit(rng), price: () => ppoInit(rng) }));
summarise("untrained greedy (a = 1/2)", 1, () => ({ offer: () => 0.5, price: () => 0.5 }));
{
  const { outcome: o } = negotiate(1, { offer: () => 0, price: () => 1 });
  console.log(
    `disagreement (offer 0, ask the most): agreed ${o.agreedQuantity}, profit retailer ${o.retailerProfit}, ` +
      `${ids.map((id, i) => `${id} ${o.subcontractorProfit[i]}`).join(", ")}; final rewards ${Array.from(rewards).join(", ")}`,
  );
}

if (models) {
  if (!existsSync(models)) {
    console.error(`${models}: no such folder`);
    process.exit(2);
  }
  await initBackend({});
  const outerO = new Box(-1, 1, [n]);
  const innerO = new Box(0, 1, [n]);
  const outer1 = new Box(-1, 1, [1]);
  const inner1 = new Box(0, 1, [1]);
  const files = readdirSync(models)
    .filter((f) => f.startsWith(`${conditionName}-`) && f.endsWith(".policy.json"))
    .sort();
  for (const f of files) {
    const saved = loadPolicy(`${models}/${f}`, 1);
    const policies: Record<string, LearnedPolicy> = saved instanceof MultiAgentPolicy ? saved.policies : { retailer: saved };
    const learned = (deterministic: boolean): Act => {
      const opts = { deterministic };
      let offers: number[] | null = null;
      return {
        offer: (i) => {
          if (!policies.retailer) return Number.NaN;
          if (i === 0) offers = rescaleBetween(policies.retailer.act(ep.retailerObservation(), opts) as number[], outerO, innerO);
          return offers![i];
        },
        price: (i) => {
          const p = policies[ids[i]];
          return p ? rescaleBetween(p.act(ep.subObservation(i), opts) as number[], outer1, inner1)[0] : Number.NaN;
        },
      };
    };
    const g = negotiate(1, learned(true), true);
    const o = g.outcome;
    console.log(
      `${f}: greedy: every allocated conversation agrees ${o.agreement}, chain profit ${f1(o.chainProfit)} of ${f1(o.maxChainProfit)}, ` +
        `retailer ${f1(o.retailerProfit)}, ${ids.map((id, i) => `${id} ${f1(o.subcontractorProfit[i])}`).join(", ")}`,
    );
    console.log(g.lines.join("\n"));
    summarise(`  ${f}: sampled from the learned policies`, 500, () => learned(false));
  }
}
