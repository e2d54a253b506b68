import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runQuietly } from "../testing/run-scenario.js";
import { getStrategy, registerStrategy } from "../../agents/registry.js";
import { parseCsv } from "../../io/csv.js";
import { resolveExperiment } from "../schema.js";
import { preflight } from "./hubs.js";

const tmp = mkdtempSync(join(tmpdir(), "sg-hubs-strategies-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Test strategies: the truthful reporter as a scripted policy, and a hub that overstates its values by half.
registerStrategy("hubs-truthful-through-env", getStrategy("truthful")!.factory, { description: "test", envs: ["HubTrading-v0"] });
registerStrategy(
  "hubs-overstate",
  (ctx) => ({ act: () => new Array<number>((ctx.actionSpace as unknown as { size: number }).size).fill(1.5) }),
  { description: "test", envs: ["HubTrading-v0"] },
);

const ppo = { name: "ppo", hyperparameters: { numSteps: 12, numMinibatches: 2, updateEpochs: 1 } };
const raw = {
  name: "hubs-strategies",
  scenario: "hubs",
  env: { id: "HubTrading-v0", options: { hubs: 3, periods: 4, scenarioSeed: 2 } },
  conditions: [
    { name: "analytic", learned: [] },
    {
      name: "truthful-scripted",
      strategies: { H0: "hubs-truthful-through-env", H1: "hubs-truthful-through-env", H2: "hubs-truthful-through-env" },
    },
    { name: "overstate", strategies: { H1: "hubs-overstate" } },
    { name: "learned-beside-scripted", learned: ["H0"], algorithm: ppo, strategies: { H1: "hubs-overstate" } },
  ],
  training: { totalSteps: 24, numEnvs: 2 },
  seeds: [0],
  evaluation: { episodes: 2, seed: 7 },
  backend: "cpu",
};

describe("hubs strategies end to end", () => {
  it("the truthful reporter as a policy equals the analytic hubs; another strategy changes the outcome", async () => {
    const cfg = resolveExperiment(raw, "x.json");
    await preflight(cfg, "x.json");
    const { metrics, ...out } = await runQuietly(cfg, tmp);
    const of = (c: string) => metrics.filter((r) => r.condition === c).map((r) => [r.seed, r.metric, r.value]);
    expect(of("truthful-scripted").length).toBeGreaterThan(10);
    expect(of("truthful-scripted")).toEqual(of("analytic"));
    expect(of("overstate")).not.toEqual(of("analytic"));
    const episodes = parseCsv(readFileSync(join(out.path, "episodes.csv"), "utf8"));
    expect(
      [...new Set(episodes.filter((r) => r.condition === "learned-beside-scripted").map((r) => `${r.agent}=${r.strategy}`))].sort(),
    ).toEqual(["H0=learned:ppo", "H1=hubs-overstate", "H2=truthful"]);
  });

  it("names an unknown hub at its JSON path", async () => {
    const cfg = resolveExperiment({ ...raw, conditions: [{ name: "a" }, { name: "b", strategies: { H9: "truthful" } }] }, "x.json");
    await expect(preflight(cfg, "x.json")).rejects.toThrow(/conditions\[1\]\.strategies\.H9: unknown agent "H9"/);
  });
});
