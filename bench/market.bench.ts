// Market solver speed and memory: results/bench/market.json (issue 2's figures; issue 15's warm-start step times
// of the 300- and 3,000-agent markets, today's solver against the one before issue 15, in the same run).
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Rng } from "../src/core/rng.js";
import { EquilibriumSolver, compileMarket, paperMarket, randomMarket, tatonnement } from "../src/market/index.js";
import { LegacyEquilibriumSolver } from "../src/market/legacy-solver.js";
import { peakRssMiB, timeMicros, writeBench } from "./bench-util.js";

// Child mode: warm-started periods of a generated market (2 groups x N agents x 30 goods). Each period moves the
// outside demand of every final good by a lognormal factor (sd 0.1) and one agent's demand scales, as a
// MarketBidding step does, and clears from the previous period's prices.
const warmArg = process.argv.indexOf("--warm");
if (warmArg > 0) {
  const perGroup = Number(process.argv[warmArg + 1]);
  const which = process.argv[warmArg + 2];
  const market = compileMarket(randomMarket(new Rng(2026), { groups: 2, agentsPerGroup: perGroup, goods: 30 }));
  const solver = which === "before" ? new LegacyEquilibriumSolver(market) : new EquilibriumSolver(market);
  solver.solve();
  const rng = new Rng(15);
  const G = market.G;
  const scale = new Float64Array(market.nAgents * G).fill(1);
  const periods = Array.from({ length: 64 }, () => ({
    demandAlpha: Array.from(market.demandAlpha, (a) => a * Math.exp(rng.normal(0, 0.1))),
    agent: rng.int(market.nAgents),
    scales: Array.from({ length: G }, () => rng.uniform(0.5, 1.5)),
  }));
  let k = 0;
  let iterations = 0;
  const period = () => {
    const t = periods[k++ & 63];
    for (let j = 0; j < G; j++) scale[t.agent * G + j] = t.scales[j];
    iterations += solver.clear({ demandAlpha: t.demandAlpha, demandScale: scale }).iterations;
  };
  for (let i = 0; i < 10; i++) period();
  const stats0 = "stats" in solver ? { ...solver.stats } : null;
  const reps = perGroup >= 1000 ? (which === "before" ? 15 : 60) : which === "before" ? 60 : 300;
  iterations = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) period();
  const wallMs = (performance.now() - t0) / reps;
  const cpu = process.cpuUsage(cpu0);
  const out: Record<string, unknown> = {
    solver: which,
    agents: market.nAgents,
    markets: market.nMarkets,
    periods: reps,
    warm_period_ms: wallMs,
    warm_period_cpu_ms: (cpu.user + cpu.system) / 1000 / reps,
    iterations_mean: iterations / reps,
  };
  if (stats0 && "stats" in solver) {
    out.evaluations_mean = (solver.stats.evaluations - stats0.evaluations) / reps;
    out.jacobians_mean = (solver.stats.jacobians - stats0.jacobians) / reps;
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

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
  console.log(
    JSON.stringify({
      agents: market.nAgents,
      markets: market.nMarkets,
      cold_solve_ms_first: ms,
      cold_solve_ms: msJit,
      newton_iterations: eq.iterations,
      residual: eq.residual,
      peak_rss_mib: peakRssMiB(),
      rss_before_solve_mib: baseline,
    }),
  );
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
const warm = (perGroup: number, which: "before" | "after") => {
  const r = spawnSync(process.execPath, ["--import", "tsx", here, "--warm", String(perGroup), which], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
};
// A calibration of the machine's state during the run (2 cores shared by other jobs inflate wall times).
const calib = new Float64Array(1 << 16).map((_, i) => Math.sin(i));
let sink = 0;
const expNs =
  (timeMicros(() => {
    for (let i = 0; i < calib.length; i++) sink += Math.exp(calib[i]);
  }, 50) *
    1000) /
  calib.length;
const loadBefore = loadavg()[0];
const warmRows: Record<string, unknown> = {};
for (const perGroup of [150, 1500]) {
  const before = warm(perGroup, "before");
  const after = warm(perGroup, "after");
  warmRows[`agents_${2 * perGroup}`] = {
    before,
    after,
    speedup_wall: before.warm_period_ms / after.warm_period_ms,
    speedup_cpu: before.warm_period_cpu_ms / after.warm_period_cpu_ms,
  };
  console.log(
    `warm period, ${2 * perGroup} agents: before ${before.warm_period_ms.toFixed(2)} ms (cpu ${before.warm_period_cpu_ms.toFixed(2)}), after ${after.warm_period_ms.toFixed(2)} ms (cpu ${after.warm_period_cpu_ms.toFixed(2)})`,
  );
}
void sink;

writeBench("market", {
  paper_market: {
    warm_resolve_us: warmUs,
    warm_resolve_newton_iterations_mean: iters / n,
    cold_solve_us: coldUs,
    note: "warm: re-solve after the outside demand scale of each final good moves by a lognormal factor (sd 0.1), starting from the previous prices; cold: from every price = 1",
    targets: { warm_resolve_us: 50, cold_solve_us: 500 },
  },
  tatonnement_paper_market: {
    iterations: tat.equilibrium.iterations,
    time_us: tatUs,
    rule: "ln p += 0.5 (D - S) / (D + S); stop at relative excess demand 1e-11",
  },
  generated_300_agents: { ...m300, layout: "2 groups x 150 agents x 30 goods", target_ms: 50 },
  generated_3000_agents: { ...m3000, layout: "2 groups x 1500 agents x 30 goods", target_ms: 1000 },
  warm_start_periods: {
    ...warmRows,
    layout: "2 groups x N agents x 30 goods (90 markets), generated by randomMarket(new Rng(2026))",
    period:
      "outside demand of each final good x lognormal(sd 0.1), one agent's 30 demand scales redrawn in [0.5, 1.5], cleared from the previous prices",
    before: "LegacyEquilibriumSolver (src/market/legacy-solver.ts, the solver before issue 15), same markets and periods",
    targets_ms: { agents_300: 2, agents_3000: 20 },
    machine_state: { load_average_1min_before: loadBefore, load_average_1min_after: loadavg()[0], math_exp_ns: expNs },
    note: "wall and CPU time (process.cpuUsage) per period; on a shared machine the CPU time is the fairer single-core figure",
  },
});
