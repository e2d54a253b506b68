import { createHash, createHmac } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";

/**
 * An append-only, hash-chained audit ledger in JSONL. Line i (1-based) is
 *
 *     {"hash":H_i,"prev":H_{i-1},"record":{...},"seq":i}
 *
 * with H_0 = 64 zeros and H_i = SHA-256(canonicalJson({prev, record, seq})) in hex; every line is exactly the
 * canonical JSON of its entry (no other fields, no other formatting). Each append is written and fsynced before it
 * returns. Because a chain alone cannot reveal that its last records were cut off, a head file `<ledger>.head`
 * ({"count","hash"}) is written when the ledger is opened and rewritten atomically after every append;
 * `verifyLedger` checks the chain against it, and against the ledger head a run's `manifest.json` beside the
 * ledger recorded (a checkpoint: later records, e.g. review decisions, may follow it).
 *
 * Keyed ledgers: with a secret key (`hubs --ledger-key FILE`), H_i = HMAC-SHA256(key, canonicalJson({prev,
 * record, seq})) instead, the head file says `"mac": "hmac-sha256"`, and the head file and the manifest carry a
 * `tag`, the HMAC of their count and last hash (`headTag`). Without the key nobody can write a chain or a head
 * that verifies under it, so a consistent rewrite of ledger, head and manifest, and records cut from the end
 * with head and manifest edited to match, are detected by `ledger verify --key FILE`. What each form proves is
 * in docs/hubs.md ("What the ledger proves").
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

/** The hash of entry `seq`: SHA-256, or HMAC-SHA256 under `key` (a keyed ledger). */
export function chainHash(prev: string, seq: number, record: unknown, key?: Uint8Array): string {
  const text = canonicalJson({ prev, record, seq });
  return key ? createHmac("sha256", key).update(text).digest("hex") : createHash("sha256").update(text).digest("hex");
}

export const LEDGER_MAC = "hmac-sha256";

/**
 * The tag of a keyed ledger's head: HMAC-SHA256(key, "supplygym-ledger-<where>\n<count>\n<hash>"). Without it the
 * chain alone would let anyone cut records from the end and set the head file and manifest to an earlier
 * record's count and hash (no new hash needed). `where` separates the head file (rewritten after every append)
 * from the manifest (written once, at the end of the run), so that a head file saved mid-run cannot stand in
 * for the manifest's tag.
 */
export function headTag(key: Uint8Array, where: AnchorKind, count: number, hash: string): string {
  return createHmac("sha256", key).update(`supplygym-ledger-${where}\n${count}\n${hash}`).digest("hex");
}

/** Which copy an anchor is: the head file or the run's manifest. */
export type AnchorKind = "head" | "manifest";
/** Shortest accepted key (bytes): 32, the output size of SHA-256. */
export const MIN_KEY_BYTES = 32;

/**
 * Read a ledger key file (raw bytes; e.g. `openssl rand -out ledger.key 32`). It must hold at least 32 bytes and
 * must not lie inside `runDir` (a key stored with the ledger protects nothing). Throws Error with a message naming
 * the file; commands turn it into exit 2.
 */
export function readLedgerKey(file: string, runDir?: string): Buffer {
  let key: Buffer;
  try {
    if (statSync(file).isDirectory()) throw new Error(`${file}: is a directory, expected a key file`);
    key = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code ? `${file}: cannot read the key (${code})` : (err as Error).message);
  }
  if (key.length < MIN_KEY_BYTES)
    throw new Error(
      `${file}: a ledger key needs at least ${MIN_KEY_BYTES} bytes, the file has ${key.length} (make one with: openssl rand -out ${file} 32)`,
    );
  if (runDir !== undefined) {
    const rel = relative(resolve(runDir), resolve(file));
    if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel)))
      throw new Error(
        `${file}: the key must be kept outside the run directory ${runDir} (anyone who can rewrite the ledger could then read it)`,
      );
  }
  return key;
}

export interface LedgerHead {
  count: number;
  hash: string;
  /** "hmac-sha256" for a keyed ledger. */
  mac?: string;
  /** A keyed ledger's `headTag` of count and hash. */
  tag?: string;
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
    readonly opts: { writeHead?: boolean; key?: Uint8Array } = {},
  ) {
    this.head = { count: 0, hash: GENESIS };
    if (existsSync(path)) {
      const v = verifyLedger(path, { key: opts.key });
      if (!v.ok) throw new Error(`${path}: cannot append to a broken ledger: ${v.error}`);
      // Appending would write a new head for whatever is there, silently anchoring a ledger cut at its end.
      if (!v.anchored && this.opts.writeHead !== false)
        throw new Error(`${path}: cannot append to an unanchored ledger (no ${basename(headPath(path))} or manifest covers its end)`);
      this.head = { count: v.count, hash: v.head };
    }
    this.fd = openSync(path, "a");
    // Anchor from the start: a run that appends nothing still leaves a head (0 records, the genesis hash).
    this.writeHead();
  }

  get count(): number {
    return this.head.count;
  }

  get lastHash(): string {
    return this.head.hash;
  }

  /** What a run's manifest records of this ledger: `{file, records, head}`, and `tag` for a keyed ledger. */
  manifestEntry(): { file: string; records: number; head: string; tag?: string } {
    const { count, hash } = this.head;
    return {
      file: basename(this.path),
      records: count,
      head: hash,
      ...(this.opts.key ? { tag: headTag(this.opts.key, "manifest", count, hash) } : {}),
    };
  }

  append(record: Record<string, unknown>): void {
    const seq = this.head.count + 1;
    const hash = chainHash(this.head.hash, seq, record, this.opts.key);
    const line = canonicalJson({ hash, prev: this.head.hash, record, seq }) + "\n";
    writeSync(this.fd, line);
    fsyncSync(this.fd);
    this.head = { count: seq, hash };
    this.writeHead();
  }

  private writeHead(): void {
    const { key } = this.opts;
    const head: LedgerHead = key
      ? { ...this.head, mac: LEDGER_MAC, tag: headTag(key, "head", this.head.count, this.head.hash) }
      : this.head;
    if (this.opts.writeHead !== false) writeFileAtomic(headPath(this.path), JSON.stringify(head) + "\n");
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function headPath(ledgerPath: string): string {
  return `${ledgerPath}.head`;
}

/** A ledger head with where it came from (for messages). */
export interface LedgerAnchor extends LedgerHead {
  source: string;
  /** The head file or the manifest (which `headTag` it carries); default "head". */
  kind?: AnchorKind;
}

export interface VerifyOptions {
  /** The whole ledger's expected head. Default: the head file `<ledger>.head` when it exists. */
  head?: LedgerAnchor;
  /**
   * A checkpoint: record `count` must exist and have hash `hash`; records after it are allowed. Default: the
   * ledger head in `manifest.json` beside the ledger when that manifest names this ledger file (see
   * {@link manifestCheckpoint}).
   */
  checkpoint?: LedgerAnchor;
  /** The key of a keyed ledger: every hash is checked as HMAC-SHA256 under it. */
  key?: Uint8Array;
}

const ENTRY_KEYS = ["hash", "prev", "record", "seq"];

/** `verifyLedger` was given a path that is not a ledger file (a directory): a usage error, not a tampered ledger. */
export class LedgerPathError extends Error {}

export interface VerifyResult {
  ok: boolean;
  /** The head file says the ledger is keyed and no key was given. */
  needsKey?: boolean;
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
  /**
   * Whether the end of the ledger is anchored: a head matched, or a checkpoint matched the last record. When
   * false, records cut from the end (after the checkpoint, if any) could not be detected.
   */
  anchored: boolean;
  /** The anchors that were checked (head file, manifest checkpoint, or given ones), e.g. "ledger.jsonl.head". */
  anchors: string[];
}

/**
 * The ledger head recorded by a run's manifest: `manifest.json` in the ledger's directory with
 * `ledger: {file, records, head}` where `file` is the ledger's file name. Undefined when there is no such
 * manifest or it records no head for this file.
 */
export function manifestCheckpoint(ledgerPath: string): LedgerAnchor | undefined {
  const file = join(dirname(ledgerPath), "manifest.json");
  if (!existsSync(file)) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const l = (m as { ledger?: { file?: unknown; records?: unknown; head?: unknown; tag?: unknown } } | null)?.ledger;
  if (!l || l.file !== basename(ledgerPath) || typeof l.records !== "number" || typeof l.head !== "string") return undefined;
  return { count: l.records, hash: l.head, source: file, kind: "manifest", ...(typeof l.tag === "string" ? { tag: l.tag } : {}) };
}

/** Read a head file: the anchor, `{error}` when it is not a head, undefined when it does not exist. */
export function readHeadFile(path: string): LedgerAnchor | { error: string } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const h = JSON.parse(readFileSync(path, "utf8")) as Partial<LedgerHead>;
    if (typeof h?.count !== "number" || typeof h?.hash !== "string")
      return { error: `${path}: not a ledger head (expected {"count": N, "hash": "..."})` };
    return {
      count: h.count,
      hash: h.hash,
      source: path,
      kind: "head",
      ...(typeof h.mac === "string" ? { mac: h.mac } : {}),
      ...(typeof h.tag === "string" ? { tag: h.tag } : {}),
    };
  } catch {
    return { error: `${path}: head file is not valid JSON` };
  }
}

/**
 * Verify a ledger: every line is the canonical JSON of an entry {hash, prev, record, seq}, sequence numbers run
 * 1, 2, 3, ..., each `prev` is the previous line's hash and each hash matches its content. An empty file is a
 * valid ledger of 0 records (head = genesis). Against a head (the head file, or `opts.head`) the count and last
 * hash must match, which catches records removed from the end; against a checkpoint (the run's manifest) the
 * checkpointed record must be there unchanged. Returns the first problem found; `anchored` says whether the end
 * of the ledger was covered by an anchor.
 */
export function verifyLedger(path: string, opts: VerifyOptions = {}): VerifyResult {
  if (statSync(path).isDirectory())
    throw new LedgerPathError(`${path}: is a directory; give the ledger file (e.g. ${join(path, "ledger.jsonl")})`);
  const text = readFileSync(path, "utf8");
  let head = opts.head;
  if (!head) {
    const h = readHeadFile(headPath(path));
    if (h && "error" in h) return { ok: false, count: 0, head: GENESIS, error: h.error, anchored: false, anchors: [] };
    head = h;
  }
  if (head?.mac !== undefined && head.mac !== LEDGER_MAC)
    return {
      ok: false,
      count: 0,
      head: GENESIS,
      error: `${head.source}: unknown mac "${head.mac}" (expected "${LEDGER_MAC}")`,
      anchored: false,
      anchors: [],
    };
  if (head?.mac === LEDGER_MAC && !opts.key) {
    return {
      ok: false,
      count: 0,
      head: GENESIS,
      error: `${head.source} says the ledger is keyed (${LEDGER_MAC}); verify it with its key (ledger verify --key FILE)`,
      anchored: false,
      anchors: [],
      needsKey: true,
    };
  }
  const checkpoint = opts.checkpoint ?? manifestCheckpoint(path);
  const anchors = [head, checkpoint].filter((a): a is LedgerAnchor => a !== undefined).map((a) => a.source);
  const lines = text === "" ? [] : text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  if (endsWithNewline) lines.pop();
  let prev = GENESIS;
  let count = 0;
  const fail = (line: number, error: string, truncated = false): VerifyResult => ({
    ok: false,
    count,
    head: prev,
    badLine: line,
    error: `line ${line}: ${error}`,
    truncated,
    anchored: head !== undefined,
    anchors,
  });
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const isLast = i === lines.length - 1;
    let entry: { hash?: unknown; prev?: unknown; record?: unknown; seq?: unknown };
    try {
      entry = JSON.parse(lines[i]);
    } catch {
      if (isLast && !endsWithNewline)
        return fail(n, "truncated last line (an append was cut off, e.g. by a crash); the records before it verify", true);
      return fail(n, "not valid JSON");
    }
    if (isLast && !endsWithNewline) return fail(n, "last line has no final newline (incomplete append)", true);
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      return fail(n, "not a ledger entry (a JSON object {hash, prev, record, seq})");
    const keys = Object.keys(entry);
    const extra = keys.filter((k) => !ENTRY_KEYS.includes(k));
    if (extra.length > 0)
      return fail(
        n,
        `field${extra.length > 1 ? "s" : ""} ${extra.map((k) => JSON.stringify(k)).join(", ")} not part of a ledger entry (the hash would not cover ${extra.length > 1 ? "them" : "it"})`,
      );
    const missing = ENTRY_KEYS.filter((k) => !keys.includes(k));
    if (missing.length > 0)
      return fail(
        n,
        `missing field${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (a ledger entry is exactly {hash, prev, record, seq})`,
      );
    if (
      typeof entry.hash !== "string" ||
      typeof entry.prev !== "string" ||
      typeof entry.seq !== "number" ||
      typeof entry.record !== "object" ||
      entry.record === null ||
      Array.isArray(entry.record)
    ) {
      return fail(n, "not a ledger entry (hash and prev are strings, seq a number, record an object)");
    }
    if (entry.seq !== n) return fail(n, `sequence number ${entry.seq}, expected ${n} (a record was removed, inserted or reordered)`);
    if (entry.prev !== prev)
      return fail(n, "prev does not match the hash of the line before (a record was removed, inserted or reordered)");
    let actual: string;
    try {
      actual = chainHash(entry.prev, entry.seq, entry.record, opts.key);
    } catch (err) {
      return fail(n, `record cannot be hashed (${(err as Error).message})`);
    }
    if (actual !== entry.hash)
      return fail(
        n,
        opts.key
          ? "hash does not match the record under the key (the record was modified, or the ledger was written with another key or none)"
          : "hash does not match the record (the record was modified)",
      );
    // Exactly the canonical form: sorted keys, no whitespace, the numbers and strings as canonicalJson writes them.
    if (canonicalJson({ hash: entry.hash, prev: entry.prev, record: entry.record, seq: entry.seq }) !== lines[i])
      return fail(n, "not the canonical JSON of its entry (other key order, whitespace or number formatting)");
    if (checkpoint && n === checkpoint.count && entry.hash !== checkpoint.hash) {
      return fail(
        n,
        `hash ${entry.hash.slice(0, 12)}... differs from the head ${String(checkpoint.hash).slice(0, 12)}... recorded in ${checkpoint.source}`,
      );
    }
    prev = entry.hash;
    count = n;
  }
  // A keyed ledger's anchors are authenticated too: a cut at the end needs no new hash, only an edited head.
  if (opts.key) {
    for (const a of [head, checkpoint]) {
      if (a === undefined) continue;
      const kind = a.kind ?? "head";
      const problem =
        a.tag === undefined
          ? "has no tag (a keyed ledger's head file and manifest carry the HMAC of their count and hash; it was written without the key, or the tag was removed)"
          : a.tag !== headTag(opts.key, kind, a.count, a.hash)
            ? `its tag does not match its count (${a.count}) and hash under the key (edited, e.g. to hide records cut from the end)`
            : undefined;
      if (problem)
        return {
          ok: false,
          count,
          head: prev,
          badLine: Math.min(count, a.count) + 1,
          error: `${a.source}: ${problem}`,
          anchored: false,
          anchors,
        };
    }
  }
  const endMismatch = (anchor: LedgerAnchor, what: string): VerifyResult => {
    const line = Math.min(count, anchor.count) + 1;
    return {
      ok: false,
      count,
      head: prev,
      badLine: line,
      error: `line ${line}: the ledger has ${count} records ending in ${prev.slice(0, 12)}..., ${what} ${anchor.count} ending in ${String(anchor.hash).slice(0, 12)}... (records removed from or added to the end)`,
      anchored: true,
      anchors,
    };
  };
  if (checkpoint) {
    if (count < checkpoint.count) return endMismatch(checkpoint, `${checkpoint.source} records`);
    if (checkpoint.count === 0 && checkpoint.hash !== GENESIS)
      return fail(1, `${checkpoint.source} records 0 records with a hash other than the genesis hash`);
  }
  if (head && (head.count !== count || head.hash !== prev)) return endMismatch(head, `the head file ${head.source} records`);
  const anchored = head !== undefined || (checkpoint !== undefined && checkpoint.count === count);
  return { ok: true, count, head: prev, anchored, anchors };
}
