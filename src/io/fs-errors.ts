import { UsageError } from "./errors.js";

/**
 * Operating-system errors a user can act on (disk full, no permission, a folder where a file was expected,
 * a closed output pipe): one line naming the path and what to do, exit 2. Anything else stays an internal
 * error (exit 1, with its stack), since it is a bug of ours.
 */
const EXPLAIN: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EISDIR: "is a directory, expected a file",
  ENOTDIR: "a part of the path is not a directory",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  EPIPE: "the output pipe was closed by the reader",
};

export function isEnvironmentError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && code in EXPLAIN;
}

/** The UsageError for an operating-system error, or undefined when `err` is not one of those. */
export function environmentError(err: unknown): UsageError | undefined {
  if (!isEnvironmentError(err)) return undefined;
  const code = err.code!;
  const where = err.path ? `${err.path}: ` : "";
  const what = `${err.syscall ? `${err.syscall}: ` : ""}${EXPLAIN[code]} (${code})`;
  const advice =
    code === "ENOSPC" || code === "EDQUOT"
      ? "; nothing half-written was kept: free some space and run the same command again (finished tasks and checkpoints are kept)"
      : code === "EPIPE"
        ? ""
        : "; nothing half-written was kept";
  return new UsageError(`${where}${what}${advice}`);
}
