import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../io/csv.js";
import { ConfigError } from "../../io/errors.js";
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

async function issuesOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

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
    expect(await issuesOf(() => preflight(withPatch((c) => (c.conditions[1].learned = ["A[9][9]"])), "x.json"))).toMatch(/conditions\[1\]\.learned\[0\]: unknown agent "A\[9\]\[9\]"/);
    expect(await issuesOf(() => preflight(withPatch((c) => Object.assign(c.conditions[1].algorithm!.hyperparameters, { learningRat: 1 })), "x.json"))).toMatch(
      /conditions\[1\]\.algorithm\.hyperparameters\.learningRat: unknown ppo hyperparameter/,
    );
    expect(await issuesOf(() => preflight(withPatch((c) => Object.assign(c.conditions[1].algorithm!.hyperparameters, { numEnvs: 8 })), "x.json"))).toMatch(/hyperparameters\.numEnvs: set by the experiment/);
    expect(await issuesOf(() => preflight(withPatch((c) => Object.assign(c.conditions[1].algorithm!.hyperparameters, { gamma: 3 })), "x.json"))).toMatch(/conditions\[1\]\.algorithm\.hyperparameters\.gamma: gamma/);
    expect(await issuesOf(() => preflight(withPatch((c) => (c.env.id = "CartPole-v1")), "x.json"))).toMatch(/env\.id: the market scenario runs on/);
    expect(await issuesOf(() => preflight(withPatch((c) => Object.assign(c.env.options, { episodeLenght: 3 })), "x.json"))).toMatch(/env\.options: [\s\S]*episodeLenght: unknown option/);
    expect(await issuesOf(() => preflight(withPatch((c) => Object.assign(c.conditions[1], { envOptions: { observeForecasts: "no" } })), "x.json"))).toMatch(/conditions\[1\]\.envOptions: [\s\S]*observeForecasts/);
    // a condition may not change the demand draws or the market: every condition is evaluated on the same draws
    expect(await issuesOf(() => preflight(withPatch((c) => Object.assign(c.conditions[1], { envOptions: { episodeLength: 9 } })), "x.json"))).toMatch(/conditions\[1\]\.envOptions\.episodeLength: would change the demand draws/);
    expect(await issuesOf(() => preflight(withPatch((c) => Object.assign(c.env.options, { inventory: { capacity: 5, holdingCost: 0.1, initial: 2 } })), "x.json"))).toMatch(/env\.options\.inventory\.initial: must be 0/);
  });
});

describe("market scenario end to end", () => {
  const csvs = (dir: string) => Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".csv")).sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  const cfg = resolveExperiment(tiny, "tiny.json");
  const quiet = { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };

  it("runs twice (inline and on two worker threads) to identical CSVs, with analytic efficiency exactly 1", async () => {
    const a = await runExperiment(cfg, { task: scenarioTask("market"), workers: 1, root: tmp, runId: "a", figures: false, progress: quiet });
    const b = await runExperiment(cfg, { task: scenarioTask("market"), workers: 2, root: tmp, runId: "b", figures: false, progress: quiet });
    expect(csvs(b.path)).toEqual(csvs(a.path));
    const metrics = parseCsv(readFileSync(join(a.path, "metrics.csv"), "utf8"));
    const get = (c: string, m: string) => Number(metrics.find((r) => r.condition === c && r.metric === m)?.value);
    expect(get("analytic", "efficiency/allocative")).toBe(1);
    expect(get("analytic", "pareto/losers")).toBe(0);
    expect(Number.isFinite(get("one-learned", "efficiency/allocative"))).toBe(true);
    expect(new Set(metrics.map((r) => r.condition))).toEqual(new Set(["analytic", "one-learned", "two-learned"]));
    const episodes = parseCsv(readFileSync(join(a.path, "episodes.csv"), "utf8"));
    // one row per condition, seed, episode and agent
    expect(episodes).toHaveLength(3 * 1 * 2 * 6);
    expect(episodes.filter((r) => r.condition === "two-learned" && r.learned === "true").map((r) => r.agent).sort()).toEqual(["A[0][0]", "A[0][0]", "A[1][1]", "A[1][1]"]);
    const curves = parseCsv(readFileSync(join(a.path, "learning_curves.csv"), "utf8"));
    expect(curves.some((r) => r.condition === "one-learned" && r.metric === "rollout/episode_return_mean")).toBe(true);
  });
});
