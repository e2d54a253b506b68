import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Test hook: called before every durable write with the target path; a test makes it throw an errno error
 * (e.g. ENOSPC) to check that a failed write leaves nothing half-written. Never set outside tests.
 */
let writeFault: ((path: string) => void) | undefined;
export function setWriteFaultForTests(fn: ((path: string) => void) | undefined): void {
  writeFault = fn;
}

/** An errno-style error as node's fs throws it (for fault injection). */
export function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: injected fault, ${syscall} '${path}'`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  e.path = path;
  return e;
}

/** Write `data` to `path` (created or truncated) and fsync it before returning. */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  try {
    writeFault?.(path);
    const fd = openSync(path, "w");
    try {
      const buf = typeof data === "string" ? Buffer.from(data) : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    // fd-based calls (write, fsync) do not name the file: add it, so the message does.
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e === "object" && e.code && !e.path) e.path = path;
    throw err;
  }
}

/** fsync a directory, so that the names created or renamed in it survive a crash (no-op where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some platforms/filesystems cannot fsync a directory (EINVAL, EPERM): nothing more to do
  } finally {
    closeSync(fd);
  }
}

/**
 * Write a file so that readers see either the old content or the whole new content, never a part:
 * write a temporary sibling, fsync it, rename it over the target, then fsync the folder.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    writeFileDurable(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}
