import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configErrorOf, runQuietly } from "../testing/run-scenario.js";
import { parseNegotiationConfig } from "../../contracts/config.js";
import { runNegotiations } from "../../contracts/runner.js";
import { parseCsv } from "../../io/csv.js";
import { resolveExperiment } from "../schema.js";
import { preflight } from "./contracts.js";

const tmp = mkdtempSync(join(tmpdir(), "sg-contracts-strategies-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The paper's subcontractors with every analytic branch exercised: a Boulware, a tit-for-tat and a Conceder seller,
// one of them impatient (it refuses offers below its reservation after round 2), stochastic demand.
const config = {
  retailer: { demand: 120, retailPrice: 25, unitCost: 3, openingFraction: 0.4, beta: 0.3 },
  subcontractors: [
    { id: "S1", normalCapacity: 40, maxCapacity: 60, unitCost: 10, extraCost: 4, tactic: "boulware", markup: 0.5 },
    { id: "S2", normalCapacity: 30, maxCapacity: 50, unitCost: 11, extraCost: 2, tactic: "tit-for-tat", markup: 0.6 },
    { id: "S3", normalCapacity: 25, maxCapacity: 40, unitCost: 9, extraCost: 6, tactic: "conceder", markup: 0.4, patience: 2 },
  ],
  negotiation: { deadline: 10, check: true, contract: "wholesale", buybackFraction: 0.5 },
  demand: { type: "normal", std: 15 },
};
const everyone = ["retailer", "S1", "S2", "S3"];
const ppo = { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1 } };
const noCheck = { negotiation: { check: false } };
const tiny = {
  name: "tiny-contracts-strategies",
  scenario: "contracts",
  env: { id: "ContractNegotiationParallel-v0", options: { config } },
  conditions: [
    { name: "analytic", learned: [] },
    { name: "configured", strategies: Object.fromEntries(everyone.map((a) => [a, "configured"])) },
    {
      name: "named-tactics",
      strategies: {
        retailer: { name: "time-dependent", options: { beta: 0.3 } },
        S1: "boulware",
        S2: "tit-for-tat",
        S3: { name: "conceder", options: { markup: 0.4 } },
      },
    },
    { name: "analytic-no-check", learned: [], envOptions: noCheck },
    { name: "configured-no-check", envOptions: noCheck, strategies: Object.fromEntries(everyone.map((a) => [a, "configured"])) },
    { name: "greedy-S1", strategies: { S1: { name: "time-dependent", options: { beta: 0.5, markup: 1 } } } },
    {
      name: "learned-beside-scripted",
      learned: ["retailer"],
      algorithm: ppo,
      strategies: { S2: { name: "linear", options: { markup: 0.2 } } },
    },
  ],
  training: { totalSteps: 64, numEnvs: 2 },
  seeds: [3, 4],
  evaluation: { episodes: 6, seed: 7 },
  backend: "cpu",
};

const issuesOf = (raw: unknown) => configErrorOf(() => preflight(resolveExperiment(raw, "x.json"), "x.json"));

describe("contracts strategies: validation", () => {
  const withStrategies = (strategies: Record<string, unknown>) => ({
    ...structuredClone(tiny),
    conditions: [{ name: "analytic" }, { name: "c", strategies }],
  });
  it("names the JSON path of an unknown agent, an unknown strategy, bad options and options for the other side", async () => {
    expect(await issuesOf(withStrategies({ S9: "linear" }))).toMatch(
      /conditions\[1\]\.strategies\.S9: unknown agent "S9"; the environment's agents are retailer, S1, S2, S3/,
    );
    expect(await issuesOf(withStrategies({ S1: "sneaky" }))).toMatch(
      /conditions\[1\]\.strategies\.S1: unknown strategy "sneaky"; registered for ContractNegotiationParallel-v0: .*tit-for-tat/,
    );
    expect(await issuesOf(withStrategies({ S1: "truthful" }))).toMatch(
      /conditions\[1\]\.strategies\.S1: strategy "truthful" applies to Market/,
    );
    expect(await issuesOf(withStrategies({ S1: { name: "time-dependent", options: { beta: -1 } } }))).toMatch(
      /conditions\[1\]\.strategies\.S1\.options\.beta: must be > 0/,
    );
    expect(await issuesOf(withStrategies({ S1: { name: "linear", options: { beta: 2 } } }))).toMatch(
      /conditions\[1\]\.strategies\.S1\.options\.beta: strategy "linear" has no free beta/,
    );
    expect(await issuesOf(withStrategies({ retailer: { name: "boulware", options: { markup: 0.2 } } }))).toMatch(
      /conditions\[1\]\.strategies\.retailer\.options\.markup: the retailer's tactic has no markup/,
    );
    expect(await issuesOf(withStrategies({ retailer: "tit-for-tat" }))).toMatch(
      /conditions\[1\]\.strategies\.retailer\.options: strategy "tit-for-tat" is a subcontractor's tactic/,
    );
    expect(await issuesOf(withStrategies({ S2: { name: "configured", options: { markup: 1 } } }))).toMatch(
      /conditions\[1\]\.strategies\.S2\.options: strategy "configured" takes no options/,
    );
  });
});

describe("contracts strategies end to end", () => {
  it("the tactics played as policies in protocol order are bit-identical to the engine's analytic agents; other tactics differ", async () => {
    const cfg = resolveExperiment(tiny, "tiny.json");
    await preflight(cfg, "tiny.json");
    const { metrics, ...out } = await runQuietly(cfg, tmp);
    const of = (c: string) => metrics.filter((r) => r.condition === c).map((r) => [r.seed, r.metric, r.value]);
    expect(of("configured").length).toBeGreaterThan(10);
    expect(of("configured")).toEqual(of("analytic")); // the same CSV cells: bit-identical numbers
    expect(of("named-tactics")).toEqual(of("analytic"));
    expect(of("configured-no-check")).toEqual(of("analytic-no-check"));
    const get = (c: string, m: string) => Number(metrics.find((r) => r.condition === c && r.seed === "3" && r.metric === m)?.value);
    expect(get("greedy-S1", "profit/S1")).not.toBe(get("analytic", "profit/S1"));
    expect(metrics.some((r) => r.condition === "greedy-S1" && r.seed === "4")).toBe(false); // nothing trained: computed once
    expect(Number.isFinite(get("learned-beside-scripted", "profit/retailer"))).toBe(true);

    // The messages of a scripted negotiation are the analytic one's (including the impatient S3's refusals).
    const episodes = parseCsv(readFileSync(join(out.path, "episodes.csv"), "utf8"));
    const strategyOf = (c: string, a: string) => [
      ...new Set(episodes.filter((r) => r.condition === c && r.agent === a).map((r) => r.strategy)),
    ];
    expect(strategyOf("named-tactics", "S2")).toEqual(["tit-for-tat"]);
    expect(strategyOf("greedy-S1", "S2")).toEqual(["analytic"]);
    expect(strategyOf("learned-beside-scripted", "retailer")).toEqual(["learned:ppo"]);
    expect(strategyOf("learned-beside-scripted", "S2")).toEqual(["linear"]);
    const rows = (c: string) =>
      episodes.filter((r) => r.condition === c && r.seed === "3").map(({ condition: _c, strategy: _s, ...rest }) => rest);
    expect(rows("configured")).toEqual(rows("analytic"));
  });
});

describe("contracts strategies: the impatient subcontractor's refusal is played by the policy", () => {
  it("S3 refuses in the analytic negotiations of the evaluation draws (so the identity above covers the refusal branch)", () => {
    const { logs } = runNegotiations(parseNegotiationConfig(config), { episodes: 6, seed: 7, keepLogs: true });
    expect(logs.some((l) => l.toArray().some((m) => m.performative === "refuse" && m.sender === 2))).toBe(true);
  });
});
