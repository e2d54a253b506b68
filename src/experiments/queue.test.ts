import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { parseCsv } from "../io/csv.js";
import { UsageError } from "../io/errors.js";
import { codeVersion, parseQueueUrl, REGISTRY_KEY, submitToQueue } from "./queue.js";
import { resolveExperiment } from "./schema.js";
import { buildTasks } from "./task.js";
import { captureCommandOutput } from "../commands/testing/capture-output.js";
import { startDashboard } from "../commands/dashboard-server.js";

/**
 * The queue runner. URL rules and an unreachable Redis need no server; the rest runs against a real Redis whose
 * URL is in SUPPLYGYM_TEST_REDIS (.ci/run starts one on 127.0.0.1:6390) and is skipped, saying so, without it.
 */
const REDIS = process.env.SUPPLYGYM_TEST_REDIS;
const repo = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "sg-queue-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The test server with database `db` (each test its own, flushed first). */
function redisUrl(db: number): string {
  const u = new URL(REDIS!);
  u.pathname = `/${db}`;
  return u.href;
}

async function flush(db: number): Promise<Redis> {
  const q = parseQueueUrl(redisUrl(db));
  const client = new Redis({ host: q.host, port: q.port, db: q.db, password: q.password });
  await client.flushdb();
  return client;
}

describe("queue URL rules", () => {
  it("accepts redis://HOST[:PORT][/DB] and names the rule broken otherwise", () => {
    expect(parseQueueUrl("redis://127.0.0.1:6390/2")).toMatchObject({ host: "127.0.0.1", port: 6390, db: 2 });
    expect(parseQueueUrl("redis://cache.lab")).toMatchObject({ host: "cache.lab", port: 6379, db: 0 });
    expect(parseQueueUrl("redis://:secret@10.0.0.5:7000/")).toMatchObject({ host: "10.0.0.5", port: 7000, db: 0, password: "secret" });
    const bad: [string, RegExp][] = [
      ["localhost:6379", /scheme must be redis:\/\//],
      ["nonsense", /not a URL/],
      ["http://127.0.0.1:6379", /scheme must be redis:\/\//],
      ["redis://127.0.0.1:6379/x", /database must be a number/],
      ["redis://127.0.0.1:6379/0?timeout=1", /no query/],
      ["redis://127.0.0.1:99999", /not a URL|port/],
    ];
    for (const [url, why] of bad) {
      expect(() => parseQueueUrl(url)).toThrow(UsageError);
      expect(() => parseQueueUrl(url)).toThrow(why);
    }
  });

  it("the code version is a hash of src/, the lockfile and the plugins", () => {
    const a = codeVersion();
    expect(a.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(codeVersion().hash).toBe(a.hash);
    expect(codeVersion(["docs/examples/my-extensions.ts"]).hash).not.toBe(a.hash);
  });
});

const ppo = { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1 } };
const experiment = (name: string, totalSteps: number) => ({
  name,
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
  conditions: [
    { name: "analytic", learned: [] },
    { name: "one", learned: ["A[1][1]"], algorithm: structuredClone(ppo) },
  ],
  training: { totalSteps, numEnvs: 1 },
  seeds: [0, 1],
  evaluation: { episodes: 1 },
  backend: "cpu",
  output: join(work, "results"),
});

describe("bad input: exit 2, nothing written", () => {
  const { errors } = captureCommandOutput();

  it("a bad --queue URL and an unreachable Redis", async () => {
    const file = join(work, "bad-input.json");
    writeFileSync(file, JSON.stringify(experiment("q-bad", 32)));
    const models = join(work, "bad-models");
    expect(await main(["run", file, "--queue", "localhost:6379", "--models", models])).toBe(2);
    expect(errors.pop()).toMatch(/--queue "localhost:6379": the scheme must be redis:\/\//);
    // port 1 on loopback: nothing listens there (refused at once)
    expect(await main(["run", file, "--queue", "redis://127.0.0.1:1", "--models", models])).toBe(2);
    expect(errors.pop()).toMatch(/cannot reach Redis .*start it .*or fix the URL/);
    expect(await main(["run", file, "--queue-wait", "5", "--models", models])).toBe(2);
    expect(errors.pop()).toMatch(/--queue-wait needs --queue/);
    expect(await main(["run", file, "--queue", "redis://127.0.0.1:1", "--queue-wait", "0", "--models", models])).toBe(2);
    expect(errors.pop()).toMatch(/--queue-wait must be an integer from 1 to 86,400, got "0"/);
    expect(existsSync(join(work, "results", "q-bad"))).toBe(false);
    expect(existsSync(models)).toBe(false);
    expect(await main(["worker", "--queue", "redis://127.0.0.1:1"])).toBe(2);
    expect(errors.pop()).toMatch(/cannot reach Redis/);
    expect(await main(["worker"])).toBe(2);
    expect(errors.pop()).toMatch(/--queue redis:\/\/HOST:PORT\[\/DB\] is required/);
    expect(await main(["worker", "--queue", "redis://127.0.0.1:1", "--concurrency", "0"])).toBe(2);
    expect(errors.pop()).toMatch(/--concurrency must be an integer from 1 to 256/);
  });
});

const needsRedis = REDIS ? describe : describe.skip;
if (!REDIS)
  console.warn(
    "queue.test.ts: SUPPLYGYM_TEST_REDIS is not set (.ci/run starts a Redis and sets it): the tests with a real Redis are skipped",
  );

/** Spawned `supplygym` processes, SIGKILLed at the end whatever happened. */
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** A spawned `supplygym` process with its stderr lines collected. */
function cli(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const lines: string[] = [];
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const waitFor = (re: RegExp, ms = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const t0 = Date.now();
      const tick = setInterval(() => {
        const hit = lines.find((l) => re.test(l));
        if (hit) {
          clearInterval(tick);
          resolve(hit);
        } else if (Date.now() - t0 > ms || child.exitCode !== null) {
          clearInterval(tick);
          reject(new Error(`no line matching ${re} (exit ${child.exitCode}):\n${lines.join("\n")}\n${out}`));
        }
      }, 20);
    });
  return { child, lines, exited, waitFor, stdout: () => out };
}

const csvs = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".csv"))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), "utf8")]),
  );

/** The CSVs of a local run (one worker, in this process) of the experiment in `file`, computed once per file. */
const local = new Map<string, Promise<Record<string, string>>>();
function localCsvs(file: string): Promise<Record<string, string>> {
  let p = local.get(file);
  if (!p) {
    p = (async () => {
      const out = join(work, `local-${local.size}`);
      vi.spyOn(console, "log").mockImplementation(() => {});
      vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        expect(
          await main(["run", file, "--workers", "1", "--no-figures", "--out", out, "--models", join(work, `models-local-${local.size}`)]),
        ).toBe(0);
      } finally {
        vi.restoreAllMocks();
      }
      return csvs(out);
    })();
    local.set(file, p);
  }
  return p;
}

/** The experiment of the multi-process tests (3 tasks: the analytic condition once, a PPO learner x 2 seeds), written once. */
function twoWorkersFile(): string {
  const file = join(work, "two-workers.json");
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(experiment("q-two", 64)));
  return file;
}

needsRedis("with a real Redis", () => {
  it("two worker processes, one SIGKILLed mid-task: the same CSVs as a local run, every task counted once", async () => {
    const db = 1;
    const client = await flush(db);
    const url = redisUrl(db);
    const file = twoWorkersFile();
    const queued = join(work, "queued");
    const want = await localCsvs(file);

    const a = cli(["worker", "--queue", url, "--lock-seconds", "2"]);
    const b = cli(["worker", "--queue", url, "--lock-seconds", "2"]);
    const run = cli(["run", file, "--queue", url, "--no-figures", "--out", queued, "--models", join(work, "models-queued")]);
    // Kill worker a while it trains a learned task (the PPO tasks run for a few seconds).
    const started = await a.waitFor(/task-one-\d started/);
    const killed = /task-one-\d/.exec(started)![0];
    a.child.kill("SIGKILL");
    expect(await run.exited).toBe(0);
    expect(a.lines.some((l) => l.includes(`${killed} done`))).toBe(false);
    // b ran the killed task after its lock expired
    expect(b.lines.some((l) => l.includes(`${killed} done`))).toBe(true);
    expect(run.lines.some((l) => l.includes(`${killed}: its worker stopped answering`))).toBe(true);

    const got = csvs(queued);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const f of Object.keys(want)) expect(got[f], f).toBe(want[f]);
    // one row per task and metric, no duplicate (condition, seed, metric)
    const rows = parseCsv(got["metrics.csv"]).map((r) => `${r.condition}/${r.seed}/${r.metric}`);
    expect(new Set(rows).size).toBe(rows.length);
    const manifest = JSON.parse(readFileSync(join(queued, "manifest.json"), "utf8")) as { queue?: string; tasks: unknown[] };
    expect(manifest.queue).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/1$/);
    expect(manifest.tasks).toHaveLength(3); // the analytic condition is computed once (its seeds would be copies)
    // the queue is gone once the run directory is written; the worker waits for the next experiment
    expect(await client.smembers(REGISTRY_KEY)).toEqual([]);
    await b.waitFor(/finished/);
    b.child.kill("SIGTERM");
    expect(await b.exited).toBe(143);
    client.disconnect();
  }, 180_000);

  it("a submitter interrupted (SIGINT) and started again resumes from the finished tasks: the same CSVs", async () => {
    const db = 3;
    const client = await flush(db);
    const url = redisUrl(db);
    const file = twoWorkersFile(); // the same experiment as above, so the same local CSVs
    const want = await localCsvs(file);
    const out = join(work, "resumed");
    const models = join(work, "models-resumed");
    const w = cli(["worker", "--queue", url, "--lock-seconds", "2"]);
    const first = cli(["run", file, "--queue", url, "--no-figures", "--out", out, "--models", models]);
    await first.waitFor(/done\s+task-/);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(130);
    expect(existsSync(out)).toBe(false);
    // the worker goes on with the queued tasks meanwhile; the second submitter takes their results
    const second = cli(["run", file, "--queue", url, "--no-figures", "--out", out, "--models", models]);
    expect(await second.exited).toBe(0);
    expect(second.lines.join("\n")).toMatch(/resuming q-two: [1-3] of 3 tasks already done/);
    const got = csvs(out);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const f of Object.keys(want)) expect(got[f], f).toBe(want[f]);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(143);
    client.disconnect();
  }, 120_000);

  it("a worker refuses a queue of another code version; a submitter refuses a queue of another experiment or version", async () => {
    const db = 2;
    const client = await flush(db);
    const meta = {
      queue: "supplygym-000000000000",
      experiment: "other",
      code_version: "000000000000",
      commit: "abc123",
      task_module: "src/experiments/scenarios/market.ts",
      task_export: "runTask",
      plugins: "[]",
      submitted_by: "elsewhere:1",
      created_at: new Date().toISOString(),
    };
    await client.multi().hset(`supplygym:queue:${meta.queue}:meta`, meta).sadd(REGISTRY_KEY, meta.queue).exec();
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["worker", "--queue", redisUrl(db)])).toBe(2);
      expect(errors.pop()).toMatch(
        /queue supplygym-000000000000 \(experiment "other".*runs code version 000000000000 \(commit abc123\); this clone is [0-9a-f]{12}.*check out the submitter's commit/,
      );
    } finally {
      vi.restoreAllMocks();
    }
    const cfg = resolveExperiment({ ...experiment("mine", 32) });
    const submit = submitToQueue(buildTasks(cfg), {
      url: parseQueueUrl(redisUrl(db)),
      queue: meta.queue,
      experiment: "mine",
      task: { module: join(repo, meta.task_module) },
      onResult: () => {},
    });
    await expect(submit).rejects.toThrow(UsageError);
    await expect(submit).rejects.toThrow(/holds experiment "other" at code version 000000000000 .*this checkout is "mine"/);
    // nothing was queued
    expect(await client.keys("bull:supplygym-000000000000:*")).toEqual([]);
    client.disconnect();
  });
});

/**
 * Redis restarted mid-run. These tests need a Redis they may kill, so they start their own `redis-server` (no
 * persistence: a restart loses every key, the worst case) on a free loopback port, and kill it in afterAll.
 */
const hasRedisServer = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
if (!hasRedisServer)
  console.warn("queue.test.ts: redis-server is not on PATH (Debian: apt-get install redis-server): the Redis-restart tests are skipped");

describe.skipIf(!hasRedisServer)("Redis restarted mid-run (the tests' own redis-server)", () => {
  let server: ChildProcess | undefined;
  let port = 0;
  afterAll(() => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  });

  /** A free loopback port (the OS's choice), used for every start of this describe's Redis. */
  const freePort = () =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });

  async function startRedis(): Promise<void> {
    if (port === 0) port = await freePort();
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    server = child;
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => reject(new Error(`redis-server on port ${port} exited (${code}):\n${out}`)));
    });
  }

  /** SIGKILL: no goodbye to the clients, and (without persistence) every key is gone when it starts again. */
  async function killRedis(): Promise<void> {
    const child = server!;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
  }

  const url = (db: number) => `redis://127.0.0.1:${port}/${db}`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("killed (data lost) while a task trains and back 2 s later: the run continues to the local run's CSVs", async () => {
    await startRedis();
    const file = twoWorkersFile();
    const want = await localCsvs(file);
    const out = join(work, "restart-continues");
    const w = cli(["worker", "--queue", url(0), "--lock-seconds", "2"]);
    const run = cli(["run", file, "--queue", url(0), "--no-figures", "--out", out, "--models", join(work, "models-restart-continues")]);
    // The first result is in; the worker trains the next task (a learned one: the analytic task is cheap) when Redis goes.
    await run.waitFor(/done\s+task-/);
    await killRedis();
    await sleep(2000);
    await startRedis();
    expect(await run.exited).toBe(0);
    // The submitter saw the restart: the queue was gone and written again. (Whether it also saw Redis away, "lost
    // Redis ... answers again", depends on where its once-a-second sweep was: a BullMQ call waits for Redis.)
    expect(run.lines.join("\n")).toMatch(
      /Redis at redis:\/\/127\.0\.0\.1:\d+\/0 has lost the queue \(restarted without its data\?\); queueing the unfinished tasks again/,
    );
    expect(existsSync(out)).toBe(true);
    const got = csvs(out);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const f of Object.keys(want)) expect(got[f], f).toBe(want[f]);
    const rows = parseCsv(got["metrics.csv"]).map((r) => `${r.condition}/${r.seed}/${r.metric}`);
    expect(new Set(rows).size).toBe(rows.length); // no task counted twice
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(143);
  }, 180_000);

  it("away longer than --queue-wait: exit 2 saying how to resume, nothing written; Redis back, the same command resumes to the local CSVs", async () => {
    if (!server || server.exitCode !== null) await startRedis();
    const file = twoWorkersFile();
    const want = await localCsvs(file);
    const out = join(work, "restart-stops");
    const models = join(work, "models-restart-stops");
    const args = ["run", file, "--queue", url(1), "--queue-wait", "3", "--no-figures", "--out", out, "--models", models];
    const w = cli(["worker", "--queue", url(1), "--lock-seconds", "2"]);
    const first = cli(args);
    await first.waitFor(/done\s+task-/);
    await killRedis();
    expect(await first.exited).toBe(2);
    const log = first.lines.join("\n");
    expect(log).toMatch(/lost Redis at redis:\/\/127\.0\.0\.1:\d+\/1 .*waiting up to 3 s for it/);
    expect(log).toMatch(
      /Redis at redis:\/\/127\.0\.0\.1:\d+\/1 has not answered for 3 s; finished tasks are kept: start Redis and run the same command again to resume/,
    );
    expect(log).not.toMatch(/\n\s+at /); // a message, no stack trace
    expect(existsSync(out)).toBe(false);
    // The worker kept retrying meanwhile; Redis comes back empty; the same command takes the finished tasks from
    // the partial store and queues the others again.
    await startRedis();
    const second = cli(args);
    expect(await second.exited).toBe(0);
    expect(second.lines.join("\n")).toMatch(/resuming q-two: [12] of 3 tasks already done/);
    const got = csvs(out);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const f of Object.keys(want)) expect(got[f], f).toBe(want[f]);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(143);
  }, 180_000);

  it("queue + sweep + dashboard: a sweep on two workers, the dashboard streams its live curves mid-run; the local run's CSVs", async () => {
    if (!server || server.exitCode !== null || server.signalCode !== null) await startRedis();
    const root = join(work, "results-combo");
    const file = join(work, "sweep.json");
    const grid = { "algorithm.hyperparameters.learningRate": [0.001, 0.003] };
    writeFileSync(file, JSON.stringify({ ...experiment("q-sweep", 640), seeds: [0], output: root, sweep: { grid } }));
    const swept = ["task-one_learningRate-0.001-0", "task-one_learningRate-0.003-0"];
    const dash = await startDashboard({ root, port: 0, pollMs: 100 });
    const a = cli(["worker", "--queue", url(2), "--lock-seconds", "5"]);
    const b = cli(["worker", "--queue", url(2), "--lock-seconds", "5"]);
    // The run directory under the dashboard's root (the default place), so that the dashboard lists it.
    const run = cli(["run", file, "--queue", url(2), "--no-figures", "--models", join(work, "models-combo")]);
    let out = "";
    try {
      // Follow the dashboard as its page does: /api/runs lists the live logs, /api/live streams one of them.
      let task: string | undefined;
      while (!task) {
        expect(run.child.exitCode, "the run ended before the dashboard listed a live log").toBeNull();
        const runs = (await (await fetch(`${dash.url}api/runs`)).json()) as { experiments: { name: string; live: { task: string }[] }[] };
        task = runs.experiments.find((e) => e.name === "q-sweep")?.live.find((l) => swept.includes(l.task))?.task;
        if (!task) await sleep(50);
      }
      const abort = new AbortController();
      const res = await fetch(`${dash.url}api/live?experiment=q-sweep&task=${task}`, { signal: abort.signal });
      const reader = res.body!.getReader();
      let text = "";
      while (!/data: \[\{"step"/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      // The first curve points reached the dashboard while the task was still training on a worker.
      const doneLine = new RegExp(`done\\s+${task.replace(/[[\]().]/g, "\\$&")}`);
      expect(
        run.lines.some((l) => doneLine.test(l)),
        `${task} was done before its curve was streamed`,
      ).toBe(false);
      abort.abort();
      const points = JSON.parse(/data: (\[.*\])/.exec(text)![1]) as { metric: string }[];
      expect(points.map((p) => p.metric)).toContain("rollout/episode_return_mean");
      expect(await run.exited).toBe(0);
      // Both workers took tasks of the sweep.
      for (const w of [a, b]) expect(w.lines.some((l) => / task-\S+ done/.test(l))).toBe(true);
      // The dashboard lists the finished run with its summary rows (every swept setting).
      const runs = (await (await fetch(`${dash.url}api/runs`)).json()) as {
        experiments: { name: string; runs: { id: string; summary: { condition: string }[] }[] }[];
      };
      const listed = runs.experiments.find((e) => e.name === "q-sweep")!.runs[0];
      out = join(root, "q-sweep", listed.id);
      expect([...new Set(listed.summary.map((r) => r.condition))].sort()).toEqual([
        "analytic",
        "one_learningRate-0.001",
        "one_learningRate-0.003",
      ]);
    } finally {
      await dash.close();
    }
    // The local run afterwards (its live logs would have been listed by the dashboard before the queued run's).
    const want = await localCsvs(file);
    const got = csvs(out);
    expect(Object.keys(got)).toContain("best_settings.csv");
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const f of Object.keys(want)) expect(got[f], f).toBe(want[f]);
    for (const w of [a, b]) w.child.kill("SIGTERM");
    expect(await a.exited).toBe(143);
    expect(await b.exited).toBe(143);
  }, 180_000);
});
