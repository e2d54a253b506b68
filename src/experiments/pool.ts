import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { UsageError } from "../io/errors.js";
import { loadPlugins } from "./plugins.js";
import { loadTaskFn, taskFailure, type FromWorker, type ToWorker } from "./pool-worker.js";
import { taskKey, type Task, type TaskModuleRef, type TaskResult } from "./task.js";

/**
 * A pool of worker threads running tasks of one task module. Each worker loads the module once (TypeScript
 * through tsx's loader, registered inside the worker) and runs one task at a time; the main thread hands out
 * the next task as soon as a worker is free. With one worker the tasks run inline in the main thread unless
 * `inline: false`: the same task function, the same results.
 */
export interface PoolOptions {
  /** Number of workers (default os.availableParallelism()); capped at the number of tasks. */
  workers?: number;
  /** The task module and export (default export name "runTask"). */
  task: TaskModuleRef;
  /** Run in the main thread (default: when workers == 1). */
  inline?: boolean;
  /** Plugin modules (absolute paths) every worker imports before the task module (src/experiments/plugins.ts). */
  plugins?: readonly string[];
  onStart?(task: Task): void;
  onProgress?(task: Task, fraction: number): void;
  /** Called once per finished task, in completion order; awaited before the task counts as done. */
  onResult(task: Task, result: TaskResult): void | Promise<void>;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

export async function runPool(tasks: readonly Task[], opts: PoolOptions): Promise<void> {
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), tasks.length));
  if (!Number.isInteger(opts.workers ?? 1) || (opts.workers ?? 1) < 1)
    throw new RangeError(`workers must be a positive integer, got ${opts.workers}`);
  if (tasks.length === 0) return;
  const inline = opts.inline ?? workers === 1;
  if (inline) return runInline(tasks, opts);
  return runThreads(tasks, workers, opts);
}

async function runInline(tasks: readonly Task[], opts: PoolOptions): Promise<void> {
  await loadPlugins(opts.plugins ?? []);
  const fn = await loadTaskFn(opts.task.module, opts.task.export);
  for (const task of tasks) {
    opts.onStart?.(task);
    let result: TaskResult;
    try {
      result = await fn(task, { progress: (f) => opts.onProgress?.(task, f) });
    } catch (err) {
      const f = taskFailure(err);
      throw taskError(task, f.message, f.stack, f.exitCode);
    }
    await opts.onResult(task, result);
  }
}

function runThreads(tasks: readonly Task[], n: number, opts: PoolOptions): Promise<void> {
  return new Promise<void>((resolvePool, rejectPool) => {
    const queue = [...tasks];
    const running = new Map<Worker, Task>();
    const all: Worker[] = [];
    let failed = false;
    let finished = 0;

    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of all) void w.terminate();
      rejectPool(err);
    };

    const dispatch = (w: Worker) => {
      const task = queue.shift();
      if (!task) {
        running.delete(w);
        w.postMessage({ type: "exit" } satisfies ToWorker);
        return;
      }
      running.set(w, task);
      opts.onStart?.(task);
      w.postMessage({ type: "run", task } satisfies ToWorker);
    };

    for (let i = 0; i < n; i++) {
      const w = spawnWorker(opts.task, opts.plugins ?? []);
      all.push(w);
      w.on("message", (msg: FromWorker) => {
        if (failed) return;
        const task = running.get(w);
        if (!task || task.index !== msg.index) return;
        if (msg.type === "progress") opts.onProgress?.(task, msg.fraction);
        else if (msg.type === "error") fail(taskError(task, msg.message, msg.stack, msg.exitCode));
        else {
          Promise.resolve(opts.onResult(task, msg.result as TaskResult)).then(
            () => {
              finished++;
              if (finished === tasks.length) {
                for (const x of all) void x.terminate();
                resolvePool();
              } else dispatch(w);
            },
            (err: Error) => fail(err),
          );
        }
      });
      w.on("error", (err) => {
        const task = running.get(w);
        fail(task ? taskError(task, err.message, err.stack) : err);
      });
      w.on("exit", (code) => {
        const task = running.get(w);
        if (!failed && task) fail(taskError(task, `worker exited with code ${code}`));
      });
      dispatch(w);
    }
  });
}

/**
 * A task's failure, naming the task. A user's error inside a task (a UsageError or ConfigError, exit code 2) stays
 * one, so the CLI prints its message without a stack and exits 2.
 */
function taskError(task: Task, message: string, stack?: string, exitCode?: number): Error {
  if (exitCode === 2) return new UsageError(`${taskKey(task)}: ${message}`);
  const err = new Error(`${taskKey(task)} failed: ${message}`);
  if (stack) err.stack = `${err.message}\n  worker stack: ${stack}`;
  return err;
}

let tsxApiUrl: string | undefined;

/** File URL of tsx's ESM register API, resolved from this package. */
function tsxApi(): string {
  if (tsxApiUrl) return tsxApiUrl;
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports: Record<string, { import?: string | { default?: string } }> };
  const entry = pkg.exports["./esm/api"]?.import;
  const rel = typeof entry === "string" ? entry : entry?.default;
  if (!rel) throw new Error("cannot find tsx's ESM API (tsx/esm/api) to load TypeScript in worker threads");
  tsxApiUrl = pathToFileURL(join(dirname(pkgPath), rel)).href;
  return tsxApiUrl;
}

function spawnWorker(ref: TaskModuleRef, plugins: readonly string[]): Worker {
  const workerUrl = new URL("./pool-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi())}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl)}); });`;
  return new Worker(boot, {
    eval: true,
    workerData: { supplygymPoolWorker: true, module: ref.module, exportName: ref.export ?? "runTask", plugins: [...plugins] },
  });
}

/**
 * One long-lived worker thread running tasks one at a time, for callers that receive tasks one by one (the queue
 * worker, src/experiments/queue.ts): the same thread bootstrap, plugin loading, task function and error
 * conversion as the pool. A thread that dies fails the task it was running and is replaced for the next one.
 */
export class TaskThread {
  private worker?: Worker;
  private current?: { task: Task; onProgress?: (f: number) => void; resolve: (r: TaskResult) => void; reject: (e: Error) => void };

  constructor(
    private readonly ref: TaskModuleRef,
    private readonly plugins: readonly string[] = [],
  ) {}

  get busy(): boolean {
    return this.current !== undefined;
  }

  run(task: Task, onProgress?: (fraction: number) => void): Promise<TaskResult> {
    if (this.current) return Promise.reject(new Error("TaskThread.run: a task is already running"));
    const w = this.worker ?? this.spawn();
    return new Promise<TaskResult>((resolve, reject) => {
      this.current = { task, onProgress, resolve, reject };
      w.postMessage({ type: "run", task } satisfies ToWorker);
    });
  }

  private spawn(): Worker {
    const w = spawnWorker(this.ref, this.plugins);
    this.worker = w;
    const settle = (f: (c: NonNullable<TaskThread["current"]>) => void) => {
      const c = this.current;
      this.current = undefined;
      if (c) f(c);
    };
    w.on("message", (msg: FromWorker) => {
      const c = this.current;
      if (!c || c.task.index !== msg.index) return;
      if (msg.type === "progress") c.onProgress?.(msg.fraction);
      else if (msg.type === "error") settle((x) => x.reject(taskError(x.task, msg.message, msg.stack, msg.exitCode)));
      else settle((x) => x.resolve(msg.result as TaskResult));
    });
    w.on("error", (err) => {
      if (this.worker === w) this.worker = undefined;
      settle((x) => x.reject(taskError(x.task, err.message, err.stack)));
    });
    w.on("exit", (code) => {
      if (this.worker === w) this.worker = undefined;
      settle((x) => x.reject(taskError(x.task, `worker exited with code ${code}`)));
    });
    return w;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
