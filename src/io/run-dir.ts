import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, accessSync, constants, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fsyncDir, writeFileDurable } from "./atomic.js";
import { UsageError } from "./errors.js";
import { toCsv, type Cell } from "./csv.js";
import { hostTag, Lock, LockHeldError, lockFileFor, sweepStale } from "./lock.js";
import { checkName, resolveInside } from "./names.js";

/**
 * A run directory that appears whole or not at all. Files are written (and fsynced) into a hidden staging
 * directory beside the target; `commit()` fsyncs it and renames it into place. While open, the target is
 * locked (`.<run-id>.lock` beside it, see lock.ts), so two processes never write or commit the same run
 * directory. A failed or interrupted run removes its staging directory, its lock and any folder it created
 * that stayed empty, so no half-written results and no empty folders are left; an existing run directory is
 * never overwritten. Staging folders of dead processes are swept when the next run opens beside them.
 */
export class RunDir {
  private committed = false;
  private closed = false;

  private constructor(
    /** Where the run will live once committed. */
    readonly path: string,
    /** Where files are written until then. */
    readonly staging: string,
    private readonly lock: Lock,
    /** Folders this run created (deepest last), removed on abort when empty. */
    private readonly created: string[],
  ) {}

  /**
   * `out`: the exact run directory (must not exist). Otherwise `<root>/<experiment>/<runId>` (runId default:
   * a timestamp; `-2`, `-3`, ... appended when taken). `experiment` and `runId` must follow the name rule
   * (names.ts); `field` names the config field the experiment name came from, for the error message.
   */
  static open(opts: { experiment: string; out?: string; root?: string; runId?: string; field?: string }): RunDir {
    let candidates: () => Generator<string>;
    if (opts.out !== undefined) {
      const out = resolve(opts.out);
      candidates = function* () {
        yield out;
      };
    } else {
      checkName(opts.field ?? "experiment name", opts.experiment);
      const runId = checkName("run id", opts.runId ?? timestampId());
      const base = resolveInside(resolve(opts.root ?? "results"), [opts.experiment, runId], opts.field ?? "experiment name");
      candidates = function* () {
        yield base;
        for (let i = 2; ; i++) yield `${base}-${i}`;
      };
    }
    let created: string[] = [];
    let lock: Lock | undefined;
    let target = "";
    for (const t of candidates()) {
      if (existsSync(t)) {
        if (opts.out !== undefined)
          throw new UsageError(`${opts.out}: already exists; supplygym never overwrites a run directory (choose another --out)`);
        continue;
      }
      if (created.length === 0 && lock === undefined) created = makeParents(dirname(t));
      try {
        lock = Lock.acquire(lockFileFor(t), { what: `run directory ${t}` });
      } catch (err) {
        if (err instanceof LockHeldError && opts.out === undefined) continue;
        removeEmpty(created);
        throw err;
      }
      if (existsSync(t)) {
        lock.release();
        lock = undefined;
        if (opts.out !== undefined) {
          removeEmpty(created);
          throw new UsageError(`${opts.out}: already exists; supplygym never overwrites a run directory (choose another --out)`);
        }
        continue;
      }
      target = t;
      break;
    }
    const parent = dirname(target);
    sweepStale(parent);
    const staging = join(parent, `.tmp-${basename(target)}-${process.pid}-${hostTag()}`);
    try {
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging);
    } catch (err) {
      lock!.release();
      removeEmpty(created);
      throw err;
    }
    const dir = new RunDir(target, staging, lock!, created);
    active.add(dir);
    installCleanup();
    return dir;
  }

  /** Path of a file inside the (staging) run directory. */
  file(name: string): string {
    return join(this.staging, name);
  }

  /** Write (and fsync) a file into the staging directory. */
  writeText(name: string, text: string | Uint8Array): string {
    const p = this.file(name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileDurable(p, text);
    return p;
  }

  writeJson(name: string, value: unknown): string {
    return this.writeText(name, JSON.stringify(value, null, 2) + "\n");
  }

  /**
   * Write a CSV. An infinite number in any cell is an error (results must never hold `Inf`); NaN stays, it
   * marks a metric that is undefined for a seed. Callers should check their inputs first so the message names
   * the input; this is the last line of defence and names the file, row and column.
   */
  writeCsv(name: string, columns: readonly string[], rows: Iterable<object>): string {
    const list = [...rows];
    list.forEach((row, i) => {
      for (const c of columns) {
        const v = (row as Record<string, Cell>)[c];
        if (typeof v === "number" && (v === Infinity || v === -Infinity)) {
          throw new UsageError(
            `${name}: row ${i + 1}, column ${c} is ${v}: a result overflowed; check the inputs' magnitudes (no results were written)`,
          );
        }
      }
    });
    return this.writeText(name, toCsv(columns, list));
  }

  /** Move the finished run into place; returns its final path. */
  commit(): string {
    if (this.committed) return this.path;
    fsyncTree(this.staging);
    const lost = () => {
      // Keep the staging folder: the message tells where the results are.
      active.delete(this);
      this.closed = true;
      this.lock.release();
      return new UsageError(`${this.path}: appeared while the run was writing; not overwritten (results left in ${this.staging})`);
    };
    if (existsSync(this.path)) throw lost();
    try {
      renameSync(this.staging, this.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOTEMPTY" || code === "EEXIST" || code === "EISDIR") throw lost();
      throw err;
    }
    fsyncDir(dirname(this.path));
    this.committed = true;
    this.closed = true;
    active.delete(this);
    this.lock.release();
    return this.path;
  }

  /** Drop the staging directory (on failure), the lock, and folders this run created that stayed empty. */
  abort(): void {
    if (this.committed || this.closed) return;
    this.closed = true;
    rmSync(this.staging, { recursive: true, force: true });
    active.delete(this);
    this.lock.release();
    removeEmpty(this.created);
  }
}

/** mkdir -p `dir`; returns the folders it created, outermost first. UsageError when it cannot. */
export function makeParents(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    removeEmpty(missing);
    throw new UsageError(`${dir}: cannot create or write the results directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return missing;
}

/** Remove the given folders, deepest first, while they are empty (what `makeParents` created). */
export function removeEmpty(dirs: readonly string[]): void {
  for (const d of [...dirs].reverse()) {
    try {
      rmdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      return; // not empty (another run's files): stop here
    }
  }
}

function fsyncTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) fsyncTree(join(dir, e.name));
  fsyncDir(dir);
}

const active = new Set<RunDir>();
let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", () => {
    for (const dir of active) dir.abort();
  });
}

/** `20261121-141753-123`: sortable, unique enough for one user; collisions get a `-2` suffix. */
export function timestampId(date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}-${p(date.getMilliseconds(), 3)}`;
}

export function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, "_");
}

/** Whether `p` is an existing directory. */
export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
