import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configErrorOf } from "../testing/run-scenario.js";
import { parseCsv } from "../../io/csv.js";
import { paperMarket } from "../../market/paper.js";
import { runExperiment } from "../runner.js";
import { resolveExperiment } from "../schema.js";
import { scenarioTask } from "./index.js";
import { preflight } from "./market.js";

const tmp = mkdtempSync(join(tmpdir(), "sg-market-scenario-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ppo = { name: "ppo", hyperparameters: { numSteps: 32, numMinibatches: 2, updateEpochs: 1 } };
const tiny = {
  name: "tiny-market",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 6 } },
  conditions: [
    { name: "analytic", learned: [] },
    { name: "one-learned", learned: ["A[1][1]"], algorithm: ppo },
    { name: "two-learned", learned: ["A[0][0]", "A[1][1]"], algorithm: ppo },
  ],
  training: { totalSteps: 128, numEnvs: 2 },
  seeds: [3],
  evaluation: { episodes: 2, seed: 7 },
  backend: "cpu",
};

const issuesOf = configErrorOf;

describe("market scenario preflight", () => {
  const withPatch = (patch: (c: typeof tiny) => void) => {
    const c = structuredClone(tiny);
    patch(c);
    return resolveExperiment(c, "x.json");
  };
  it("accepts the tiny experiment", async () => {
    await expect(preflight(resolveExperiment(tiny, "x.json"), "x.json")).resolves.toBeUndefined();
  });
  it("names unknown agents, unknown and reserved hyperparameters, bad envs and env options", async () => {
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => (c.conditions[1].learned = ["A[9][9]"])),
          "x.json",
        ),
      ),
    ).toMatch(/conditions\[1\]\.learned\[0\]: unknown agent "A\[9\]\[9\]"/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.conditions[1].algorithm!.hyperparameters, { learningRat: 1 })),
          "x.json",
        ),
      ),
    ).toMatch(/conditions\[1\]\.algorithm\.hyperparameters\.learningRat: unknown ppo hyperparameter/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.conditions[1].algorithm!.hyperparameters, { numEnvs: 8 })),
          "x.json",
        ),
      ),
    ).toMatch(/hyperparameters\.numEnvs: set by the experiment/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.conditions[1].algorithm!.hyperparameters, { gamma: 3 })),
          "x.json",
        ),
      ),
    ).toMatch(/conditions\[1\]\.algorithm\.hyperparameters\.gamma: must be in \[0, 1\], got 3/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => (c.env.id = "CartPole-v1")),
          "x.json",
        ),
      ),
    ).toMatch(/env\.id: the market scenario runs on/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.env.options, { episodeLenght: 3 })),
          "x.json",
        ),
      ),
    ).toMatch(/env\.options\.episodeLenght: unknown key/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.conditions[1], { envOptions: { observeForecasts: "no" } })),
          "x.json",
        ),
      ),
    ).toMatch(/conditions\[1\]\.envOptions\.observeForecasts: /);
    // a condition may not change the demand draws or the market: every condition is evaluated on the same draws
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.conditions[1], { envOptions: { episodeLength: 9 } })),
          "x.json",
        ),
      ),
    ).toMatch(/conditions\[1\]\.envOptions\.episodeLength: would change the demand draws/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.env.options, { inventory: { capacity: 5, holdingCost: 0.1, initial: 2 } })),
          "x.json",
        ),
      ),
    ).toMatch(/env\.options\.inventory\.initial: must be 0/);
  });

  it("a bad market spec, generate option or demand spec in env.options is named by its JSON path in the file", async () => {
    const market = structuredClone(paperMarket) as unknown as { groups: { b: number[] }[]; outsideDemand: { beta: number[] } };
    market.groups[0].b[1] = 1;
    market.outsideDemand.beta[2] = -1;
    const msg = await issuesOf(() =>
      preflight(
        withPatch((c) => Object.assign(c.env.options, { market })),
        "x.json",
      ),
    );
    expect(msg).toMatch(/^x\.json: invalid configuration/);
    // every broken rule is reported, not only the first
    expect(msg).toMatch(/env\.options\.market\.groups\[0\]\.b\[1\]: Cobb-Douglas exponent b must lie in \(0, 1\)/);
    expect(msg).toMatch(/env\.options\.market\.outsideDemand\.beta\[2\]: outside demand exponent beta must be below -1/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.env.options, { market: { generate: { groups: 2, agentsPerGroup: 0, goods: 2 } } })),
          "x.json",
        ),
      ),
    ).toMatch(/env\.options\.market\.generate\.agentsPerGroup: must be >= 1/);
    expect(
      await issuesOf(() =>
        preflight(
          withPatch((c) => Object.assign(c.env.options, { demand: { type: "synthetic", spec: { ar: { phi: 1, sigma: 0.1 } } } })),
          "x.json",
        ),
      ),
    ).toMatch(/env\.options\.demand\.spec\.ar\.phi: phi must be in \(-1, 1\)/);
  });
});

describe("market scenario end to end", () => {
  const csvs = (dir: string) =>
    Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith(".csv"))
        .sort()
        .map((f) => [f, readFileSync(join(dir, f), "utf8")]),
    );
  const cfg = resolveExperiment(tiny, "tiny.json");
  const quiet = { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };

  it("runs twice (inline and on two worker threads) to identical CSVs, with analytic efficiency exactly 1", async () => {
    const a = await runExperiment(cfg, {
      task: scenarioTask("market"),
      workers: 1,
      root: tmp,
      runId: "a",
      figures: false,
      progress: quiet,
    });
    const b = await runExperiment(cfg, {
      task: scenarioTask("market"),
      workers: 2,
      root: tmp,
      runId: "b",
      figures: false,
      progress: quiet,
    });
    expect(csvs(b.path)).toEqual(csvs(a.path));
    const metrics = parseCsv(readFileSync(join(a.path, "metrics.csv"), "utf8"));
    const get = (c: string, m: string) => Number(metrics.find((r) => r.condition === c && r.metric === m)?.value);
    expect(get("analytic", "welfare/vs_competitive")).toBe(1);
    expect(get("analytic", "welfare/change_vs_competitive")).toBe(0);
    // the all-analytic equilibrium is second best: below the first best, and never above it
    expect(get("analytic", "efficiency/first_best")).toBeLessThan(1);
    expect(get("one-learned", "efficiency/first_best")).toBeLessThanOrEqual(1 + 1e-9);
    expect(get("analytic", "welfare/loss_vs_first_best")).toBeGreaterThan(0);
    expect(get("analytic", "pareto/losers")).toBe(0);
    expect(Number.isFinite(get("one-learned", "welfare/vs_competitive"))).toBe(true);
    expect(new Set(metrics.map((r) => r.condition))).toEqual(new Set(["analytic", "one-learned", "two-learned"]));
    const episodes = parseCsv(readFileSync(join(a.path, "episodes.csv"), "utf8"));
    // one row per condition, seed, episode and agent
    expect(episodes).toHaveLength(3 * 1 * 2 * 6);
    expect(
      episodes
        .filter((r) => r.condition === "two-learned" && r.learned === "true")
        .map((r) => r.agent)
        .sort(),
    ).toEqual(["A[0][0]", "A[0][0]", "A[1][1]", "A[1][1]"]);
    const curves = parseCsv(readFileSync(join(a.path, "learning_curves.csv"), "utf8"));
    expect(curves.some((r) => r.condition === "one-learned" && r.metric === "rollout/episode_return_mean")).toBe(true);
  });
});

describe("market scenario: strategies, the bidding game and exploitability (constant demand)", () => {
  const constant = {
    type: "synthetic",
    spec: { seasonal: { period: 13, amplitude: 0 }, ar: { phi: 0.5, sigma: 0 }, shocks: { probability: 0, size: -0.3, duration: 2 } },
  };
  const all = Object.fromEntries(
    ["A[0][0]", "A[0][1]", "A[0][2]", "A[1][0]", "A[1][1]", "A[1][2]"].map((a) => [
      a,
      { name: "best-response", options: { demand: "oracle", budget: 100 } },
    ]),
  );
  const exp = {
    name: "strategic-market",
    scenario: "market",
    env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 3, demand: constant, forecaster: "naive" } },
    conditions: [
      { name: "analytic", learned: [] },
      { name: "best-response", strategies: { "A[1][1]": { name: "best-response", options: { demand: "oracle" } } } },
      { name: "bidding-game", strategies: all },
    ],
    exploitability: { agents: ["A[1][1]"], budget: 100, conditions: ["analytic"] },
    seeds: [0],
    evaluation: { episodes: 1, seed: 7 },
  };
  const quiet = { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };

  it("the best responder beats truthful by ~2.9%, the game converges, the analytic market's first-best efficiency is 0.9537, and run reports exploitability", async () => {
    const cfg = resolveExperiment(exp, "s.json");
    const out = await runExperiment(cfg, {
      task: scenarioTask("market"),
      workers: 1,
      root: tmp,
      runId: "s",
      figures: false,
      progress: quiet,
      preflight: (c) => preflight(c, "s.json"),
    });
    const metrics = parseCsv(readFileSync(join(out.path, "metrics.csv"), "utf8"));
    const get = (c: string, m: string) => Number(metrics.find((r) => r.condition === c && r.metric === m)?.value);
    expect(get("analytic", "efficiency/first_best")).toBeCloseTo(0.9537, 4);
    expect(get("best-response", "profit/A[1][1]") / get("analytic", "profit/A[1][1]") - 1).toBeCloseTo(0.029, 3);
    // shading by the unconstrained A[1][1] raises total surplus above the second-best competitive equilibrium (488.60 vs 485.82), never above the first best
    expect(get("best-response", "welfare/change_vs_competitive")).toBeCloseTo(2.78, 1);
    expect(get("best-response", "efficiency/first_best")).toBeLessThan(1);
    expect(get("bidding-game", "game/converged_share")).toBe(1);
    expect(get("bidding-game", "efficiency/first_best")).toBeLessThanOrEqual(1);
    const rows = parseCsv(readFileSync(join(out.path, "exploitability.csv"), "utf8"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ condition: "analytic", agent: "A[1][1]", method: "search" });
    expect(Number(rows[0].gain_relative)).toBeGreaterThan(0.025);
    expect(get("analytic", "exploitability/nash_conv")).toBeCloseTo(Number(rows[0].gain), 12);
    expect(metrics.some((r) => r.condition === "best-response" && r.metric.startsWith("exploitability/"))).toBe(false);
  });
});
