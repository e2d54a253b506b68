import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { environmentError } from "../io/fs-errors.js";
import { loadPlugins } from "./plugins.js";
import type { Task, TaskFn } from "./task.js";

/**
 * Worker-thread side of the pool: import the plugins and load the task module once, then run the tasks the main
 * thread sends, one at a time, posting progress, results and errors back.
 */
export type ToWorker = { type: "run"; task: Task } | { type: "exit" };
export type FromWorker =
  | { type: "progress"; index: number; fraction: number }
  | { type: "done"; index: number; result: unknown }
  | { type: "error"; index: number; message: string; stack?: string; exitCode?: number };

/**
 * What a failed task reports: its message, stack and exit code. An operating-system error the user can act on
 * (disk full, no permission: `environmentError`) becomes its one-line message with exit code 2, like a
 * UsageError, so that the CLI prints one line instead of an internal error's stack.
 */
export function taskFailure(err: unknown): { message: string; stack?: string; exitCode?: number } {
  const env = environmentError(err);
  if (env) return { message: env.message, exitCode: 2 };
  const e = err as Error;
  return { message: e?.message ?? String(err), stack: e?.stack, exitCode: (err as { exitCode?: number })?.exitCode };
}

export async function loadTaskFn(module: string, name = "runTask"): Promise<TaskFn> {
  const url = module.startsWith("file:") ? module : pathToFileURL(module).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== "function") throw new TypeError(`${module} does not export a function "${name}"`);
  return fn as TaskFn;
}

if (parentPort && workerData?.supplygymPoolWorker) {
  const port = parentPort;
  const { module, exportName, plugins } = workerData as { module: string; exportName: string; plugins?: string[] };
  // Plugins first: they register the strategies, metrics, scenarios and algorithms the tasks name.
  const fnPromise = loadPlugins(plugins ?? []).then(() => loadTaskFn(module, exportName));
  port.on("message", async (msg: ToWorker) => {
    if (msg.type === "exit") {
      port.close();
      return;
    }
    const index = msg.task.index;
    let last = 0;
    try {
      const fn = await fnPromise;
      const result = await fn(msg.task, {
        progress(fraction) {
          const now = Date.now();
          if (now - last < 100 && fraction < 1) return;
          last = now;
          port.postMessage({ type: "progress", index, fraction } satisfies FromWorker);
        },
      });
      port.postMessage({ type: "done", index, result } satisfies FromWorker);
    } catch (err) {
      port.postMessage({ type: "error", index, ...taskFailure(err) } satisfies FromWorker);
    }
  });
}
