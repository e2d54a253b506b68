// Market solver speed and memory: results/bench/market.json (issue 2's figures).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Rng } from "../src/core/rng.js";
import { EquilibriumSolver, compileMarket, paperMarket, randomMarket, tatonnement } from "../src/market/index.js";
import { peakRssMiB, timeMicros, writeBench } from "./bench-util.js";

// Child mode: cold-solve one generated market and report time and this process's peak memory.
const sizeArg = process.argv.indexOf("--agents-per-group");
if (sizeArg > 0) {
  const perGroup = Number(process.argv[sizeArg + 1]);
  const spec = randomMarket(new Rng(2026), { groups: 2, agentsPerGroup: perGroup, goods: 30 });
  const market = compileMarket(spec);
  const baseline = peakRssMiB();
  const t0 = performance.now();
  const solver = new EquilibriumSolver(market);
  const eq = solver.solve();
  const ms = performance.now() - t0;
  // Second cold solve in the same process (JIT warm): what an environment's first period costs.
  solver.resetStart();
  const t1 = performance.now();
  solver.solve();
  const msJit = performance.now() - t1;
  console.log(JSON.stringify({ agents: market.nAgents, markets: market.nMarkets, cold_solve_ms_first: ms, cold_solve_ms: msJit, newton_iterations: eq.iterations, residual: eq.residual, peak_rss_mib: peakRssMiB(), rss_before_solve_mib: baseline }));
  process.exit(0);
}

const market = compileMarket(paperMarket);
const solver = new EquilibriumSolver(market);
const rng = new Rng(1);
const alphas = Array.from({ length: 4096 }, () => [0, 1, 2].map(() => 100 * Math.exp(rng.normal(0, 0.1))));
let k = 0;
const warmUs = timeMicros(() => {
  solver.solve({ demandAlpha: alphas[k++ & 4095] });
}, 20000);
let iters = 0;
let n = 0;
for (const a of alphas) {
  iters += solver.solve({ demandAlpha: a }).iterations;
  n++;
}
const coldUs = timeMicros(() => {
  solver.resetStart();
  solver.solve({ demandAlpha: alphas[k++ & 4095] });
}, 5000);
const tat = tatonnement(market);
const tatUs = timeMicros(() => void tatonnement(market, {}, { traceEvery: 1_000_000 }), 200);

const here = fileURLToPath(import.meta.url);
const child = (perGroup: number) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", here, "--agents-per-group", String(perGroup)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
};
const m300 = child(150);
const m3000 = child(1500);

writeBench("market", {
  paper_market: {
    warm_resolve_us: warmUs,
    warm_resolve_newton_iterations_mean: iters / n,
    cold_solve_us: coldUs,
    note: "warm: re-solve after the outside demand scale of each final good moves by a lognormal factor (sd 0.1), starting from the previous prices; cold: from every price = 1",
    targets: { warm_resolve_us: 50, cold_solve_us: 500 },
  },
  tatonnement_paper_market: { iterations: tat.equilibrium.iterations, time_us: tatUs, rule: "ln p += 0.5 (D - S) / (D + S); stop at relative excess demand 1e-11" },
  generated_300_agents: { ...m300, layout: "2 groups x 150 agents x 30 goods", target_ms: 50 },
  generated_3000_agents: { ...m3000, layout: "2 groups x 1500 agents x 30 goods", target_ms: 1000 },
});
