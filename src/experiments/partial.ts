import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { UsageError } from "../io/errors.js";
import { Lock, sweepStale } from "../io/lock.js";
import { resolveInside } from "../io/names.js";
import { makeParents, removeEmpty } from "../io/run-dir.js";
import { canonicalJson, experimentHash, type ResolvedExperiment } from "./schema.js";
import { taskKey, type Task, type TaskResult } from "./task.js";

/**
 * The resumable store of finished tasks: `<root>/<experiment>/.partial-<config hash>/task-<condition>-<seed>.json`,
 * each written atomically when its task finishes. A run with the same resolved experiment (seeds and output
 * aside, see `experimentHash`) finds it and skips the tasks already done; a changed experiment gets another
 * hash and so starts afresh. The store is deleted once the run directory is committed.
 *
 * The store is locked (`.partial-<hash>.lock` beside it) from `open` to `close`: a second process on the same
 * experiment refuses with exit 2 naming the running one instead of sharing (and deleting) its store. Temp
 * files of dead writers are swept when the store opens. `close` releases the lock and removes the
 * experiment's folder if nothing else is left in it (e.g. after `run --out` elsewhere).
 */
export interface SavedTask {
  supplygym_partial: 1;
  config_hash: string;
  condition: string;
  seed: number;
  finished_at: string;
  result: TaskResult;
}

export class PartialStore {
  private constructor(
    readonly dir: string,
    readonly hash: string,
    private readonly lock: Lock,
    private readonly created: string[],
  ) {}

  /**
   * The partial directory of an experiment; `key` (e.g. `{ mode, models }`) tells apart runs of the same
   * experiment whose task results differ for another reason, such as evaluating other saved policies.
   */
  static forExperiment(cfg: ResolvedExperiment, root = cfg.output, key?: Record<string, unknown>): PartialStore {
    const hash =
      key === undefined
        ? experimentHash(cfg)
        : createHash("sha256")
            .update(experimentHash(cfg) + canonicalJson(key))
            .digest("hex")
            .slice(0, 12);
    const dir = resolveInside(resolve(root), [cfg.name, `partial-${hash}`], "name");
    const real = join(dirname(dir), `.partial-${hash}`);
    const created = makeParents(dirname(real));
    let lock: Lock;
    try {
      lock = Lock.acquire(`${real}.lock`, { what: `experiment ${cfg.name} (its partial results ${real})` });
    } catch (err) {
      removeEmpty(created);
      throw err;
    }
    try {
      created.push(...makeParents(real));
    } catch (err) {
      lock.release();
      removeEmpty(created);
      throw new UsageError(`${real}: cannot create the directory of partial results (${(err as Error).message})`);
    }
    sweepStale(real);
    return new PartialStore(real, hash, lock, created);
  }

  file(task: Pick<Task, "condition" | "seed">): string {
    return join(this.dir, `${taskKey(task)}.json`);
  }

  /**
   * Saved results of the given tasks, by task index. A file that cannot be parsed or belongs to another
   * configuration is ignored (its task runs again and replaces it); `onSkip` hears about each.
   */
  load(tasks: readonly Task[], onSkip?: (file: string, why: string) => void): Map<number, SavedTask> {
    const out = new Map<number, SavedTask>();
    if (!existsSync(this.dir)) return out;
    const present = new Set(readdirSync(this.dir));
    for (const task of tasks) {
      const name = `${taskKey(task)}.json`;
      if (!present.has(name)) continue;
      const file = join(this.dir, name);
      try {
        const saved = decodeJson(readFileSync(file, "utf8")) as SavedTask;
        if (saved.supplygym_partial !== 1 || saved.config_hash !== this.hash) onSkip?.(file, "written by another configuration");
        else if (saved.condition !== task.condition.name || saved.seed !== task.seed) onSkip?.(file, "holds another task");
        else if (!saved.result || typeof saved.result.metrics !== "object") onSkip?.(file, "has no metrics");
        else out.set(task.index, saved);
      } catch (err) {
        onSkip?.(file, `unreadable (${(err as Error).message})`);
      }
    }
    return out;
  }

  save(task: Task, result: TaskResult): SavedTask {
    const saved: SavedTask = {
      supplygym_partial: 1,
      config_hash: this.hash,
      condition: task.condition.name,
      seed: task.seed,
      finished_at: new Date().toISOString(),
      result,
    };
    writeFileAtomic(this.file(task), encodeJson(saved) + "\n");
    return decodeJson(encodeJson(saved)) as SavedTask;
  }

  /** Delete the store (its run was committed). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Release the lock; remove the folders the store created if they are empty (idempotent). */
  close(): void {
    this.lock.release();
    // Nothing of value lives in an empty store or experiment folder; another run's lock file keeps it non-empty.
    removeEmpty([...new Set([...this.created, dirname(this.dir), this.dir])].sort((a, b) => a.length - b.length));
  }

  /** Forget every saved task (a fresh run): the directory is emptied, not removed. */
  clear(): void {
    this.remove();
    mkdirSync(this.dir, { recursive: true });
  }
}

/**
 * JSON that keeps non-finite numbers: NaN, Infinity and -Infinity are written as {"$number": "NaN"} etc.
 * (plain JSON would turn them into null, and a metric that is undefined for a seed must stay NaN).
 */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? { $number: String(v) } : v));
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$number") return Number((v as { $number: string }).$number);
    }
    return v;
  });
}
