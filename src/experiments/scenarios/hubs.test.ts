import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../io/csv.js";
import { ConfigError } from "../../io/errors.js";
import { runExperiment } from "../runner.js";
import { loadExperiment, resolveExperiment } from "../schema.js";
import { preflight } from "./hubs.js";
import { scenarioTask } from "./index.js";

const tmp = mkdtempSync(join(tmpdir(), "sg-hubs-scenario-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = join(import.meta.dirname, "..", "..", "..");

const ppo = { name: "ppo", hyperparameters: { numSteps: 12, numMinibatches: 2, updateEpochs: 2 } };
function experiment(patch: Record<string, unknown> = {}) {
  return {
    name: "hubs-tiny",
    scenario: "hubs",
    env: { id: "HubTrading-v0", options: { hubs: 3, periods: 4, scenarioSeed: 2 } },
    conditions: [
      { name: "analytic", learned: [] },
      { name: "one-learned", learned: ["H1"], algorithm: ppo },
      { name: "all-learned", learned: "all", algorithm: ppo },
    ],
    training: { totalSteps: 48, numEnvs: 2 },
    seeds: [0, 1],
    evaluation: { episodes: 2, seed: 7 },
    backend: "cpu",
    ...patch,
  };
}

/** The issues preflight reports for an experiment, as "path: message" lines. */
async function issues(raw: Record<string, unknown>): Promise<string[]> {
  try {
    await preflight(resolveExperiment(raw, "x.json"), "x.json");
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe("hubs scenario preflight", () => {
  it("accepts the tiny experiment and experiments/hubs-learning.json", async () => {
    expect(await issues(experiment())).toEqual([]);
    const file = join(root, "experiments", "hubs-learning.json");
    await expect(preflight(loadExperiment(file), file)).resolves.toBeUndefined();
  });

  it("names the JSON path of env problems", async () => {
    expect(await issues(experiment({ env: { id: "MarketBiddingParallel-v0" } }))).toEqual([
      'env.id: the hubs scenario runs on HubTrading-v0, got "MarketBiddingParallel-v0"',
    ]);
    expect((await issues(experiment({ env: { id: "HubTrading-v0", options: { learned: ["H0"] } } })))[0]).toMatch(
      /^env\.options\.learned: set per condition/,
    );
    expect((await issues(experiment({ env: { id: "HubTrading-v0", options: { hubz: 3 } } })))[0]).toMatch(
      /^env\.options\.hubz: unknown key$/,
    );
    expect((await issues(experiment({ env: { id: "HubTrading-v0", options: { rewardScale: -1 } } })))[0]).toMatch(
      /^env\.options\.rewardScale: must be > 0$/,
    );
    expect((await issues(experiment({ env: { id: "HubTrading-v0", options: { shortageForecast: { forecaster: "mlp" } } } })))[0]).toMatch(
      /^env\.options\.shortageForecast\.forecaster: .*"mlp" is not supported/,
    );
    expect((await issues(experiment({ env: { id: "HubTrading-v0", options: { config: { name: "x" } } } })))[0]).toMatch(
      /^env\.options\.config\.periods: /,
    );
    expect((await issues(experiment({ env: { id: "HubTrading-v0", options: { periods: 0 } } })))[0]).toBe(
      "env.options.periods: must be >= 1",
    );
  });

  it("names unknown agents, hyperparameters, per-agent overrides and metrics the hubs scenario does not report", async () => {
    const bad = experiment({
      conditions: [
        { name: "analytic", learned: [] },
        { name: "ghost", learned: ["H7"] },
        { name: "typo", learned: ["H0"], algorithm: { name: "ppo", hyperparameters: { learningRat: 0.1, numEnvs: 2 } } },
        { name: "mixed", learned: ["H0", "H1"], agents: { H1: "reinforce" } },
      ],
    });
    expect(await issues(bad)).toEqual(['conditions[1].learned[0]: unknown agent "H7"; the environment\'s agents are H0, H1, H2']);
    const fixed = (bad.conditions as Record<string, unknown>[]).filter((c) => c.name !== "ghost");
    // metrics of another scenario: the schema says so (from the metric registry) before the scenario's checks run
    expect(await issues({ ...bad, conditions: fixed, metrics: ["efficiency/first_best", "hubs/delay_cost"] })).toEqual([
      expect.stringMatching(/^metrics\[0\]: "efficiency\/first_best" is not a hubs metric/),
    ]);
    const got = await issues({ ...bad, conditions: fixed, metrics: ["hubs/delay_cost"] });
    expect(got[0]).toMatch(/^conditions\[2\]\.agents: per-agent algorithms are not supported/);
    expect(got[1]).toMatch(/^conditions\[1\]\.algorithm\.hyperparameters\.learningRat: unknown ppo hyperparameter/);
    expect(got[2]).toMatch(/^conditions\[1\]\.algorithm\.hyperparameters\.numEnvs: set by the experiment/);
    // "mixed" trains with the default PPO batch, larger than this fixture's budget: also said before any work
    expect(got[3]).toMatch(
      /^training\.totalSteps: must be at least one batch, numEnvs \* numSteps = \d+ steps .*, got 48 \(conditions\[2\], ppo\)$/,
    );
    expect(got).toHaveLength(4);
    expect(
      (
        await issues(
          experiment({ conditions: [{ name: "a", learned: ["H0"], algorithm: { name: "ppo", hyperparameters: { numSteps: -3 } } }] }),
        )
      )[0],
    ).toMatch(/^conditions\[0\]\.algorithm\.hyperparameters\.\w+: /);
  });
});

describe("hubs scenario end to end (tiny budget)", () => {
  it("runExperiment trains and evaluates every condition x seed and writes the hubs metrics", async () => {
    const cfg = resolveExperiment(experiment(), "tiny.json");
    const out = await runExperiment(cfg, {
      task: scenarioTask("hubs"),
      workers: 1,
      root: tmp,
      runId: "r1",
      figures: false,
      preflight: (c) => preflight(c, "tiny.json"),
      taskOptions: { mode: "train" },
      progress: { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream },
    });
    const rows = parseCsv(readFileSync(join(out.path, "metrics.csv"), "utf8"));
    expect([...new Set(rows.map((r) => r.condition))]).toEqual(["analytic", "one-learned", "all-learned"]);
    for (const m of [
      "hubs/delay_cost",
      "hubs/mechanism_deficit",
      "efficiency/gain_captured",
      "pareto/losers_vs_no_trade",
      "fairness/jain",
      "fairness/gini",
      "profit/H0",
      "profit/H2",
    ]) {
      for (const c of ["analytic", "one-learned", "all-learned"]) {
        const vals = rows.filter((r) => r.condition === c && r.metric === m);
        expect(
          vals.map((r) => r.seed),
          `${c} ${m}`,
        ).toEqual(c === "analytic" ? ["0"] : ["0", "1"]); // analytic: computed once
      }
    }
    const value = (c: string, seed: string, m: string) =>
      Number(rows.find((r) => r.condition === c && r.seed === seed && r.metric === m)!.value);
    // the share of the achievable gain: at most 1 up to solver tolerance; the VCG deficit is a payment, >= 0
    for (const c of ["analytic", "one-learned", "all-learned"]) {
      expect(value(c, "0", "efficiency/gain_captured")).toBeLessThanOrEqual(1 + 1e-6);
      expect(value(c, "0", "hubs/mechanism_deficit")).toBeGreaterThanOrEqual(0);
    }
    // the same evaluation episodes for every condition: the no-trade baseline and the optimum agree
    for (const m of ["hubs/delay_cost_no_trade", "hubs/value_optimum"]) {
      expect(value("all-learned", "1", m)).toBe(value("analytic", "0", m));
    }
    // learned hubs act differently from analytic ones (an untrained Gaussian mean is near, not at, truthful)
    expect(value("all-learned", "0", "profit/H0")).not.toBe(value("analytic", "0", "profit/H0"));

    const ep = parseCsv(readFileSync(join(out.path, "episodes.csv"), "utf8"));
    expect(ep).toHaveLength((1 + 2 * 2) * 2 * 3); // (analytic x 1 + learned conditions x 2 seeds) x episodes x hubs
    expect(ep.filter((r) => r.condition === "one-learned" && r.learned === "true").map((r) => r.agent)).toEqual(["H1", "H1", "H1", "H1"]);
    const curves = parseCsv(readFileSync(join(out.path, "learning_curves.csv"), "utf8"));
    expect(new Set(curves.map((r) => r.condition))).toEqual(new Set(["one-learned", "all-learned"]));
    expect(
      out.summary.some(
        (r) =>
          r.condition === "all-learned" && r.metric === "efficiency/gain_captured" && r.n === 4 && r.n_seeds === 2 && r.n_episodes === 2,
      ),
    ).toBe(true);
  }, 60_000);
});
