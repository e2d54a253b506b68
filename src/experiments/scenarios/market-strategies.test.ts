import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configErrorOf, runQuietly } from "../testing/run-scenario.js";
import { getStrategy, registerStrategy } from "../../agents/registry.js";
import { parseCsv } from "../../io/csv.js";
import { resolveExperiment } from "../schema.js";
import { preflight } from "./market.js";

const tmp = mkdtempSync(join(tmpdir(), "sg-market-strategies-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The registered truthful policy under another name: the scenario then plays it through the env (as a scripted
// agent), not through the simulator's analytic fast path.
registerStrategy("truthful-through-env", getStrategy("truthful")!.factory, {
  description: "test: truthful as a scripted policy",
  envs: getStrategy("truthful")!.info.envs,
});

const ppo = { name: "ppo", hyperparameters: { numSteps: 32, numMinibatches: 2, updateEpochs: 1 } };
const everyone = ["A[0][0]", "A[0][1]", "A[0][2]", "A[1][0]", "A[1][1]", "A[1][2]"];
const tiny = {
  name: "tiny-strategies",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 6 } },
  conditions: [
    { name: "analytic", learned: [] },
    { name: "truthful-scripted", strategies: Object.fromEntries(everyone.map((a) => [a, "truthful-through-env"])) },
    { name: "bid-80", strategies: { "A[1][1]": { name: "scaled", options: { demandScale: 0.8 } } } },
    {
      name: "learned-beside-scripted",
      learned: ["A[0][0]"],
      algorithm: ppo,
      strategies: { "A[1][1]": { name: "scaled", options: { demandScale: [0.8, 1, 1], withhold: 0.1 } } },
    },
  ],
  training: { totalSteps: 128, numEnvs: 2 },
  seeds: [3, 4],
  evaluation: { episodes: 2, seed: 7 },
  backend: "cpu",
};

const issuesOf = (raw: unknown) => configErrorOf(() => preflight(resolveExperiment(raw, "x.json"), "x.json"));

describe("market strategies: validation", () => {
  const withCondition = (c: Record<string, unknown>) => ({
    ...structuredClone(tiny),
    conditions: [{ name: "analytic" }, { name: "c", ...c }],
  });
  it("names the JSON path of an unknown agent, an unknown strategy, bad options and a learned agent given a strategy", async () => {
    expect(await issuesOf(withCondition({ strategies: { "A[9][9]": "scaled" } }))).toMatch(
      /conditions\[1\]\.strategies\.A\[9\]\[9\]: unknown agent "A\[9\]\[9\]"/,
    );
    expect(await issuesOf(withCondition({ strategies: { "A[1][1]": "sneaky" } }))).toMatch(
      /conditions\[1\]\.strategies\.A\[1\]\[1\]: unknown strategy "sneaky"; registered for MarketBiddingParallel-v0: /,
    );
    expect(await issuesOf(withCondition({ strategies: { "A[1][1]": { name: "scaled", options: { demandScale: 2.5 } } } }))).toMatch(
      /conditions\[1\]\.strategies\.A\[1\]\[1\]\.options\.demandScale: must be <= 2/,
    );
    expect(await issuesOf(withCondition({ strategies: { "A[1][1]": { name: "scaled", options: { demandScale: [1, 1] } } } }))).toMatch(
      /conditions\[1\]\.strategies\.A\[1\]\[1\]\.options\.demandScale: 2 values for 3 goods/,
    );
    expect(await issuesOf(withCondition({ learned: ["A[1][1]"], strategies: { "A[1][1]": "scaled" } }))).toMatch(
      /conditions\[1\]\.strategies\.A\[1\]\[1\]: agent "A\[1\]\[1\]" is learned in this condition/,
    );
  });
  it("the baseline defaults to the first condition without learners or strategies", () => {
    const cfg = resolveExperiment({ ...structuredClone(tiny), conditions: [tiny.conditions[2], tiny.conditions[0]] }, "x.json");
    expect(cfg.baseline).toBe("analytic");
  });
});

describe("market strategies end to end", () => {
  it("truthful played through the env is bit-identical to the analytic agents; scaled bids differ; episodes.csv names each agent's strategy", async () => {
    const cfg = resolveExperiment(tiny, "tiny.json");
    await preflight(cfg, "tiny.json");
    const { metrics, ...out } = await runQuietly(cfg, tmp);
    const of = (c: string) => metrics.filter((r) => r.condition === c).map((r) => [r.seed, r.metric, r.value]);
    expect(of("truthful-scripted").length).toBeGreaterThan(10);
    expect(of("truthful-scripted")).toEqual(of("analytic")); // the same CSV cells: bit-identical numbers
    const get = (c: string, m: string, seed = "3") =>
      Number(metrics.find((r) => r.condition === c && r.seed === seed && r.metric === m)?.value);
    expect(get("bid-80", "welfare/vs_competitive")).not.toBe(1); // bidding 80% moves the equilibrium away from the analytic one
    expect(get("bid-80", "profit/A[1][1]")).not.toBe(get("analytic", "profit/A[1][1]"));
    expect(metrics.some((r) => r.condition === "bid-80" && r.seed === "4")).toBe(false); // nothing trained: computed once (seeds would be copies)
    expect(Number.isFinite(get("learned-beside-scripted", "welfare/vs_competitive"))).toBe(true);

    const comparison = parseCsv(readFileSync(join(out.path, "comparison.csv"), "utf8"));
    const row = (c: string) => comparison.find((r) => r.condition === c && r.metric === "welfare/vs_competitive")!;
    // both train nothing: the difference is paired on the evaluation draws (its interval from the draws), never p = 0
    expect(row("bid-80").test).toMatch(/^pigeonhole bootstrap of the difference: paired on evaluation episodes/);
    expect(row("bid-80").p_value).not.toBe("0");
    expect(Number(row("bid-80").difference)).not.toBe(0);
    expect(row("learned-beside-scripted").test).toMatch(/^pigeonhole bootstrap of the difference/);

    const episodes = parseCsv(readFileSync(join(out.path, "episodes.csv"), "utf8"));
    const strategyOf = (c: string, a: string) => [
      ...new Set(episodes.filter((r) => r.condition === c && r.agent === a).map((r) => r.strategy)),
    ];
    expect(strategyOf("bid-80", "A[1][1]")).toEqual(["scaled"]);
    expect(strategyOf("bid-80", "A[0][0]")).toEqual(["truthful"]);
    expect(strategyOf("learned-beside-scripted", "A[0][0]")).toEqual(["learned:ppo"]);
    expect(strategyOf("truthful-scripted", "A[1][2]")).toEqual(["truthful-through-env"]);
  });
});
