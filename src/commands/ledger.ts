import { existsSync, statSync } from "node:fs";
import type { Command } from "./command.js";
import { UsageError } from "../io/errors.js";
import { basename, dirname, join } from "node:path";
import { headPath, readHeadFile, readLedgerKey, verifyLedger, type LedgerAnchor } from "../hubs/ledger.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym ledger verify <ledger.jsonl> [--head FILE] [--key FILE] [--allow-unanchored]

Verify a hash-chained audit ledger written by \`supplygym hubs\`: every line is the canonical JSON of an entry
{hash, prev, record, seq} (no other fields), sequence numbers run 1, 2, 3, ..., each record's prev hash is the
previous record's hash and each hash matches its record (SHA-256 over the canonical JSON of {prev, record, seq}).
An empty ledger (a run without records) is valid: 0 records, the genesis head.

A chain alone cannot show that records were cut from its end, so the ledger must be anchored:
  - the head file <ledger>.head (or --head FILE): the count and last hash must match exactly;
  - manifest.json beside the ledger (written by \`supplygym hubs\`): the record count and head the run ended
    with; that record must be there unchanged. Records appended after the run (review decisions by
    \`supplygym review\`) are anchored only by the head file.
Both are checked when present. A ledger whose end no anchor covers fails unless --allow-unanchored.

What this proves: that ledger, head file and manifest agree with each other. An unkeyed chain cannot show that
nobody rewrote all of them consistently (recomputing every hash is easy). A ledger written with
\`supplygym hubs --ledger-key FILE\` is an HMAC-SHA256 chain under a secret key kept outside the run directory,
and its head file and manifest carry an HMAC tag of their count and last hash; verified with --key FILE, a
rewrite by anyone without the key fails, and so do records cut from the end with both anchors edited to match.
A keyed ledger must be verified with its key.

Exit codes: 0 the ledger verifies (and is anchored, or --allow-unanchored); 1 it does not (the first bad line is
named; a truncated last line from a crash is reported as such) or it is unanchored; 2 usage errors (missing
file, a folder instead of a file, bad arguments, a keyed ledger without --key, an unusable key file).

options:
  --head FILE          head file to check against (default: <ledger>.head when it exists)
  --key FILE           the secret key the ledger was written with (hubs --ledger-key); every hash, and the
                       tags of head file and manifest, are checked as HMAC-SHA256 under it
  --allow-unanchored   accept a ledger whose end no head file or manifest covers (prints a warning)
  -h, --help           this help`;

export const command: Command = {
  name: "ledger",
  summary: "verify a hubs audit ledger (hash chain): `ledger verify <file>`",
  help,
  async run(argv) {
    const parsed = parseCommandArgs(
      "ledger",
      argv,
      { head: { type: "string" }, key: { type: "string" }, "allow-unanchored": { type: "boolean" } },
      help,
    );
    const [sub, file, ...rest] = parsed.positionals;
    if (sub !== "verify") throw new UsageError(`ledger: expected the subcommand "verify"${sub ? `, got "${sub}"` : ""}\n\n${help}`);
    if (!file || rest.length > 0) throw new UsageError(`ledger verify: give exactly one ledger file\n\n${help}`);
    if (!existsSync(file)) throw new UsageError(`ledger verify: ${file}: no such file`);
    if (statSync(file).isDirectory())
      throw new UsageError(
        `ledger verify: ${file}: is a directory; give the ledger file${existsSync(join(file, "ledger.jsonl")) ? ` (${join(file, "ledger.jsonl")})` : ""}`,
      );
    let key: Buffer | undefined;
    if (parsed.values.key !== undefined) {
      try {
        key = readLedgerKey(parsed.values.key, dirname(file));
      } catch (err) {
        throw new UsageError(`ledger verify: --key ${(err as Error).message}`);
      }
    }
    let head: LedgerAnchor | undefined;
    const hp = parsed.values.head;
    if (hp !== undefined) {
      const h = readHeadFile(hp);
      if (h === undefined) throw new UsageError(`ledger verify: ${hp}: no such head file`);
      if ("error" in h) throw new UsageError(`ledger verify: ${h.error}`);
      head = h;
    }
    const v = verifyLedger(file, { head, key });
    if (v.needsKey) throw new UsageError(`ledger verify: ${v.error}`);
    if (!v.ok) {
      console.error(`${file}: INVALID: ${v.error}`);
      if (v.truncated) console.error(`  ${v.count} complete records before it verify (last good hash ${v.head})`);
      return 1;
    }
    const by =
      (v.anchors.length > 0 ? `checked against ${v.anchors.join(" and ")}` : "no head file or manifest") +
      (key ? `; HMAC-SHA256 under ${parsed.values.key}` : "; unkeyed: a consistent rewrite of every copy would also pass");
    if (!v.anchored) {
      const msg = `${file}: ${v.count} records chain correctly, but the ledger is UNANCHORED (${by}): records cut from the end cannot be detected`;
      if (!parsed.values["allow-unanchored"]) {
        console.error(`${msg}; restore ${basename(headPath(file))} or pass --allow-unanchored`);
        return 1;
      }
      console.error(`warning: ${msg} (accepted: --allow-unanchored)`);
    }
    console.log(`${file}: ok, ${v.count} records, head ${v.head} (${by})`);
    return 0;
  },
};
