import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { writeFileAtomic } from "../io/atomic.js";

/**
 * An append-only, hash-chained audit ledger in JSONL. Line i (1-based) is
 *
 *     {"hash":H_i,"prev":H_{i-1},"record":{...},"seq":i}
 *
 * with H_0 = 64 zeros and H_i = SHA-256(canonicalJson({prev, record, seq})) in hex. Each append is written and
 * fsynced before it returns. Because a chain alone cannot reveal that its last records were cut off, a head
 * file `<ledger>.head` ({"count","hash"}) is rewritten atomically after every append; `verifyLedger` checks the
 * chain against it when present.
 */
export const GENESIS = "0".repeat(64);

/** JSON with object keys sorted at every depth and no whitespace; rejects non-finite numbers. */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new RangeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
      const keys = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

export function chainHash(prev: string, seq: number, record: unknown): string {
  return createHash("sha256").update(canonicalJson({ prev, record, seq })).digest("hex");
}

export interface LedgerHead {
  count: number;
  hash: string;
}

/** Something records can be appended to (the file ledger, or an in-memory one in tests and the env). */
export interface LedgerSink {
  append(record: Record<string, unknown>): void;
}

export class MemoryLedger implements LedgerSink {
  readonly records: Record<string, unknown>[] = [];
  append(record: Record<string, unknown>): void {
    canonicalJson(record); // same validation as the file ledger
    this.records.push(record);
  }
}

export class FileLedger implements LedgerSink {
  private fd: number;
  private head: LedgerHead;

  /** Open (or continue) the ledger at `path`; an existing ledger is verified first and must be intact. */
  constructor(
    readonly path: string,
    readonly opts: { writeHead?: boolean } = {},
  ) {
    this.head = { count: 0, hash: GENESIS };
    if (existsSync(path)) {
      const v = verifyLedger(path);
      if (!v.ok) throw new Error(`${path}: cannot append to a broken ledger: ${v.error}`);
      this.head = { count: v.count, hash: v.head };
    }
    this.fd = openSync(path, "a");
  }

  get count(): number {
    return this.head.count;
  }

  get lastHash(): string {
    return this.head.hash;
  }

  append(record: Record<string, unknown>): void {
    const seq = this.head.count + 1;
    const hash = chainHash(this.head.hash, seq, record);
    const line = canonicalJson({ hash, prev: this.head.hash, record, seq }) + "\n";
    writeSync(this.fd, line);
    fsyncSync(this.fd);
    this.head = { count: seq, hash };
    if (this.opts.writeHead !== false) writeFileAtomic(headPath(this.path), JSON.stringify(this.head) + "\n");
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function headPath(ledgerPath: string): string {
  return `${ledgerPath}.head`;
}

export interface VerifyResult {
  ok: boolean;
  /** Records that verified (the whole ledger when ok). */
  count: number;
  /** Hash of the last verified record. */
  head: string;
  /** 1-based line of the first problem. */
  badLine?: number;
  /** What is wrong, naming the line. */
  error?: string;
  /** The problem is an incomplete last line (a crash mid-append). */
  truncated?: boolean;
  /** Whether a head file was found and checked. */
  anchored: boolean;
}

/**
 * Verify a ledger: every line parses, sequence numbers run 1, 2, 3, ..., each `prev` is the previous line's hash
 * and each hash matches its content. With a head file (or `expectedHead`), the count and last hash must match
 * too, which catches records removed from the end. Returns the first problem found.
 */
export function verifyLedger(path: string, expectedHead?: LedgerHead): VerifyResult {
  const text = readFileSync(path, "utf8");
  let anchor = expectedHead;
  if (!anchor && existsSync(headPath(path))) {
    try {
      anchor = JSON.parse(readFileSync(headPath(path), "utf8")) as LedgerHead;
    } catch {
      return { ok: false, count: 0, head: GENESIS, error: `${headPath(path)}: head file is not valid JSON`, anchored: true };
    }
  }
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  if (endsWithNewline) lines.pop();
  let prev = GENESIS;
  let count = 0;
  const fail = (line: number, error: string, truncated = false): VerifyResult => ({ ok: false, count, head: prev, badLine: line, error: `line ${line}: ${error}`, truncated, anchored: anchor !== undefined });
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const isLast = i === lines.length - 1;
    let entry: { hash?: unknown; prev?: unknown; record?: unknown; seq?: unknown };
    try {
      entry = JSON.parse(lines[i]);
    } catch {
      if (isLast && !endsWithNewline) return fail(n, "truncated last line (an append was cut off, e.g. by a crash); the records before it verify", true);
      return fail(n, "not valid JSON");
    }
    if (isLast && !endsWithNewline) return fail(n, "last line has no final newline (incomplete append)", true);
    if (typeof entry !== "object" || entry === null || typeof entry.hash !== "string" || typeof entry.prev !== "string" || typeof entry.seq !== "number" || typeof entry.record !== "object") {
      return fail(n, "not a ledger entry (needs hash, prev, record, seq)");
    }
    if (entry.seq !== n) return fail(n, `sequence number ${entry.seq}, expected ${n} (a record was removed, inserted or reordered)`);
    if (entry.prev !== prev) return fail(n, "prev does not match the hash of the line before (a record was removed, inserted or reordered)");
    let actual: string;
    try {
      actual = chainHash(entry.prev, entry.seq, entry.record);
    } catch (err) {
      return fail(n, `record cannot be hashed (${(err as Error).message})`);
    }
    if (actual !== entry.hash) return fail(n, "hash does not match the record (the record was modified)");
    prev = entry.hash;
    count = n;
  }
  if (anchor) {
    if (anchor.count !== count || anchor.hash !== prev) {
      const line = Math.min(count, anchor.count) + 1;
      return {
        ok: false,
        count,
        head: prev,
        badLine: line,
        error: `line ${line}: the ledger has ${count} records ending in ${prev.slice(0, 12)}..., its head file records ${anchor.count} ending in ${String(anchor.hash).slice(0, 12)}... (records removed from or added to the end)`,
        anchored: true,
      };
    }
  }
  return { ok: true, count, head: prev, anchored: anchor !== undefined };
}
