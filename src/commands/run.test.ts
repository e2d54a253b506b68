import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { requireBackend } from "../rl/backend.js";

let work: string;
let errors: string[];
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "sg-run-"));
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

const ppo = { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1 } };
const good = () => ({
  name: "cli-tiny",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
  conditions: [
    { name: "analytic", learned: [] },
    { name: "one", learned: ["A[1][1]"], algorithm: structuredClone(ppo) },
  ],
  training: { totalSteps: 32, numEnvs: 1 },
  seeds: [0],
  evaluation: { episodes: 1 },
  backend: "cpu",
  output: join(work, "results"),
});

async function run(config: unknown, extra: string[] = []): Promise<number> {
  const file = join(work, "exp.json");
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return main(["run", file, "--workers", "1", "--no-figures", "--models", join(work, "models"), ...extra]);
}

const noRunDirectory = () => {
  const dir = join(work, "results", "cli-tiny");
  return !existsSync(dir) || readdirSync(dir).filter((f) => !f.startsWith(".partial-") && f !== ".live").length === 0;
};

describe("supplygym run", () => {
  it("runs an experiment, prints the summary and never overwrites a run directory", async () => {
    const out = join(work, "out");
    expect(await run(good(), ["--out", out])).toBe(0);
    expect(readFileSync(join(out, "summary.csv"), "utf8").split("\n")[0]).toBe(
      "condition,metric,mean,std,ci_low,ci_high,n,n_seeds,n_episodes,interval,note",
    );
    expect(existsSync(join(work, "models"))).toBe(true);
    const before = readFileSync(join(out, "metrics.csv"), "utf8");
    expect(await run(good(), ["--out", out])).toBe(2);
    expect(errors.join("\n")).toMatch(/already exists/);
    expect(readFileSync(join(out, "metrics.csv"), "utf8")).toBe(before);
  });

  const bad: [string, (c: ReturnType<typeof good>) => unknown, RegExp][] = [
    ["unknown scenario", (c) => ({ ...c, scenario: "auction" }), /scenario: unknown scenario/],
    ["unknown agent", (c) => ((c.conditions[1].learned = ["A[7][0]"]), c), /conditions\[1\]\.learned\[0\]: unknown agent "A\[7\]\[0\]"/],
    [
      "unknown algorithm",
      (c) => ((c.conditions[1].algorithm = { name: "dqn", hyperparameters: {} } as never), c),
      /conditions\[1\]\.algorithm/,
    ],
    ["unknown metric", (c) => ({ ...c, metrics: ["fairness/jain", "fairness/happiness"] }), /metrics\[1\]: unknown metric/],
    ["non-integer seed", (c) => ({ ...c, seeds: [0, 1.5] }), /seeds\[1\]: must be an integer/],
    [
      "unknown hyperparameter",
      (c) => (((c.conditions[1].algorithm as { hyperparameters: object }).hyperparameters = { leaningRate: 1 }), c),
      /hyperparameters\.leaningRate: unknown ppo hyperparameter/,
    ],
    ["not JSON", () => "{ nope", /not valid JSON/],
  ];
  for (const [name, patch, message] of bad) {
    it(`bad experiment: ${name} -> exit 2, the JSON path, no run directory`, async () => {
      expect(await run(patch(good()))).toBe(2);
      expect(errors.join("\n")).toMatch(message);
      expect(noRunDirectory()).toBe(true);
    });
  }

  it("says when totalSteps is rounded down to whole batches", async () => {
    const { roundingNotes } = await import("./run.js");
    const { resolveExperiment } = await import("../experiments/schema.js");
    expect(await roundingNotes(resolveExperiment(good()))).toEqual([]); // 32 = 2 batches of 1 x 16
    const odd = { ...good(), training: { totalSteps: 40, numEnvs: 1 } };
    expect(await roundingNotes(resolveExperiment(odd))).toEqual([
      'run: condition "one" trains 32 of training.totalSteps = 40 steps (whole batches of numEnvs x numSteps = 16 steps)',
    ]);
  });

  it("a missing file, an unwritable results directory, bad flags -> exit 2", async () => {
    expect(await main(["run", join(work, "missing.json")])).toBe(2);
    expect(errors.pop()).toMatch(/missing\.json: no such (experiment )?file/);
    expect(await run(good(), ["--workers", "0"])).toBe(2);
    expect(await run(good(), ["--backend", "gpu"])).toBe(2);
    // Without the native backend (the default install): exit 2 with the install instructions, before any task runs.
    const native = await requireBackend("tensorflow", "probe").then(
      () => true,
      () => false,
    );
    if (!native) {
      errors = [];
      expect(await run(good(), ["--backend", "tensorflow"])).toBe(2);
      expect(errors.join("\n")).toMatch(
        /exp\.json: backend "tensorflow" could not be loaded: .*npm install @tensorflow\/tfjs-node@4\.22\.0/,
      );
      expect(noRunDirectory()).toBe(true);
      expect(existsSync(join(work, "models"))).toBe(false);
    }
    if (process.getuid?.() !== 0) {
      const locked = join(work, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      expect(await run({ ...good(), output: join(locked, "results") })).toBe(2);
      expect(errors.join("\n")).toMatch(/cannot create or write/);
    } else {
      // As root every directory is writable; a results root that is a file still cannot hold runs.
      writeFileSync(join(work, "afile"), "x");
      expect(await run({ ...good(), output: join(work, "afile") })).toBe(2);
      expect(errors.join("\n")).toMatch(/cannot create or write/);
    }
  });

  it("appends live curves (learning rate, per-agent rows for independent learners) and TensorBoard files outside the staging area", async () => {
    const cfg = good();
    cfg.conditions = [{ name: "two", learned: ["A[1][1]", "A[1][2]"], algorithm: structuredClone(ppo) }];
    cfg.training.totalSteps = 48;
    expect(await run(cfg)).toBe(0);
    const live = join(work, "results", "cli-tiny", ".live");
    const rows = readFileSync(join(live, "task-two-0.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { step: number; metric: string; value: number | null; agent?: string });
    const lr = rows.filter((r) => r.metric === "train/learning_rate");
    expect(lr.map((r) => r.step)).toEqual([16, 32, 48]);
    // PPO anneals linearly from its learningRate: 1, 2/3, 1/3 of it over three updates.
    expect(lr[1].value! / lr[0].value!).toBeCloseTo(2 / 3, 12);
    expect(lr[2].value! / lr[0].value!).toBeCloseTo(1 / 3, 12);
    expect([...new Set(rows.filter((r) => r.agent !== undefined).map((r) => r.agent))].sort()).toEqual(["A[1][1]", "A[1][2]"]);
    // The average is the mean of the agents' losses.
    const at = (metric: string, agent?: string) => rows.find((r) => r.step === 48 && r.metric === metric && r.agent === agent)!.value!;
    expect(at("train/value_loss")).toBeCloseTo((at("train/value_loss", "A[1][1]") + at("train/value_loss", "A[1][2]")) / 2, 9);
    const tb = readdirSync(join(live, "task-two-0"));
    expect(tb).toHaveLength(1);
    expect(tb[0]).toMatch(/^events\.out\.tfevents\.\d+\.supplygym$/);
    // The committed learning_curves.csv carries the same points, per-agent ones with the tag suffix.
    const runDir = readdirSync(join(work, "results", "cli-tiny")).find((f) => !f.startsWith("."))!;
    const csv = readFileSync(join(work, "results", "cli-tiny", runDir, "learning_curves.csv"), "utf8");
    expect(csv).toContain("two,0,48,train/learning_rate,");
    expect(csv).toContain("two,0,48,train/value_loss/A[1][2],");
  });
});
