import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { ConfigError } from "../io/errors.js";
import { resolveExperiment } from "./schema.js";
import { tinyMarketExperiment } from "./testing/tiny-market.js";

const base = (sweep: unknown) => tinyMarketExperiment({ name: "sweep-tiny", seeds: [0, 1], sweep });

const issuesOf = (raw: unknown) => {
  try {
    resolveExperiment(raw, "x.json");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
};

describe("sweep expansion", () => {
  it("a grid over two hyperparameters becomes named conditions with those values; other conditions stay", () => {
    const cfg = resolveExperiment(
      base({ grid: { "algorithm.hyperparameters.learningRate": [0.001, 0.01], "algorithm.hyperparameters.entCoef": [0, 0.05] } }),
    );
    expect(cfg.conditions.map((c) => c.name)).toEqual([
      "analytic",
      "one_learningRate-0.001_entCoef-0",
      "one_learningRate-0.001_entCoef-0.05",
      "one_learningRate-0.01_entCoef-0",
      "one_learningRate-0.01_entCoef-0.05",
    ]);
    const c = cfg.conditions[4];
    expect(c.algorithm.hyperparameters).toEqual({ numSteps: 16, numMinibatches: 2, updateEpochs: 1, learningRate: 0.01, entCoef: 0.05 });
    expect(cfg.sweep!.settings[c.name]).toEqual({
      base: "one",
      values: { "algorithm.hyperparameters.learningRate": 0.01, "algorithm.hyperparameters.entCoef": 0.05 },
    });
    expect(cfg.baseline).toBe("analytic");
  });

  it("a random sweep is a function of its seed, names state the drawn values, env options merge", () => {
    const spec = {
      random: { "algorithm.hyperparameters.learningRate": { loguniform: [1e-4, 1e-2] }, "envOptions.episodeLength": { choice: [3, 5] } },
      samples: 4,
      seed: 7,
    };
    const a = resolveExperiment(base(spec));
    const b = resolveExperiment(base(spec));
    expect(a.conditions).toEqual(b.conditions);
    const other = resolveExperiment(base({ ...spec, seed: 8 }));
    expect(other.conditions.map((c) => c.name)).not.toEqual(a.conditions.map((c) => c.name));
    for (const c of a.conditions.slice(1)) {
      const lr = c.algorithm.hyperparameters.learningRate as number;
      expect(lr).toBeGreaterThanOrEqual(1e-4);
      expect(lr).toBeLessThanOrEqual(1e-2);
      expect(c.name).toBe(`one_learningRate-${lr}_episodeLength-${c.envOptions!.episodeLength}`);
      expect([3, 5]).toContain(c.envOptions!.episodeLength);
    }
  });

  it.each([
    [
      { grid: { "algorithm.hyperparameters.learningRat": [0.1] } },
      /^sweep\.grid\["algorithm\.hyperparameters\.learningRat"\]: unknown ppo hyperparameter "learningRat"/,
    ],
    [{ grid: { "hyperparameters.learningRate": [0.1] } }, /^sweep\.grid\["hyperparameters\.learningRate"\]: a sweep path starts with/],
    [{ grid: { "algorithm.hyperparameters.seed": [1] } }, /seed is set by the experiment/],
    [{ grid: { "agents.A[1][1].hyperparameters.learningRate": [1] } }, /has no per-agent algorithm for "A\[1\]\[1\]"/],
    [
      { grid: { "algorithm.hyperparameters.learningRate": [] } },
      /^sweep\.grid\["algorithm\.hyperparameters\.learningRate"\]: needs at least one value/,
    ],
    [
      { grid: { "algorithm.hyperparameters.learningRate": [{}] } },
      /^sweep\.grid\["algorithm\.hyperparameters\.learningRate"\]\[0\]: must be a number/,
    ],
    [
      { random: { "algorithm.hyperparameters.learningRate": { loguniform: [0, 1] } }, samples: 2, seed: 0 },
      /loguniform: needs 0 < low < high/,
    ],
    [{ random: { "algorithm.hyperparameters.learningRate": { uniform: [0, 1] } }, seed: 0 }, /^sweep/],
    [
      { grid: { "algorithm.hyperparameters.learningRate": [0.1] }, conditions: ["nope"] },
      /^sweep\.conditions\[0\]: no condition named "nope"/,
    ],
  ])("bad sweep %j -> an issue naming its path", (sweep, re) => {
    const issues = issuesOf(base(sweep));
    expect(
      issues.some((i) => re.test(i)),
      issues.join("\n"),
    ).toBe(true);
  });

  it("a bad swept value is caught by the algorithm's own checks when the run starts (exit 2)", async () => {
    const work = mkdtempSync(join(tmpdir(), "sg-sweep-bad-"));
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
    const file = join(work, "exp.json");
    writeFileSync(
      file,
      JSON.stringify({ ...base({ grid: { "algorithm.hyperparameters.learningRate": [-1] } }), output: join(work, "results") }),
    );
    expect(await main(["run", file, "--workers", "1", "--no-figures", "--models", join(work, "models")])).toBe(2);
    // The index is that of the expanded condition list (conditions[1] is one_learningRate--1).
    expect(errors.join("\n")).toMatch(/conditions\[1\]\.algorithm\.hyperparameters\.learningRate: must be a finite number > 0, got -1/);
    vi.restoreAllMocks();
  });
});

describe("a sweep runs and resumes", () => {
  let work: string;
  let logs: string[];
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "sg-sweep-"));
    logs = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
    vi.spyOn(process.stderr, "write").mockImplementation((s) => (logs.push(String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it("a grid over two hyperparameters: every setting trained, the best named per metric, an interrupted run resumes", async () => {
    const file = join(work, "exp.json");
    const cfg = {
      ...base({ grid: { "algorithm.hyperparameters.learningRate": [0.0003, 0.03], "algorithm.hyperparameters.clipCoef": [0.1, 0.3] } }),
      output: join(work, "results"),
    };
    writeFileSync(file, JSON.stringify(cfg));
    const args = ["run", file, "--workers", "1", "--no-figures", "--models", join(work, "models")];
    expect(await main([...args, "--out", join(work, "first")])).toBe(0);
    const summary = readFileSync(join(work, "first", "summary.csv"), "utf8");
    const conds = [
      ...new Set(
        summary
          .trim()
          .split("\n")
          .slice(1)
          .map((l) => l.split(",")[0]),
      ),
    ];
    expect(conds).toEqual([
      "analytic",
      "one_learningRate-0.0003_clipCoef-0.1",
      "one_learningRate-0.0003_clipCoef-0.3",
      "one_learningRate-0.03_clipCoef-0.1",
      "one_learningRate-0.03_clipCoef-0.3",
    ]);
    // best_settings.csv: for each metric with a direction, the swept condition with the best mean in summary.csv.
    const rows = (csv: string) =>
      csv
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(","));
    const best = rows(readFileSync(join(work, "first", "best_settings.csv"), "utf8"));
    expect(best.length).toBeGreaterThan(0);
    const means = rows(summary);
    for (const [b, metric, direction, condition, mean] of best) {
      expect(b).toBe("one");
      const swept = means.filter((r) => r[1] === metric && r[0].startsWith("one_")).map((r) => Number(r[2]));
      expect(Number(mean)).toBe(direction === "higher" ? Math.max(...swept) : Math.min(...swept));
      expect(means.find((r) => r[0] === condition && r[1] === metric)![2]).toBe(mean);
    }
    // Interrupted: drop two finished tasks from the store; the next run trains only those and gives the same tables.
    const expDir = join(work, "results", "sweep-tiny");
    const partial = join(expDir, readdirSync(expDir).find((e) => e.startsWith(".partial-"))!);
    expect(readdirSync(partial)).toHaveLength(9); // 4 settings x 2 seeds + the analytic condition, computed once
    rmSync(join(partial, "task-one_learningRate-0.03_clipCoef-0.3-1.json"));
    rmSync(join(partial, "task-one_learningRate-0.0003_clipCoef-0.1-0.json"));
    logs = [];
    expect(await main([...args, "--out", join(work, "second")])).toBe(0);
    expect(logs.join("\n")).toMatch(/resuming sweep-tiny: 7 of 9 tasks already done/);
    expect(logs.join("\n")).toMatch(/2 tasks run, 7 resumed/);
    for (const f of ["metrics.csv", "summary.csv", "best_settings.csv"])
      expect(readFileSync(join(work, "second", f), "utf8")).toBe(readFileSync(join(work, "first", f), "utf8"));
  }, 120_000);
});
