import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsv } from "../io/csv.js";
import { UsageError } from "../io/errors.js";
import { decodeJson, encodeJson, PartialStore } from "./partial.js";
import { createProgress } from "./progress.js";
import { runPool } from "./pool.js";
import { formatSummary, MAX_PRINTED_AGENTS, ownProfitMetrics, runExperiment, summaryFormatOf, type RunOptions } from "./runner.js";
import { resolveExperiment } from "./schema.js";
import { buildTasks } from "./task.js";

const fakeTask = { module: fileURLToPath(new URL("./testing/fake-task.ts", import.meta.url)) };
const tmp = mkdtempSync(join(tmpdir(), "sg-runner-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cfg = resolveExperiment({
  name: "fake",
  scenario: "market",
  env: { id: "Fake-v0" },
  conditions: [{ name: "analytic" }, { name: "one-learned", learned: ["A[1][1]"] }, { name: "all-learned", learned: "all" }],
  seeds: { count: 3 },
});

/** A quiet, non-TTY progress sink that records its lines. */
function sink(): { lines: string[]; progress: RunOptions["progress"] } {
  const lines: string[] = [];
  const stream = {
    write: (s: string) => (lines.push(...s.split("\n").filter(Boolean)), true),
    isTTY: false,
  } as unknown as NodeJS.WritableStream;
  return { lines, progress: { stream } };
}

function csvs(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".csv"))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), "utf8")]),
  );
}

describe("the printed summary's own profits", () => {
  const rowsFor = (agents: string[]) =>
    ["profit/total", ...agents.map((a) => `profit/${a}`)].map((metric) => ({
      condition: "analytic",
      metric,
      mean: 1,
      std: 0,
      ci_low: NaN,
      ci_high: NaN,
      n: 5,
      n_seeds: 1,
      n_episodes: 5,
      interval: "none",
      note: "deterministic",
    }));
  const market = (conditions: object[]) => resolveExperiment({ name: "m", scenario: "market", env: { id: "Fake-v0" }, conditions });

  it("names every agent a condition learns or plays by a strategy, not only learned lists", () => {
    const six = ["A[0][0]", "A[0][1]", "A[1][0]", "A[1][1]"];
    const c = market([{ name: "analytic" }, { name: "br" }, { name: "one", learned: ["A[1][1]"] }]);
    c.conditions[1].strategies = { "A[0][1]": { name: "best-response", options: {} } }; // as resolveExperiment writes it
    expect(ownProfitMetrics(c, rowsFor(six))).toEqual({ metrics: ["profit/A[0][1]", "profit/A[1][1]"], omitted: 0 });
  });

  it('learned: "all" adds every agent of the run, up to MAX_PRINTED_AGENTS; beyond, the legend says where the others are', () => {
    const c = market([{ name: "analytic" }, { name: "all", learned: "all" }]);
    expect(ownProfitMetrics(c, rowsFor(["b", "a"])).metrics).toEqual(["profit/a", "profit/b"]);
    const many = Array.from({ length: MAX_PRINTED_AGENTS + 5 }, (_, i) => `p${String(i).padStart(3, "0")}`);
    expect(ownProfitMetrics(c, rowsFor(many))).toEqual({ metrics: [], omitted: MAX_PRINTED_AGENTS + 5 });
    const f = summaryFormatOf(c, ["profit/total"], { summary: rowsFor(many), comparison: [] });
    expect(f.metrics).toEqual(["profit/total"]);
    expect(f.notes?.join("\n")).toMatch(/profits of 15 more agents .* summary\.csv/);
    expect(formatSummary(rowsFor(many), f)).toMatch(/profits of 15 more agents/);
  });
});

describe("task list", () => {
  it("is conditions x seeds, condition-major; an all-analytic condition runs once (its seeds would be copies)", () => {
    const tasks = buildTasks(cfg);
    expect(tasks.map((t) => `${t.condition.name}:${t.seed}`)).toEqual([
      "analytic:0",
      "one-learned:0",
      "one-learned:1",
      "one-learned:2",
      "all-learned:0",
      "all-learned:1",
      "all-learned:2",
    ]);
    expect(tasks.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe("runExperiment with a fake task", () => {
  let firstRun = "";

  it("writes the run directory: tables, figures, manifest; keeps the finished tasks", async () => {
    const root = join(tmp, "a");
    const { lines, progress } = sink();
    const out = await runExperiment(cfg, { task: fakeTask, workers: 1, root, runId: "r1", progress, configFile: "fake.json" });
    firstRun = out.path;
    expect(out.path).toBe(join(root, "fake", "r1"));
    expect(out.ran).toBe(7);
    expect(out.resumed).toBe(0);
    const files = readdirSync(out.path).sort();
    for (const f of [
      "metrics.csv",
      "episode_metrics.csv",
      "summary.csv",
      "comparison.csv",
      "aggregates.csv",
      "metrics_dictionary.csv",
      "learning_curves.csv",
      "episodes.csv",
      "price_paths.csv",
      "manifest.json",
      "learning_curves.svg",
      "learning_curves.png",
      "learning_curves.pdf",
      "learning_curves.vl.json",
      "agent_profit.svg",
      "efficiency_fairness.svg",
      "price_paths-analytic.svg",
    ]) {
      expect(files).toContain(f);
    }
    const metrics = parseCsv(readFileSync(join(out.path, "metrics.csv"), "utf8"));
    expect(metrics[0]).toMatchObject({ condition: "analytic", seed: "0", metric: "efficiency/first_best", value: "1" });
    const summary = parseCsv(readFileSync(join(out.path, "summary.csv"), "utf8"));
    const eff = summary.find((r) => r.condition === "all-learned" && r.metric === "efficiency/first_best")!;
    expect(Number(eff.mean)).toBeLessThan(1);
    expect(eff.n).toBe("15");
    expect(eff.n_seeds).toBe("3");
    expect(eff.n_episodes).toBe("5");
    expect(eff.interval).toMatch(/^pigeonhole bootstrap/);
    const analyticEff = summary.find((r) => r.condition === "analytic" && r.metric === "efficiency/first_best")!;
    expect(analyticEff).toMatchObject({ mean: "1", ci_low: "", ci_high: "", note: "deterministic" });
    const comparison = parseCsv(readFileSync(join(out.path, "comparison.csv"), "utf8"));
    expect(
      comparison.every(
        (r) => r.baseline === "analytic" && r.test.startsWith("pigeonhole bootstrap of the difference: paired on evaluation episodes"),
      ),
    ).toBe(true);
    expect(comparison.every((r) => r.p_value !== "0")).toBe(true);
    const tested = comparison.filter((r) => r.p_value !== "");
    expect(tested.length).toBeGreaterThan(0);
    expect(
      tested.every(
        (r) => Number(r.p_holm) >= Number(r.p_value) && Number(r.p_bh) >= Number(r.p_value) && Number(r.p_bh) <= Number(r.p_holm) + 1e-12,
      ),
    ).toBe(true);
    const aggregates = parseCsv(readFileSync(join(out.path, "aggregates.csv"), "utf8"));
    expect(aggregates.find((r) => r.condition === "one-learned" && r.metric === "profit/A[1][1]")).toMatchObject({
      baseline: "analytic",
      higher_is_better: "true",
    });
    const dictionary = parseCsv(readFileSync(join(out.path, "metrics_dictionary.csv"), "utf8"));
    expect(dictionary.find((r) => r.metric === "efficiency/first_best")).toMatchObject({ unit: "ratio", higher_is_better: "true" });
    expect(dictionary.find((r) => r.metric === "efficiency/first_best")!.aggregation).toMatch(
      /^ratio of sums over training seeds x evaluation episodes/,
    );
    expect(comparison.filter((r) => r.metric === "efficiency/first_best").map((r) => r.condition)).toEqual(["one-learned", "all-learned"]);
    const manifest = JSON.parse(readFileSync(join(out.path, "manifest.json"), "utf8"));
    expect(manifest.config.name).toBe("fake");
    expect(manifest.seeds).toEqual([0, 1, 2]);
    expect(manifest.tasks).toHaveLength(7);
    expect(manifest.deterministic_conditions.map((d: { condition: string }) => d.condition)).toEqual(["analytic"]);
    expect(manifest.fingerprint).toMatchObject({ scenario: "market", env: { id: "Fake-v0" }, evaluation: { seed: 1000, episodes: 10 } });
    expect(manifest.config_file).toBe("fake.json");
    expect(typeof manifest.timings_s.tasks).toBe("number");
    const hidden = readdirSync(join(root, "fake")).filter((f) => f.startsWith("."));
    expect(hidden).toHaveLength(1); // the task store, no staging directory
    expect(hidden[0]).toMatch(/^\.partial-/);
    expect(readdirSync(join(root, "fake", hidden[0]))).toHaveLength(7);
    expect(lines.filter((l) => l.includes("done")).length).toBe(7);
    const text = formatSummary(out.summary, { metrics: ["efficiency/first_best"], comparison: out.comparison, baseline: "analytic" });
    expect(text).toMatch(/efficiency\/first_best\s+1\.000 \(exact\)/);
    expect(text).toMatch(/p_holm/);
    expect(text).toMatch(/baseline: analytic/);
    expect(text).toMatch(/analytic 1 seed x 5 episodes; one-learned 3 seeds x 5 episodes/);
    expect(text).toMatch(
      /p_holm: Holm-corrected over the \d+ tests of comparison\.csv \(never below [0-9.e-]+ here: a bootstrap p is at least 2\/\(B\+1\)\)/,
    );
  });

  it("is deterministic: a fresh second run runs every task again, gives identical CSVs in a new directory and leaves the first alone", async () => {
    const root = join(tmp, "a");
    const before = csvs(firstRun);
    const log = join(tmp, "fresh.log");
    const out = await runExperiment(cfg, {
      task: fakeTask,
      workers: 1,
      root,
      runId: "r1",
      progress: sink().progress,
      figures: false,
      fresh: true,
      taskOptions: { logFile: log },
    });
    expect(out.path).toBe(join(root, "fake", "r1-2")); // never overwrites
    expect(out.ran).toBe(7);
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(7);
    expect(csvs(out.path)).toEqual(before);
    expect(csvs(firstRun)).toEqual(before);
  });

  it("rerunning a finished experiment reuses its finished tasks (none runs) and writes a new run directory from them", async () => {
    const root = join(tmp, "a");
    const before = csvs(firstRun);
    const log = join(tmp, "rerun.log");
    const { lines, progress } = sink();
    const out = await runExperiment(cfg, {
      task: fakeTask,
      workers: 1,
      root,
      runId: "r1",
      progress,
      figures: false,
      taskOptions: { logFile: log },
    });
    expect(out.path).toBe(join(root, "fake", "r1-3"));
    expect({ ran: out.ran, resumed: out.resumed }).toEqual({ ran: 0, resumed: 7 });
    expect(existsSync(log)).toBe(false); // no task ran
    expect(lines.some((l) => l.startsWith("reusing fake: all 7 tasks finished in an earlier run"))).toBe(true);
    expect(csvs(out.path)).toEqual(before);
  });

  it("refuses an existing --out before running any task", async () => {
    const log = join(tmp, "refuse.log");
    await expect(
      runExperiment(cfg, {
        task: fakeTask,
        workers: 1,
        root: join(tmp, "a"),
        out: firstRun,
        progress: sink().progress,
        taskOptions: { logFile: log },
      }),
    ).rejects.toThrow(UsageError);
    expect(existsSync(log)).toBe(false);
  });

  it("resumes after an interruption: only the unfinished tasks run again", async () => {
    const root = join(tmp, "resume");
    const log = join(tmp, "resume.log");
    await expect(
      runExperiment(cfg, {
        task: fakeTask,
        workers: 1,
        root,
        progress: sink().progress,
        figures: false,
        taskOptions: { logFile: log, failOn: "one-learned:1" },
      }),
    ).rejects.toThrow(/task-one-learned-1 failed: simulated failure/);
    // nothing committed, two tasks saved
    const expDir = join(root, "fake");
    const entries = readdirSync(expDir);
    expect(entries.filter((e) => !e.startsWith("."))).toEqual([]);
    const partial = entries.find((e) => e.startsWith(".partial-"))!;
    expect(readdirSync(join(expDir, partial)).sort()).toEqual(["task-analytic-0.json", "task-one-learned-0.json"]);
    writeFileSync(log, "");
    const { lines, progress } = sink();
    const out = await runExperiment(cfg, { task: fakeTask, workers: 1, root, progress, figures: false, taskOptions: { logFile: log } });
    expect(out.resumed).toBe(2);
    expect(out.ran).toBe(5);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "one-learned:1",
      "one-learned:2",
      "all-learned:0",
      "all-learned:1",
      "all-learned:2",
    ]);
    expect(lines.some((l) => l.startsWith("resuming fake: 2 of 7"))).toBe(true);
    expect(csvs(out.path)).toEqual(csvs(firstRun)); // same numbers as the uninterrupted run
    expect(readdirSync(join(expDir, partial))).toHaveLength(7); // every task kept for the next run
  });

  it("a changed experiment does not reuse another configuration's partial results", async () => {
    const root = join(tmp, "changed");
    const log = join(tmp, "changed.log");
    await expect(
      runExperiment(cfg, {
        task: fakeTask,
        workers: 1,
        root,
        progress: sink().progress,
        figures: false,
        taskOptions: { logFile: log, failOn: "all-learned:0" },
      }),
    ).rejects.toThrow();
    const other = resolveExperiment({
      ...structuredClone(cfg),
      conditions: [{ name: "analytic" }],
      seeds: [0],
      training: { totalSteps: 7, numEnvs: 1 },
      metrics: undefined,
      baseline: undefined,
    } as never);
    writeFileSync(log, "");
    const out = await runExperiment(other, {
      task: fakeTask,
      workers: 1,
      root,
      progress: sink().progress,
      figures: false,
      taskOptions: { logFile: log },
    });
    expect(out.resumed).toBe(0);
    expect(readFileSync(log, "utf8").trim()).toBe("analytic:0");
  });

  it("two worker threads give the same CSVs as one inline worker", async () => {
    const { lines, progress } = sink();
    const threads = join(tmp, "threads.log");
    const out = await runExperiment(cfg, {
      task: fakeTask,
      workers: 2,
      root: join(tmp, "parallel"),
      progress,
      figures: false,
      taskOptions: { threadLog: threads },
    });
    const ids = new Set(readFileSync(threads, "utf8").trim().split("\n"));
    expect(ids.size).toBe(2); // two worker threads shared the tasks
    expect(ids.has("0")).toBe(false); // none ran in the main thread
    expect(csvs(out.path)).toEqual(csvs(firstRun));
    const manifest = JSON.parse(readFileSync(join(out.path, "manifest.json"), "utf8"));
    expect(manifest.workers).toBe(2);
    expect(lines.filter((l) => l.includes("start")).length).toBe(7);
  });

  it("a task failing in a worker thread rejects with the task's name and keeps the finished tasks", async () => {
    const root = join(tmp, "thread-fail");
    const { lines, progress } = sink();
    await expect(
      runExperiment(cfg, {
        task: fakeTask,
        workers: 2,
        root,
        progress,
        figures: false,
        taskOptions: { failOn: "all-learned:2", sleepMs: 5 },
      }),
    ).rejects.toThrow(/task-all-learned-2 failed: simulated failure/);
    expect(readdirSync(join(root, "fake")).filter((e) => !e.startsWith("."))).toEqual([]);
    // the tasks that finished before the failure are kept in the partial directory
    const partial = readdirSync(join(root, "fake")).find((e) => e.startsWith(".partial-"))!;
    const kept = readdirSync(join(root, "fake", partial));
    // which tasks finished first depends on how fast each worker thread starts; every one reported done is kept
    const reported = lines.filter((l) => / done /.test(l)).map((l) => `${l.trim().split(/\s+/)[2]}.json`);
    expect(reported.length).toBeGreaterThan(0);
    for (const f of reported) expect(kept).toContain(f);
    expect(kept).not.toContain("task-all-learned-2.json");
  });
});

describe("runPool", () => {
  it("rejects a worker count below 1 and does nothing for no tasks", async () => {
    await expect(runPool(buildTasks(cfg), { task: fakeTask, workers: 0, onResult() {} })).rejects.toThrow(/positive integer/);
    let called = 0;
    await runPool([], { task: fakeTask, workers: 2, onResult: () => void called++ });
    expect(called).toBe(0);
  });
  it("a module without the export fails clearly", async () => {
    await expect(
      runPool(buildTasks(cfg).slice(0, 1), { task: { ...fakeTask, export: "nope" }, workers: 1, onResult() {} }),
    ).rejects.toThrow(/does not export a function "nope"/);
  });
});

describe("partial store", () => {
  it("keeps NaN and infinities through JSON", () => {
    expect(decodeJson(encodeJson({ a: NaN, b: [Infinity, -Infinity, 1], c: null }))).toEqual({
      a: NaN,
      b: [Infinity, -Infinity, 1],
      c: null,
    });
  });
  it("ignores corrupt files and files of another task", () => {
    const store = PartialStore.forExperiment(cfg, join(tmp, "store"));
    const tasks = buildTasks(cfg);
    store.save(tasks[0], { metrics: { x: NaN } });
    writeFileSync(store.file(tasks[1]), "{ truncated");
    writeFileSync(store.file(tasks[2]), readFileSync(store.file(tasks[0])));
    const skipped: string[] = [];
    const loaded = store.load(tasks, (f, why) => skipped.push(why));
    expect([...loaded.keys()]).toEqual([0]);
    expect(loaded.get(0)!.result.metrics.x).toBeNaN();
    expect(skipped).toHaveLength(2);
    expect(skipped.join(" ")).toMatch(/unreadable/);
    expect(skipped.join(" ")).toMatch(/another task/);
  });
});

describe("progress display", () => {
  it("plain lines off a TTY", () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => (lines.push(s), true), isTTY: false } as unknown as NodeJS.WritableStream;
    const p = createProgress({ total: 2, stream });
    p.start("task-a-0");
    p.update("task-a-0", 0.5);
    p.finish("task-a-0");
    p.stop();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("[0/2] start  task-a-0\n");
    expect(lines[1]).toMatch(/^\[1\/2\] done   task-a-0 \(\d+\.\d s\)\n$/);
  });
  it("a single bar on a TTY", () => {
    let text = "";
    const stream = {
      write: (s: string) => ((text += s), true),
      isTTY: true,
      columns: 120,
      cursorTo() {},
      clearLine() {},
      moveCursor() {},
      on() {},
      removeListener() {},
    } as unknown as NodeJS.WritableStream;
    const p = createProgress({ total: 4, done: 1, stream, tty: true });
    p.start("task-a-0");
    p.update("task-a-0", 0.5);
    p.stop();
    expect(text).toMatch(/1\/4 tasks/);
  });
});
