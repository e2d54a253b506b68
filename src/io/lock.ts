import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import { basename, dirname, join } from "node:path";
import { UsageError } from "./errors.js";
import { holdForCleanup } from "./signals.js";

/**
 * Advisory locks between supplygym processes (see docs/reliability.md). A lock is a file created with O_EXCL
 * (`wx`) holding {pid, host, started_at, command, what}; only one process can create it. A second process that
 * finds it refuses with exit 2 naming the holder (`LockHeldError`), or waits (`wait` ms, for queue workers).
 * A lock whose holder is a dead process on this host is stale: it is broken (under a short-lived `.break`
 * lock, so that two processes cannot both break it and then delete each other's fresh lock) and taken.
 * A lock held by a process on another host is never broken automatically: the message says how to remove it.
 * Locks are released on normal exit, on an error and on SIGINT/SIGTERM (process `exit` handler); a SIGKILL or
 * power loss leaves the file, and the next process sees its holder is dead and breaks it.
 */
export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  command: string;
  /** What the lock protects, for messages (e.g. "the partial results of experiment default"). */
  what: string;
}

export class LockHeldError extends UsageError {
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
    what: string,
  ) {
    super(
      holder
        ? `${what} is in use by another supplygym process (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}: ${holder.command}); ` +
            `wait for it to finish${holder.host === os.hostname() ? "" : `, or if that process is gone delete ${lockFile}`} (lock ${lockFile})`
        : `${what} is locked by another supplygym process that is starting up (lock ${lockFile}); try again`,
    );
    this.name = "LockHeldError";
  }
}

/** Whether process `pid` exists on this host (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as LockHolder;
    return typeof h?.pid === "number" && typeof h?.host === "string" ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the holder is known to be gone: a dead pid on this host. */
function isStale(h: LockHolder): boolean {
  return h.host === os.hostname() && !pidAlive(h.pid);
}

const held = new Set<Lock>();
let exitHook = false;

export class Lock {
  private released = false;
  /** A held lock needs the exit handlers on SIGINT/SIGTERM (io/signals.ts). */
  private readonly unhold = holdForCleanup();
  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {}

  /**
   * Take the lock file `file` (its folder must exist). Throws LockHeldError (exit 2) when a live process holds
   * it; with `wait` > 0, polls up to that many milliseconds first.
   */
  static acquire(file: string, opts: { what: string; wait?: number; command?: string }): Lock {
    const holder: LockHolder = {
      pid: process.pid,
      host: os.hostname(),
      started_at: new Date().toISOString(),
      command: opts.command ?? ["supplygym", ...process.argv.slice(2)].join(" "),
      what: opts.what,
    };
    const deadline = Date.now() + (opts.wait ?? 0);
    for (let attempt = 0; ; attempt++) {
      if (tryCreate(file, holder)) {
        const lock = new Lock(file, holder);
        held.add(lock);
        if (!exitHook) {
          exitHook = true;
          process.on("exit", () => {
            for (const l of held) l.release();
          });
        }
        return lock;
      }
      const current = readHolder(file);
      if (current === undefined) {
        // Being written right now (created, not yet filled), or garbage left by a crash between the two.
        if (attempt < 20) {
          sleepSync(25);
          continue;
        }
        if (olderThan(file, 10_000)) {
          breakLock(file, undefined);
          continue;
        }
      } else if (isStale(current)) {
        breakLock(file, current);
        continue;
      }
      if (Date.now() < deadline) {
        sleepSync(Math.min(200, Math.max(1, deadline - Date.now())));
        continue;
      }
      throw new LockHeldError(file, current, opts.what);
    }
  }

  /** Remove the lock file if this process still holds it. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    this.unhold();
    const current = readHolder(this.file);
    if (current && current.pid === this.holder.pid && current.host === this.holder.host && current.started_at === this.holder.started_at) {
      rmSync(this.file, { force: true });
    }
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "ENOENT") throw err;
    // The folder was removed (an empty experiment folder cleaned up by another run): make it again.
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(file, "wx");
  }
  try {
    writeSync(fd, JSON.stringify(holder) + "\n");
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw err;
  } finally {
    try {
      closeSync(fd);
    } catch {
      /* closed above */
    }
  }
  return true;
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** Delete a stale lock, but only if it is still the one we judged stale (checked under a `.break` lock). */
function breakLock(file: string, stale: LockHolder | undefined): void {
  const breaker = `${file}.break`;
  if (
    !tryCreate(breaker, {
      pid: process.pid,
      host: os.hostname(),
      started_at: new Date().toISOString(),
      command: "break stale lock",
      what: file,
    })
  ) {
    const b = readHolder(breaker);
    if ((b && isStale(b)) || olderThan(breaker, 10_000)) rmSync(breaker, { force: true });
    else sleepSync(25);
    return;
  }
  try {
    const now = readHolder(file);
    const same =
      stale === undefined
        ? now === undefined
        : now !== undefined && now.pid === stale.pid && now.host === stale.host && now.started_at === stale.started_at;
    if (same) {
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  } finally {
    rmSync(breaker, { force: true });
  }
}

/** The lock file that guards `path` (a folder or file that may not exist yet): `<parent>/.<name>.lock`. */
export function lockFileFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.lock`);
}

/** A tag for staging names: this host, reduced to [A-Za-z0-9_] (at most 32 characters). */
export function hostTag(host = os.hostname()): string {
  return `h${host.replace(/[^A-Za-z0-9]/g, "_").slice(0, 32)}`;
}

/**
 * Remove, in `dir`, staging folders, temp files and lock files that dead processes of this host left behind:
 * `.tmp-<name>-<pid>-h<host>` (RunDir, checkpoints), `.tmp-<name>-<pid>` (older versions),
 * `.<file>.<pid>.<time>.tmp` (writeFileAtomic) and `.<name>.lock` / `.<name>.lock.break` whose holder is a dead
 * pid (broken as `Lock.acquire` breaks them, so a lock taken meanwhile is never deleted). Those of live
 * processes, and those of other hosts, are kept. Returns the removed paths.
 */
export function sweepStale(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const me = hostTag();
  for (const name of entries) {
    if (/^\..+\.lock(\.break)?$/.test(name)) {
      const p = join(dir, name);
      const h = readHolder(p);
      if (!h || !isStale(h)) continue;
      if (name.endsWith(".break")) rmSync(p, { force: true });
      else breakLock(p, h);
      if (!existsSync(p)) removed.push(p);
      continue;
    }
    let pid: number | undefined;
    let m = /^\.tmp-.+-(\d+)-(h[A-Za-z0-9_]*)$/.exec(name);
    if (m) {
      if (m[2] === me) pid = Number(m[1]);
    } else if ((m = /^\.tmp-.+-(\d+)$/.exec(name))) pid = Number(m[1]);
    else if ((m = /^\..+\.(\d+)\.[0-9a-z]+\.tmp$/.exec(name))) pid = Number(m[1]);
    if (pid === undefined || pidAlive(pid)) continue;
    const p = join(dir, name);
    rmSync(p, { recursive: true, force: true });
    removed.push(p);
  }
  return removed;
}
