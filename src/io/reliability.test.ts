import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { saveCheckpoint, listCheckpoints, type Checkpoint } from "../rl/checkpoint.js";
import { errnoError, setWriteFaultForTests } from "./atomic.js";
import { UsageError } from "./errors.js";
import { hostTag, Lock, LockHeldError, pidAlive, sweepStale } from "./lock.js";
import { checkName, resolveInside } from "./names.js";
import { RunDir } from "./run-dir.js";
import { PartialStore } from "../experiments/partial.js";
import { experimentHash, resolveExperiment } from "../experiments/schema.js";
import { tinyMarketExperiment } from "../experiments/testing/tiny-market.js";

const tmp = mkdtempSync(join(tmpdir(), "sg-rel-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The pid of a process that has exited (so it is certainly dead, barring reuse within the test). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

describe("the name rule", () => {
  it("accepts plain names and refuses .., separators, absolute paths and hidden names, naming the field", () => {
    for (const ok of ["default", "a.b-c_d", "2026", "x..y"]) expect(checkName("name", ok)).toBe(ok);
    for (const bad of ["..", ".", "", "../x", "a/b", "a\\b", "/etc", "C:x", ".hidden", "-x", "a b", "x".repeat(101)]) {
      expect(() => checkName("conditions[0].name", bad)).toThrow(UsageError);
      expect(() => checkName("conditions[0].name", bad)).toThrow(/^conditions\[0\]\.name: must be/);
    }
  });

  it("resolveInside checks the joined path after path.resolve", () => {
    expect(resolveInside(tmp, ["exp", "run"], "name")).toBe(join(resolve(tmp), "exp", "run"));
    expect(() => resolveInside(tmp, ["..", "run"], "name")).toThrow(/^name:/);
  });
});

describe("locks", () => {
  it("a second acquire refuses with exit 2 naming the holder; release frees it", () => {
    const f = join(tmp, "a.lock");
    const l = Lock.acquire(f, { what: "thing A" });
    let err: unknown;
    try {
      Lock.acquire(f, { what: "thing A" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toContain(`pid ${process.pid} on ${os.hostname()}`);
    expect((err as Error).message).toContain("thing A is in use");
    l.release();
    expect(existsSync(f)).toBe(false);
    Lock.acquire(f, { what: "thing A" }).release();
  });

  it("breaks a stale lock of a dead process on this host, never one of another host", () => {
    const f = join(tmp, "b.lock");
    writeFileSync(f, JSON.stringify({ pid: deadPid(), host: os.hostname(), started_at: "2020-01-01T00:00:00Z", command: "x", what: "y" }));
    const l = Lock.acquire(f, { what: "B" });
    expect(JSON.parse(readFileSync(f, "utf8")).pid).toBe(process.pid);
    l.release();
    writeFileSync(
      f,
      JSON.stringify({ pid: deadPid(), host: "some-other-host", started_at: "2020-01-01T00:00:00Z", command: "x", what: "y" }),
    );
    expect(() => Lock.acquire(f, { what: "B" })).toThrow(/some-other-host.*if that process is gone delete/);
    rmSync(f);
  });

  it("waits for a lock when asked (queue workers) and takes it once released", async () => {
    const f = join(tmp, "c.lock");
    const child = spawn(process.execPath, [
      "-e",
      `const fs=require("fs");fs.writeFileSync(${JSON.stringify(f)}, JSON.stringify({pid:process.pid,host:require("os").hostname(),started_at:"now",command:"child",what:"C"}),{flag:"wx"});setTimeout(()=>{fs.rmSync(${JSON.stringify(f)});process.exit(0)},400)`,
    ]);
    for (let i = 0; i < 100 && !existsSync(f); i++) await new Promise((r) => setTimeout(r, 20));
    expect(() => Lock.acquire(f, { what: "C" })).toThrow(LockHeldError);
    const l = Lock.acquire(f, { what: "C", wait: 10_000 });
    expect(JSON.parse(readFileSync(f, "utf8")).pid).toBe(process.pid);
    l.release();
    await new Promise((r) => child.once("exit", r));
  });
});

describe("stale staging", () => {
  it("sweeps staging folders and temp files of dead processes, keeps those of live ones and other hosts", () => {
    const dir = join(tmp, "sweep");
    mkdirSync(dir);
    const dead = deadPid();
    const names = {
      deadNew: `.tmp-run1-${dead}-${hostTag()}`,
      deadOld: `.tmp-run2-${dead}`,
      deadAtomic: `.task-a-0.json.${dead}.abc123.tmp`,
      live: `.tmp-run3-${process.pid}-${hostTag()}`,
      otherHost: `.tmp-run4-${dead}-hotherhost`,
      result: "20260101-000000-000",
    };
    for (const n of Object.values(names)) mkdirSync(join(dir, n));
    expect(pidAlive(dead)).toBe(false);
    const removed = sweepStale(dir)
      .map((p) => p.slice(dir.length + 1))
      .sort();
    expect(removed).toEqual([names.deadAtomic, names.deadNew, names.deadOld].sort());
    expect(readdirSync(dir).sort()).toEqual([names.live, names.otherHost, names.result].sort());
  });

  it("sweeps lock files whose holder is dead on this host, keeps those of live holders and other hosts", () => {
    const dir = join(tmp, "sweep-locks");
    mkdirSync(dir);
    const holder = (pid: number, host = os.hostname()) =>
      JSON.stringify({ pid, host, started_at: "2026-01-01T00:00:00Z", command: "supplygym run x", what: "x" });
    const dead = deadPid();
    writeFileSync(join(dir, ".20260101-000000-000.lock"), holder(dead));
    writeFileSync(join(dir, ".partial-abc.lock.break"), holder(dead));
    writeFileSync(join(dir, ".20260101-000000-001.lock"), holder(process.pid));
    writeFileSync(join(dir, ".20260101-000000-002.lock"), holder(dead, "some-other-host"));
    writeFileSync(join(dir, ".20260101-000000-003.lock"), ""); // being written: not judged here
    const removed = sweepStale(dir).map((p) => p.slice(dir.length + 1));
    expect(removed.sort()).toEqual([".20260101-000000-000.lock", ".partial-abc.lock.break"]);
    expect(readdirSync(dir).sort()).toEqual([".20260101-000000-001.lock", ".20260101-000000-002.lock", ".20260101-000000-003.lock"]);
  });

  it("RunDir.open sweeps beside itself", () => {
    const root = join(tmp, "rd");
    const stale = join(root, "exp", `.tmp-old-${deadPid()}-${hostTag()}`);
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, "metrics.csv"), "half");
    const d = RunDir.open({ experiment: "exp", root, runId: "r1" });
    expect(existsSync(stale)).toBe(false);
    d.abort();
  });
});

describe("RunDir under races and faults", () => {
  afterEach(() => setWriteFaultForTests(undefined));

  it("a commit that loses the race keeps its staged results where the message says", () => {
    const out = join(tmp, "race", "run");
    const d = RunDir.open({ experiment: "x", out });
    d.writeText("a.csv", "x\n1\n");
    mkdirSync(out); // someone else (not a supplygym process) made it meanwhile
    writeFileSync(join(out, "other"), "theirs");
    let msg = "";
    try {
      d.commit();
    } catch (e) {
      msg = (e as Error).message;
    }
    const kept = /results left in (.*)\)$/.exec(msg)?.[1];
    expect(kept).toBe(d.staging);
    expect(readFileSync(join(kept!, "a.csv"), "utf8")).toBe("x\n1\n");
    d.abort(); // the exit handler's abort must not delete it either
    expect(existsSync(join(kept!, "a.csv"))).toBe(true);
    expect(readFileSync(join(out, "other"), "utf8")).toBe("theirs");
  });

  it("a second process on the same --out refuses while the first holds it", () => {
    const out = join(tmp, "held", "run");
    const d = RunDir.open({ experiment: "x", out });
    expect(() => RunDir.open({ experiment: "x", out })).toThrow(/is in use by another supplygym process/);
    d.abort();
    expect(existsSync(join(tmp, "held"))).toBe(false); // the folder it created is gone again
  });

  it("refuses Inf in a CSV (naming file, row and column), writes NaN", () => {
    const d = RunDir.open({ experiment: "x", root: join(tmp, "inf"), runId: "r" });
    expect(() =>
      d.writeCsv(
        "m.csv",
        ["a", "b"],
        [
          { a: 1, b: NaN },
          { a: Infinity, b: 2 },
        ],
      ),
    ).toThrow(/^m\.csv: row 2, column a is Infinity/);
    d.writeCsv("n.csv", ["a"], [{ a: NaN }]);
    d.abort();
  });

  it("disk full (ENOSPC, injected) while writing results: one line, exit 2, nothing left; the same command then works", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
    vi.spyOn(console, "log").mockImplementation(() => {});
    const dir = join(tmp, "enospc");
    mkdirSync(dir);
    const out = join(dir, "run");
    setWriteFaultForTests((p) => {
      if (p.endsWith("manifest.json")) throw errnoError("ENOSPC", "write", p);
    });
    const code = await main(["equilibrium", "experiments/kaihara-paper.json", "--out", out]);
    expect(code).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^supplygym: .*manifest\.json: write: no space left on the device \(ENOSPC\); nothing half-written/);
    expect(errors[0]).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual([]);
    setWriteFaultForTests(undefined);
    expect(await main(["equilibrium", "experiments/kaihara-paper.json", "--out", out])).toBe(0);
    expect(existsSync(join(out, "manifest.json"))).toBe(true);
    vi.restoreAllMocks();
  });

  it("disk full while a run's task saves its policy: one line, exit 2, no temp or lock file; the same command then finishes", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
    vi.spyOn(console, "log").mockImplementation(() => {});
    const dir = mkdtempSync(join(tmp, "enospc-run-"));
    const file = join(dir, "full.json");
    writeFileSync(file, JSON.stringify(tinyMarketExperiment({ name: "full", output: join(dir, "results") })));
    const args = ["run", file, "--workers", "1", "--no-figures", "--models", join(dir, "models")];
    setWriteFaultForTests((p) => {
      if (p.includes(".policy.json")) throw errnoError("ENOSPC", "write", p);
    });
    expect(await main(args)).toBe(2);
    setWriteFaultForTests(undefined);
    expect(errors.at(-1)).toMatch(/^supplygym: task-one-0: .*policy\.json.*: write: no space left on the device \(ENOSPC\)/);
    expect(errors.join("\n")).not.toMatch(/\n\s+at /);
    const left = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.tmp|\.lock$/.test(f));
    expect(left).toEqual([]);
    expect(await main(args)).toBe(0);
    vi.restoreAllMocks();
  }, 60_000);

  it("train keeps its previous checkpoint when writing a new one fails", () => {
    const dir = join(tmp, "ckpt");
    const ckpt = (step: number) =>
      ({
        format: "supplygym-checkpoint",
        version: 1,
        config: {},
        backend: "cpu",
        learner: { globalStep: step },
        curve: [],
        createdAt: "t",
      }) as unknown as Checkpoint;
    saveCheckpoint(dir, ckpt(100), { p: 1 });
    setWriteFaultForTests((p) => {
      if (p.endsWith("policy.json")) throw errnoError("ENOSPC", "write", p);
    });
    expect(() => saveCheckpoint(dir, ckpt(200), { p: 2 })).toThrow(/ENOSPC/);
    setWriteFaultForTests(undefined);
    expect(listCheckpoints(dir)).toEqual(["step-0000000100"]);
    expect(readdirSync(dir)).toEqual(["step-0000000100"]); // no temp folder left
    expect(JSON.parse(readFileSync(join(dir, "step-0000000100", "policy.json"), "utf8"))).toEqual({ p: 1 });
  });
});

describe("the CLI as a process", () => {
  const cli = resolve("src/cli.ts");
  const tsx = resolve("node_modules/.bin/tsx");
  const runCli = (args: string[], cwd: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      const child = spawn(tsx, [cli, ...args], { cwd, env: { ...process.env, FORCE_COLOR: "0" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("exit", (code) => done({ code: code ?? -1, stdout, stderr }));
    });
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmp, "proc-"));
  });

  it("two concurrent runs of one --out: one commits, the other refuses or reports where its results are; nothing lost", async () => {
    const out = join(work, "same");
    const [a, b] = await Promise.all([
      runCli(["equilibrium", resolve("experiments/kaihara-paper.json"), "--out", out], work),
      runCli(["equilibrium", resolve("experiments/kaihara-paper.json"), "--out", out], work),
    ]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 2]);
    const loser = a.code === 2 ? a : b;
    expect(loser.stderr).not.toMatch(/\n\s+at /);
    expect(loser.stderr).toMatch(/already exists|in use by another supplygym process|results left in/);
    const kept = /results left in (.*)\)/.exec(loser.stderr)?.[1];
    if (kept) expect(existsSync(join(kept, "manifest.json"))).toBe(true);
    expect(existsSync(join(out, "manifest.json"))).toBe(true);
    expect(readdirSync(work).filter((f) => f.startsWith(".tmp-") && f !== (kept ? kept.split("/").pop() : ""))).toEqual([]);
    expect(readdirSync(work).filter((f) => f.endsWith(".lock"))).toEqual([]);
  });

  it("a second run of an experiment another live process holds refuses with exit 2 naming it; a dead holder's lock is broken", async () => {
    const exp = {
      name: "locked",
      scenario: "market",
      env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
      conditions: [{ name: "analytic", learned: [] }],
      seeds: [0],
      evaluation: { episodes: 1 },
      output: join(work, "results"),
    };
    writeFileSync(join(work, "exp.json"), JSON.stringify(exp));
    // The partial store's lock, as `run` names it (opening and closing the store leaves nothing behind).
    const resolved = resolveExperiment(exp);
    const store = PartialStore.forExperiment(resolved, resolved.output, {
      mode: "train",
      models: join("models", "locked", experimentHash(resolved)),
    });
    store.close();
    expect(existsSync(join(work, "results"))).toBe(false);
    mkdirSync(join(work, "results", "locked"), { recursive: true });
    const lockFile = join(work, "results", "locked", `.partial-${store.hash}.lock`);
    const sleeper = spawn("sleep", ["60"]);
    try {
      writeFileSync(
        lockFile,
        JSON.stringify({
          pid: sleeper.pid,
          host: os.hostname(),
          started_at: "2026-01-01T00:00:00Z",
          command: "supplygym run exp.json",
          what: "x",
        }),
      );
      const second = await runCli(["run", "exp.json", "--workers", "1", "--no-figures"], work);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`pid ${sleeper.pid} on ${os.hostname()}`);
      expect(second.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(join(work, "results", "locked")).filter((f) => !f.startsWith(".partial-")).length).toBe(0);
    } finally {
      sleeper.kill();
    }
    writeFileSync(
      lockFile,
      JSON.stringify({
        pid: deadPid(),
        host: os.hostname(),
        started_at: "2026-01-01T00:00:00Z",
        command: "supplygym run exp.json",
        what: "x",
      }),
    );
    const third = await runCli(["run", "exp.json", "--workers", "1", "--no-figures"], work);
    expect(third.code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  });

  it("two concurrent runs of the same experiment: each either commits or refuses with exit 2; every committed run is whole", async () => {
    const exp = {
      name: "twice",
      scenario: "market",
      env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
      conditions: [{ name: "analytic", learned: [] }],
      seeds: [0, 1],
      evaluation: { episodes: 1 },
      output: join(work, "results"),
    };
    writeFileSync(join(work, "exp.json"), JSON.stringify(exp));
    const runs = await Promise.all([0, 1].map(() => runCli(["run", "exp.json", "--workers", "1", "--no-figures"], work)));
    for (const r of runs) {
      expect([0, 2]).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (r.code === 2) expect(r.stderr).toMatch(/in use by another supplygym process \(pid \d+/);
    }
    const dir = join(work, "results", "twice");
    const committed = readdirSync(dir).filter((f) => !f.startsWith("."));
    expect(committed.length).toBe(runs.filter((r) => r.code === 0).length);
    for (const c of committed) expect(readFileSync(join(dir, c, "metrics.csv"), "utf8").split("\n").length).toBeGreaterThan(2);
    expect(readdirSync(dir).filter((f) => f.startsWith(".") && !/^\.partial-[0-9a-f]+$/.test(f))).toEqual([]); // no staging or lock left (the partial store is kept for reuse)
  });

  it("run --out leaves no empty results/<name>/ behind", async () => {
    const exp = {
      name: "outonly",
      scenario: "market",
      env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
      conditions: [{ name: "analytic", learned: [] }],
      seeds: [0],
      evaluation: { episodes: 1 },
    };
    writeFileSync(join(work, "exp.json"), JSON.stringify(exp));
    const r = await runCli(["run", "exp.json", "--workers", "1", "--no-figures", "--out", "mine"], work);
    expect(r.code).toBe(0);
    // results/outonly/ holds only the kept partial store (reused by the next run), no lock, staging or empty folder
    expect(readdirSync(work).sort()).toEqual(["exp.json", "mine", "results"]);
    const left = readdirSync(join(work, "results", "outonly"));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.partial-[0-9a-f]+$/);
    expect(readdirSync(join(work, "results", "outonly", left[0])).length).toBeGreaterThan(0);
  });

  it("npx supplygym (bin/supplygym.js) has the same guards: a reader that closed the pipe gives one line, exit 2", () => {
    const bin = resolve("bin/supplygym.js");
    const r = spawnSync(
      "bash",
      [
        "-c",
        `node "${bin}" hubs "${resolve("experiments/hubs-semiconductor.json")}" --out o --no-optimum | true; echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      { cwd: work, encoding: "utf8" },
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/supplygym: standard output was closed by the reader \(EPIPE\); output stopped\nexit=2\n/);
    expect(existsSync(join(work, "o", "manifest.json"))).toBe(true);
  });

  it("SIGTERM during a long synchronous computation (negotiate, nothing opened yet) ends the process at once, leaving nothing", async () => {
    const child = spawn(
      process.execPath,
      [resolve("bin/supplygym.js"), "negotiate", resolve("experiments/contracts-paper.json"), "--episodes", "100000"],
      {
        cwd: work,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    await new Promise((r) => setTimeout(r, 5000)); // loaded and negotiating (100,000 negotiations take minutes)
    const t0 = Date.now();
    child.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(code === 143 || signal === "SIGTERM").toBe(true);
    expect(readdirSync(work)).toEqual([]);
  }, 30_000);

  it("output piped to a reader that closes early (| head -1): no EPIPE stack trace", () => {
    const r = spawnSync(
      "bash",
      [
        "-c",
        `"${tsx}" "${cli}" hubs "${resolve("experiments/hubs-semiconductor.json")}" --out o | head -1 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      { cwd: work, encoding: "utf8" },
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/exit=(0|2)\n/);
    if (/exit=2/.test(r.stderr)) expect(r.stderr).toContain("EPIPE");
    expect(existsSync(join(work, "o", "manifest.json"))).toBe(true);
  });
});

describe("SIGTERM during run", () => {
  it("is handled like SIGINT: one line, exit 143, finished tasks kept, nothing half-written, lock released; the rerun resumes", async () => {
    const work = mkdtempSync(join(tmp, "term-"));
    const exp = tinyMarketExperiment({ name: "term", totalSteps: 200_000, seeds: [0, 1] });
    writeFileSync(join(work, "exp.json"), JSON.stringify(exp));
    const start = () => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href,
          resolve("src/cli.ts"),
          "run",
          "exp.json",
          "--workers",
          "1",
          "--no-figures",
        ],
        { cwd: work, stdio: ["ignore", "pipe", "pipe"] },
      );
      const out = { err: "" };
      child.stderr.on("data", (d) => (out.err += String(d)));
      return { child, out };
    };
    const partialFiles = () => {
      const dir = join(work, "results", "term");
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.startsWith(".partial-") && !f.endsWith(".lock"))
        .flatMap((p) => readdirSync(join(dir, p)).filter((f) => f.endsWith(".json")));
    };
    const a = start();
    // The analytic task is done (saved; computed once, its seeds would be copies) and a learned one is training: stop it.
    for (let i = 0; i < 1200 && partialFiles().length < 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(partialFiles().length).toBe(1);
    a.child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => a.child.on("exit", r));
    expect(code).toBe(143);
    expect(a.out.err).toContain("supplygym: SIGTERM: stopped; finished tasks are kept; run the same command again to resume");
    expect(a.out.err).not.toMatch(/\n\s+at /);
    const dir = join(work, "results", "term");
    expect(readdirSync(dir).filter((f) => f.startsWith(".tmp-") || f.endsWith(".lock"))).toEqual([]);
    expect(readdirSync(dir).filter((f) => !f.startsWith("."))).toEqual([]); // no run directory
    expect(partialFiles().sort()).toEqual(["task-analytic-0.json"]);
    const b = start();
    for (let i = 0; i < 600 && !/resuming term: 1 of 3 tasks already done/.test(b.out.err); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(b.out.err).toMatch(/resuming term: 1 of 3 tasks already done/);
    b.child.kill("SIGTERM");
    expect(await new Promise<number | null>((r) => b.child.on("exit", r))).toBe(143);
  }, 180_000);
});
