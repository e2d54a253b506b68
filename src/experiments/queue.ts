import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { UsageError } from "../io/errors.js";
import { decodeJson, encodeJson } from "./partial.js";
import { TaskThread } from "./pool.js";
import { taskKey, type Task, type TaskModuleRef, type TaskResult } from "./task.js";

/**
 * The distributed runner: an experiment's tasks as BullMQ jobs on Redis (docs/queue.md).
 *
 * - The submitter (`supplygym run --queue URL`) writes a meta record for the queue (experiment, code version,
 *   task module, plugins), adds one job per unfinished task (job id = task key, so a task is never queued twice),
 *   follows the queue's events for the progress display, and hands each completed job's result to the runner,
 *   which saves it in the partial store exactly like a local result. Results are keyed by task key; a second
 *   completion of the same task (a stalled job that finished after all) is ignored.
 * - A worker (`supplygym worker --queue URL`) waits for a registered queue, refuses one whose code version is not
 *   its own, and runs its jobs in worker threads (the pool's thread, task function and plugins), so the main
 *   thread stays free to renew the job locks: a worker killed mid-task loses its lock, BullMQ's stalled-job check
 *   moves the job back to the wait list, and another worker runs it.
 * - Results cross Redis as `encodeJson` text (NaN and infinities survive), as they do in the partial store.
 */

export const REGISTRY_KEY = "supplygym:queues";
const metaKey = (queue: string) => `supplygym:queue:${queue}:meta`;
/** How long the submitter waits for an unreachable Redis before it stops (the run resumes when started again). */
export const REDIS_DOWN_LIMIT_MS = 60_000;

export interface QueueUrl {
  /** The URL as given (for messages). */
  url: string;
  host: string;
  port: number;
  db: number;
  password?: string;
  username?: string;
}

const URL_FORM = "expected redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379/0";

/** Parse `--queue redis://HOST:PORT[/DB]`; anything else is a UsageError naming the rule. */
export function parseQueueUrl(raw: string, flag = "--queue"): QueueUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${flag} "${raw}": not a URL; ${URL_FORM}`);
  }
  if (u.protocol !== "redis:") throw new UsageError(`${flag} "${raw}": the scheme must be redis://; ${URL_FORM}`);
  if (!u.hostname) throw new UsageError(`${flag} "${raw}": no host; ${URL_FORM}`);
  const port = u.port === "" ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${flag} "${raw}": the port must be 1-65535; ${URL_FORM}`);
  const path = u.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,5}$/.test(path))
    throw new UsageError(`${flag} "${raw}": the database must be a number (/0, /1, ...); ${URL_FORM}`);
  if (u.search || u.hash) throw new UsageError(`${flag} "${raw}": no query or fragment allowed; ${URL_FORM}`);
  return {
    url: raw,
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port,
    db: path === "" ? 0 : Number(path),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    username: u.username ? decodeURIComponent(u.username) : undefined,
  };
}

/** The URL without a password, for messages and the manifest. */
export function displayUrl(q: QueueUrl): string {
  return `redis://${q.host}:${q.port}/${q.db}`;
}

function connectionOptions(q: QueueUrl) {
  return { host: q.host, port: q.port, db: q.db, password: q.password, username: q.username };
}

/**
 * A plain client that fails instead of queueing commands while Redis is away, after checking that Redis answers
 * within `timeoutMs` (exit 2 with what to do otherwise).
 */
export async function connectRedis(q: QueueUrl, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({
    ...connectionOptions(q),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on("error", () => {}); // reported by the awaited calls below
  const fail = (why: string) =>
    new UsageError(
      `--queue ${displayUrl(q)}: cannot reach Redis (${why}); start it (e.g. \`redis-server --port ${q.port}\`) or fix the URL; nothing was written`,
    );
  try {
    await withTimeout(client.connect(), timeoutMs, `no answer within ${timeoutMs / 1000} s`);
    await withTimeout(client.ping(), timeoutMs, `no answer to PING within ${timeoutMs / 1000} s`);
  } catch (err) {
    client.disconnect();
    throw fail((err as Error).message);
  }
  // From here on: reconnect after a Redis restart (the submitter and worker decide how long to wait).
  client.options.retryStrategy = (times: number) => Math.min(200 * times, 2000);
  return client;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** The package root (where src/ and package-lock.json are). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

export interface CodeVersion {
  /** sha256 (12 hex digits) of src/, package-lock.json and the plugin files: what must match. */
  hash: string;
  /** The git commit and whether the work tree has changes, for the message ("unknown" outside git). */
  commit: string;
}

/**
 * The code version of this checkout: a hash of every file under src/, package-lock.json and the given plugins
 * (paths as the queue names them). Two clones of the same commit agree; a local edit or a different dependency
 * tree does not. The git commit is only reported, so that the message can say which commit to check out.
 */
export function codeVersion(plugins: readonly string[] = []): CodeVersion {
  const h = createHash("sha256");
  const files = [...listFiles(join(PACKAGE_ROOT, "src")), join(PACKAGE_ROOT, "package-lock.json")];
  for (const f of files)
    h.update(`${relative(PACKAGE_ROOT, f).split(sep).join("/")}\0`)
      .update(readFileSync(f))
      .update("\0");
  for (const p of plugins)
    h.update(`plugin:${p}\0`)
      .update(readFileSync(fromQueuePath(p)))
      .update("\0");
  let commit = "unknown";
  try {
    const head = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: PACKAGE_ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--", "src", "package-lock.json"], {
        cwd: PACKAGE_ROOT,
        stdio: ["ignore", "pipe", "ignore"],
      })
        .toString()
        .trim() !== "";
    commit = `${head}${dirty ? " with uncommitted changes" : ""}`;
  } catch {
    // not a git checkout: the hash alone decides
  }
  return { hash: h.digest("hex").slice(0, 12), commit };
}

/** A path as the queue stores it: relative to the package root when inside it (so that clones elsewhere find it). */
export function toQueuePath(abs: string): string {
  const rel = relative(PACKAGE_ROOT, abs);
  return rel.startsWith("..") || isAbsolute(rel) ? abs : rel.split(sep).join("/");
}

export function fromQueuePath(p: string): string {
  return isAbsolute(p) ? p : resolve(PACKAGE_ROOT, p);
}

/** What the submitter tells the workers about a queue (a Redis hash). */
export interface QueueMeta {
  queue: string;
  experiment: string;
  code_version: string;
  commit: string;
  task_module: string;
  task_export: string;
  plugins: string[];
  submitted_by: string;
  created_at: string;
}

async function readMeta(client: Redis, queue: string): Promise<QueueMeta | undefined> {
  const m = await client.hgetall(metaKey(queue));
  if (!m?.queue) return undefined;
  return { ...(m as unknown as QueueMeta), plugins: JSON.parse(m.plugins || "[]") as string[] };
}

async function writeMeta(client: Redis, meta: QueueMeta): Promise<void> {
  await client
    .multi()
    .hset(metaKey(meta.queue), { ...meta, plugins: JSON.stringify(meta.plugins) })
    .sadd(REGISTRY_KEY, meta.queue)
    .exec();
}

async function removeMeta(client: Redis, queue: string): Promise<void> {
  await client.multi().del(metaKey(queue)).srem(REGISTRY_KEY, queue).exec();
}

/** Stall detection: a job whose worker stopped renewing its lock for `lockMs` is moved back and run elsewhere. */
export interface StallOptions {
  /** Job lock duration in ms (default 15,000; renewed every half of it while the task runs). */
  lockMs?: number;
}

const DEFAULT_LOCK_MS = 15_000;

export interface SubmitOptions {
  url: QueueUrl;
  /** The queue's name (`supplygym-<experiment hash>`). */
  queue: string;
  experiment: string;
  task: TaskModuleRef;
  plugins?: readonly string[];
  onStart?(task: Task): void;
  onProgress?(task: Task, fraction: number): void;
  /** Called once per task key, in completion order; awaited before the task counts as done. */
  onResult(task: Task, result: TaskResult): void | Promise<void>;
  /** Lines for the progress display (worker lost, Redis away). */
  log?(line: string): void;
  /** Drop the queue's jobs of an earlier, interrupted submitter first (`run --fresh`): every task runs again. */
  fresh?: boolean;
  /** How often (ms) the submitter re-reads the jobs' states besides the events (default 1,000). */
  sweepMs?: number;
  /** How long (ms) Redis may stay unreachable before the submitter stops with a UsageError (default 60,000; `run --queue-wait`). */
  redisWaitMs?: number;
}

/**
 * Submit `tasks` to the queue and wait until every one has a result (resolves) or one fails for good (rejects
 * with the task's error; a user error inside a task stays a UsageError). Jobs of the same task already in the
 * queue (a restarted submitter) are reused: completed ones count at once, running ones are waited for.
 * Redis restarted (its data gone): the meta record and the missing jobs are written again and the run continues;
 * Redis unreachable for `redisWaitMs` (a minute): a UsageError saying the run resumes when started again.
 */
export async function submitToQueue(tasks: readonly Task[], opts: SubmitOptions): Promise<void> {
  if (tasks.length === 0) return;
  const client = await connectRedis(opts.url);
  const plugins = (opts.plugins ?? []).map(toQueuePath);
  const version = codeVersion(plugins);
  const meta: QueueMeta = {
    queue: opts.queue,
    experiment: opts.experiment,
    code_version: version.hash,
    commit: version.commit,
    task_module: toQueuePath(opts.task.module.startsWith("file:") ? fileURLToPath(opts.task.module) : resolve(opts.task.module)),
    task_export: opts.task.export ?? "runTask",
    plugins,
    submitted_by: `${hostname()}:${process.pid}`,
    created_at: new Date().toISOString(),
  };
  const existing = await readMeta(client, opts.queue).catch(() => undefined);
  if (existing && (existing.code_version !== meta.code_version || existing.experiment !== meta.experiment)) {
    client.disconnect();
    throw new UsageError(
      `--queue ${displayUrl(opts.url)}: queue ${opts.queue} holds experiment "${existing.experiment}" at code version ${existing.code_version} (commit ${existing.commit}), ` +
        `this checkout is "${meta.experiment}" at ${meta.code_version} (commit ${meta.commit}); wait for that run to finish, or remove the queue (redis-cli -n ${opts.url.db} del ${metaKey(opts.queue)}) and its jobs, or use another database (/DB)`,
    );
  }
  await writeMeta(client, meta);

  const connection = connectionOptions(opts.url);
  const queue = new Queue(opts.queue, { connection });
  const events = new QueueEvents(opts.queue, { connection });
  const quiet = () => {};
  queue.on("error", quiet);
  events.on("error", quiet);
  if (opts.fresh) await queue.obliterate({ force: true });
  const byKey = new Map(tasks.map((t) => [taskKey(t), t]));
  const done = new Set<string>();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const downLimitMs = opts.redisWaitMs ?? REDIS_DOWN_LIMIT_MS;
  const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

  try {
    await events.waitUntilReady();
    await new Promise<void>((resolveAll, rejectAll) => {
      let settled = false;
      let chain = Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      const startedAt = Date.now();
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        if (err) rejectAll(err);
        else resolveAll();
      };
      /** Hand a completed job's result over, once per task key. */
      const accept = (key: string, returnvalue: unknown) => {
        const task = byKey.get(key);
        if (!task || done.has(key) || settled || returnvalue == null) return; // no result yet: the next event or sweep
        let result: TaskResult;
        try {
          result = decodeJson(String(returnvalue)) as TaskResult;
        } catch (err) {
          finish(new Error(`${key}: the queue returned an unreadable result (${(err as Error).message})`));
          return;
        }
        done.add(key);
        chain = chain.then(async () => {
          if (settled) return;
          await opts.onResult(task, result);
          if (done.size === byKey.size) finish();
        });
        chain.catch((err: Error) => finish(err));
      };
      const failed = (key: string, reason: string) => {
        const task = byKey.get(key);
        if (!task || done.has(key)) return;
        const m = /^\[exit 2\] ([\s\S]*)$/.exec(reason);
        finish(m ? new UsageError(`${key}: ${m[1]}`) : new Error(`${key} failed on a queue worker: ${reason}`));
      };
      events.on("active", ({ jobId }) => {
        const t = byKey.get(jobId);
        if (t && !done.has(jobId)) opts.onStart?.(t);
      });
      events.on("progress", ({ jobId, data }) => {
        const t = byKey.get(jobId);
        if (t && !done.has(jobId) && typeof data === "number") opts.onProgress?.(t, data);
      });
      events.on("completed", ({ jobId, returnvalue }) => accept(jobId, returnvalue));
      events.on("failed", ({ jobId, failedReason }) => failed(jobId, failedReason));
      events.on("stalled", ({ jobId }) => {
        if (byKey.has(jobId) && !done.has(jobId)) log(`${jobId}: its worker stopped answering; the task goes back to the queue`);
      });

      /** Queue what is missing, take what completed (after a restart, or events missed), and watch Redis. */
      let downSince: number | undefined;
      let sweeping = false;
      const sweep = async () => {
        if (settled || sweeping) return;
        sweeping = true;
        try {
          if (!(await readMeta(client, opts.queue))) {
            // Redis restarted without its data (or the queue was deleted): write it again, the missing jobs below.
            log(`Redis at ${displayUrl(opts.url)} has lost the queue (restarted without its data?); queueing the unfinished tasks again`);
            await writeMeta(client, meta);
          }
          const missing: Task[] = [];
          for (const [key, task] of byKey) {
            if (done.has(key)) continue;
            // The state first, then the job: a job read before it finished has no result yet (read the other way
            // round, a task finishing in between would count with a null result; seen with 100 quick tasks).
            const state = await queue.getJobState(key);
            const job = state === "unknown" ? undefined : await queue.getJob(key);
            if (!job) missing.push(task);
            else if (state === "completed") accept(key, job.returnvalue);
            else if (state === "failed") {
              // a failure left by an earlier submitter: run the task again; one of this run fails it for good
              if (job.timestamp < startedAt) {
                await job.remove();
                missing.push(task);
              } else failed(key, job.failedReason);
            }
          }
          if (missing.length > 0) {
            await queue.addBulk(
              missing.map((t) => ({
                name: taskKey(t),
                data: { task: encodeJson(t) },
                opts: { jobId: taskKey(t), attempts: 1, removeOnComplete: false, removeOnFail: false },
              })),
            );
          }
          if (downSince !== undefined) log(`Redis at ${displayUrl(opts.url)} answers again; the run continues`);
          downSince = undefined;
        } catch (err) {
          const now = Date.now();
          if (downSince === undefined) {
            downSince = now;
            log(`lost Redis at ${displayUrl(opts.url)} (${(err as Error).message}); waiting up to ${seconds(downLimitMs)} for it`);
          } else if (now - downSince > downLimitMs) {
            finish(
              new UsageError(
                `Redis at ${displayUrl(opts.url)} has not answered for ${seconds(downLimitMs)}; finished tasks are kept: start Redis and run the same command again to resume`,
              ),
            );
          }
        } finally {
          sweeping = false;
        }
      };
      timer = setInterval(() => void sweep(), opts.sweepMs ?? 1000);
      void sweep();
    });
    // Every task has its result (in the partial store): the queue has done its job.
    await queue.obliterate({ force: true }).catch(() => {});
    await removeMeta(client, opts.queue).catch(() => {});
  } finally {
    // With Redis away a gentle close (QUIT) would wait for it forever: drop the connections instead.
    const force = client.status !== "ready";
    await closeBull(events, force);
    await closeBull(queue, force);
    client.disconnect();
  }
}

/** Close a BullMQ queue or event stream: gently (QUIT), or with `force` at once (Redis is away). */
async function closeBull(x: Queue | QueueEvents, force: boolean): Promise<void> {
  if (force)
    await x
      .getBackend()
      .close(true)
      .catch(() => {});
  await x.close().catch(() => {});
}

export interface WorkerOptions extends StallOptions {
  url: QueueUrl;
  /** Tasks at once (worker threads; default 1). */
  concurrency?: number;
  /** Serve only this queue (default: any registered queue). */
  queue?: string;
  /** Lines about what the worker does (default stderr). */
  log?(line: string): void;
  /** Resolves when the worker should stop (e.g. on SIGINT); the running tasks go back to the queue. */
  stop: Promise<unknown>;
  /** How often (ms) to look for queues (default 500). */
  pollMs?: number;
}

/**
 * Serve registered queues one after another until `stop` resolves: refuse (UsageError) a queue of another code
 * version; run each job in a worker thread; return the result as encodeJson text.
 */
export async function serveQueues(opts: WorkerOptions): Promise<void> {
  const client = await connectRedis(opts.url);
  client.on("error", () => {});
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const concurrency = opts.concurrency ?? 1;
  const lockMs = opts.lockMs ?? DEFAULT_LOCK_MS;
  const me = `${hostname()}:${process.pid}`;
  let stopped = false;
  void opts.stop.then(() => (stopped = true));
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  let announced = false;
  let redisAway = false;
  try {
    while (!stopped) {
      let meta: QueueMeta | undefined;
      try {
        const names = opts.queue ? [opts.queue] : (await client.smembers(REGISTRY_KEY)).sort();
        for (const n of names) {
          meta = await readMeta(client, n);
          if (meta) break;
        }
        if (redisAway) log(`worker ${me}: Redis at ${displayUrl(opts.url)} answers again`);
        redisAway = false;
      } catch (err) {
        if (!redisAway) log(`worker ${me}: lost Redis at ${displayUrl(opts.url)} (${(err as Error).message}); retrying`);
        redisAway = true;
      }
      if (!meta) {
        if (!announced && !redisAway)
          log(`worker ${me}: waiting for tasks on ${displayUrl(opts.url)}${opts.queue ? ` (queue ${opts.queue})` : ""}`);
        announced = true;
        await Promise.race([sleep(opts.pollMs ?? 500), opts.stop]);
        continue;
      }
      announced = false;
      const mine = codeVersion(meta.plugins);
      if (mine.hash !== meta.code_version) {
        throw new UsageError(
          `worker: queue ${meta.queue} (experiment "${meta.experiment}", submitted by ${meta.submitted_by}) runs code version ${meta.code_version} (commit ${meta.commit}); ` +
            `this clone is ${mine.hash} (commit ${mine.commit}): check out the submitter's commit without local changes (git status, then npm ci), or start the worker from the submitter's checkout`,
        );
      }
      await serveOne(meta, { ...opts, concurrency, lockMs, log, me, client, isStopped: () => stopped });
    }
  } finally {
    client.disconnect();
  }
}

async function serveOne(
  meta: QueueMeta,
  o: WorkerOptions & { concurrency: number; lockMs: number; log(line: string): void; me: string; client: Redis; isStopped(): boolean },
): Promise<void> {
  const ref: TaskModuleRef = { module: fromQueuePath(meta.task_module), export: meta.task_export };
  const plugins = meta.plugins.map(fromQueuePath);
  const threads = Array.from({ length: o.concurrency }, () => new TaskThread(ref, plugins));
  o.log(
    `worker ${o.me}: serving queue ${meta.queue} (experiment "${meta.experiment}", code version ${meta.code_version}) with ${o.concurrency} thread(s)`,
  );
  const processor = async (job: Job) => {
    const thread = threads.find((t) => !t.busy);
    if (!thread) throw new Error("no free worker thread (concurrency exceeded)");
    const task = decodeJson(String((job.data as { task: string }).task)) as Task;
    const key = taskKey(task);
    const t0 = performance.now();
    o.log(`worker ${o.me}: ${key} started`);
    let last = 0;
    try {
      const result = await thread.run(task, (f) => {
        const now = Date.now();
        if (now - last < 250 && f < 1) return;
        last = now;
        void job.updateProgress(f).catch(() => {});
      });
      o.log(`worker ${o.me}: ${key} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return encodeJson(result);
    } catch (err) {
      // Told to stop: leave the job active; its lock expires and another worker runs it (never fail it here).
      if (o.isStopped()) await new Promise(() => {});
      const e = err as Error & { exitCode?: number };
      o.log(`worker ${o.me}: ${key} failed: ${e.message}`);
      // A task's failure is deterministic (same task, same code): no retry. Exit-2 errors keep their kind.
      throw new UnrecoverableError(e.exitCode === 2 ? `[exit 2] ${e.message.replace(`${key}: `, "")}` : e.message);
    }
  };
  const worker = new Worker(meta.queue, processor, {
    connection: connectionOptions(o.url),
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: Math.max(500, Math.floor(o.lockMs / 2)),
    maxStalledCount: 3,
  });
  worker.on("error", () => {}); // connection errors while Redis restarts; the loop below reports them
  try {
    // Serve until the submitter removes the queue (all results in) or this worker is told to stop.
    for (;;) {
      await Promise.race([new Promise((r) => setTimeout(r, o.pollMs ?? 500)), o.stop]);
      if (o.isStopped()) break;
      const still = await readMeta(o.client, meta.queue).catch(() => meta);
      if (!still || still.code_version !== meta.code_version) break;
    }
  } finally {
    // Stopped: running jobs are abandoned (their locks expire, another worker takes them). The queue gone (all
    // results in, or Redis restarted without its data): nothing of it is left to hand in. Either way close at once:
    // waiting for a job whose record is gone would wait forever (seen after a Redis restart).
    await worker.close(true).catch(() => {});
    await Promise.all(threads.map((t) => t.close()));
  }
  if (!o.isStopped()) o.log(`worker ${o.me}: queue ${meta.queue} finished`);
}
