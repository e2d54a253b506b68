import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, accessSync, constants } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "./errors.js";
import { toCsv } from "./csv.js";

/**
 * A run directory that appears whole or not at all. Files are written into a hidden staging directory beside
 * the target; `commit()` renames it into place. A failed or interrupted run removes its staging directory, so
 * no half-written results are left, and an existing run directory is never overwritten.
 */
export class RunDir {
  private committed = false;

  private constructor(
    /** Where the run will live once committed. */
    readonly path: string,
    /** Where files are written until then. */
    readonly staging: string,
  ) {}

  static open(opts: { experiment: string; out?: string; root?: string; runId?: string }): RunDir {
    let target: string;
    if (opts.out !== undefined) {
      target = resolve(opts.out);
      if (existsSync(target)) throw new UsageError(`${opts.out}: already exists; supplygym never overwrites a run directory (choose another --out)`);
    } else {
      const base = join(resolve(opts.root ?? "results"), safeName(opts.experiment), opts.runId ?? timestampId());
      target = base;
      for (let i = 2; existsSync(target); i++) target = `${base}-${i}`;
    }
    const parent = dirname(target);
    try {
      mkdirSync(parent, { recursive: true });
      accessSync(parent, constants.W_OK);
    } catch (err) {
      throw new UsageError(`${parent}: cannot create or write the results directory (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    const staging = join(parent, `.tmp-${basename(target)}-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    const dir = new RunDir(target, staging);
    active.add(dir);
    installCleanup();
    return dir;
  }

  /** Path of a file inside the (staging) run directory. */
  file(name: string): string {
    return join(this.staging, name);
  }

  writeText(name: string, text: string | Uint8Array): string {
    const p = this.file(name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  }

  writeJson(name: string, value: unknown): string {
    return this.writeText(name, JSON.stringify(value, null, 2) + "\n");
  }

  writeCsv(name: string, columns: readonly string[], rows: Iterable<object>): string {
    return this.writeText(name, toCsv(columns, rows));
  }

  /** Move the finished run into place; returns its final path. */
  commit(): string {
    if (this.committed) return this.path;
    if (existsSync(this.path)) throw new UsageError(`${this.path}: appeared while the run was writing; not overwritten (results left in ${this.staging})`);
    renameSync(this.staging, this.path);
    this.committed = true;
    active.delete(this);
    return this.path;
  }

  /** Drop the staging directory (on failure). */
  abort(): void {
    if (this.committed) return;
    rmSync(this.staging, { recursive: true, force: true });
    active.delete(this);
  }
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
