import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { parseCsv } from "../io/csv.js";

/**
 * docs/extending.md's worked examples, run end to end through the CLI entry (`supplygym run` with `plugins`): the
 * plugin docs/examples/my-extensions.ts registers a strategy, a metric and an algorithm; docs/examples/
 * cartpole-scenario.ts registers a scenario. The experiment files are copied into a temporary folder with their
 * plugin paths rewritten relative to the copy, so the results stay out of the repository.
 */
const root = join(import.meta.dirname, "..", "..");
const examples = join(root, "docs", "examples");
const tmp = mkdtempSync(join(tmpdir(), "sg-extending-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyExperiment(name: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const raw = JSON.parse(readFileSync(join(examples, name), "utf8")) as { plugins: string[]; output?: string };
  raw.plugins = raw.plugins.map((p) => relative(dir, join(examples, p)));
  raw.output = join(dir, "results");
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const csv = (dir: string, f: string) => parseCsv(readFileSync(join(dir, f), "utf8"));

describe("docs/extending.md worked examples", () => {
  it("a plugin's strategy, metric and algorithm run with `supplygym run` on two workers", async () => {
    const file = copyExperiment("my-experiment.json", join(tmp, "market"));
    const out = join(tmp, "market", "run");
    const r = await cli(["run", file, "--out", out, "--workers", "2", "--no-figures", "--models", join(tmp, "market", "models")]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const metrics = csv(out, "metrics.csv");
    const value = (c: string, m: string, seed = "0") =>
      Number(metrics.find((x) => x.condition === c && x.seed === seed && x.metric === m)?.value);
    for (const c of ["analytic", "bid-80", "random-shade", "learned-short"])
      expect(Number.isFinite(value(c, "market/mean_price")), c).toBe(true);
    expect(value("bid-80", "market/mean_price")).not.toBe(value("analytic", "market/mean_price"));
    expect(value("random-shade", "market/mean_price")).not.toBe(value("analytic", "market/mean_price"));
    const episodes = csv(out, "episodes.csv");
    const strategies = [...new Set(episodes.filter((x) => x.agent === "A[1][1]").map((x) => `${x.condition}=${x.strategy}`))].sort();
    expect(strategies).toEqual(["analytic=truthful", "bid-80=scaled", "learned-short=learned:ppo-short", "random-shade=random-shade"]);
    const curves = csv(out, "learning_curves.csv");
    expect(curves.some((x) => x.condition === "learned-short" && x.metric === "rollout/episode_return_mean")).toBe(true);
    // ppo-short's 32-step rollouts on 2 envs: the curve has a point every 64 steps
    expect([...new Set(curves.filter((x) => x.condition === "learned-short").map((x) => Number(x.step)))].sort((a, b) => a - b)).toEqual([
      64, 128,
    ]);
    const comparison = csv(out, "comparison.csv");
    // both conditions train nothing (computed once); the difference is paired on the evaluation draws, never p = 0
    const bid = comparison.find((x) => x.condition === "bid-80" && x.metric === "market/mean_price")!;
    expect(bid.test).toMatch(/^pigeonhole bootstrap of the difference: paired on evaluation episodes/);
    expect(bid.p_value).not.toBe("0");

    // evaluate: the saved policies and the strategies again, without training: the same metrics.csv
    const again = join(tmp, "market", "evaluate");
    const e = await cli(["evaluate", file, "--models", join(tmp, "market", "models"), "--out", again, "--workers", "1", "--no-figures"]);
    expect(e.err).toBe("");
    expect(e.code).toBe(0);
    expect(readFileSync(join(again, "metrics.csv"), "utf8")).toBe(readFileSync(join(out, "metrics.csv"), "utf8"));
    // compare: the run with itself evaluated (same fingerprint), one table, paired on the evaluation episodes
    const both = join(tmp, "market", "compare");
    const c = await cli(["compare", out, again, "--out", both, "--plugin", join(examples, "my-extensions.ts")]);
    expect(c.err).toBe("");
    expect(c.code).toBe(0);
    const combined = csv(both, "comparison.csv");
    // the evaluated copy of the baseline's run: its scripted condition reproduces bid-80's cells, the analytic one the baseline's
    const copy = combined.find((x) => x.condition === "my-extensions-evaluate:analytic" && x.metric === "market/mean_price")!;
    expect(copy).toMatchObject({ difference: "0", p_value: "", note: "deterministic" });
  }, 240_000);

  it("a plugin's scenario runs with `supplygym run`", async () => {
    const file = copyExperiment("cartpole-experiment.json", join(tmp, "cartpole"));
    const out = join(tmp, "cartpole", "run");
    const r = await cli(["run", file, "--out", out, "--workers", "1", "--no-figures", "--models", join(tmp, "cartpole", "models")]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const metrics = csv(out, "metrics.csv");
    expect(
      metrics
        .filter((x) => x.metric === "cartpole/return")
        .map((x) => x.condition)
        .sort(),
    ).toEqual(["ppo", "ppo", "random", "random"]);
    expect(csv(out, "episodes.csv").length).toBe(2 * 2 * 3);
  }, 240_000);

  it("a plugin that fails to load, registers a taken name or does not exist: exit 2 naming the file", async () => {
    const dir = join(tmp, "bad");
    mkdirSync(dir, { recursive: true });
    const index = join(root, "src", "index.ts");
    writeFileSync(
      join(dir, "taken.ts"),
      `import { registerStrategy } from ${JSON.stringify(index)};\nregisterStrategy("scaled", () => ({ act: () => [] }));\n`,
    );
    writeFileSync(join(dir, "broken.ts"), `throw new Error("boom");\n`);
    const experiment = join(dir, "e.json");
    const write = (plugins: string[]) =>
      writeFileSync(
        experiment,
        JSON.stringify({
          name: "bad",
          plugins,
          scenario: "market",
          env: { id: "MarketBiddingParallel-v0" },
          conditions: [{ name: "a" }],
          output: join(dir, "results"),
        }),
      );
    write(["taken.ts"]);
    let r = await cli(["run", experiment, "--out", join(dir, "r1")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/plugin .*taken\.ts: registration failed: strategy "scaled" is already registered/);
    write(["broken.ts"]);
    r = await cli(["run", experiment, "--out", join(dir, "r2")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/plugin .*broken\.ts: failed to load: boom/);
    write(["missing.ts"]);
    r = await cli(["run", experiment, "--out", join(dir, "r3")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/e\.json: plugins\[0\]: no such file "missing\.ts"/);
    write([]);
    r = await cli(["run", experiment, "--plugin", join(dir, "nope.ts"), "--out", join(dir, "r4")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--plugin .*nope\.ts: no such file/);
    // a factory's ConfigError lands at its JSON path inside the condition's strategy options
    writeFileSync(
      experiment,
      JSON.stringify({
        name: "bad",
        plugins: [relative(dir, join(examples, "my-extensions.ts"))],
        scenario: "market",
        env: { id: "MarketBiddingParallel-v0" },
        conditions: [{ name: "a", strategies: { "A[1][1]": { name: "random-shade", options: { low: 1.5, high: 1 } } } }],
        output: join(dir, "results"),
      }),
    );
    r = await cli(["run", experiment, "--out", join(dir, "r5")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/conditions\[0\]\.strategies\.A\[1\]\[1\]\.options\.low: 1\.5 must not exceed high \(1\)/);
  });
});
