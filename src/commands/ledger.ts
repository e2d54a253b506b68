import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Command } from "../cli.js";
import { UsageError } from "../io/errors.js";
import { headPath, verifyLedger, type LedgerHead } from "../hubs/ledger.js";

const help = `usage: supplygym ledger verify <ledger.jsonl> [--head FILE]

Verify a hash-chained audit ledger written by \`supplygym hubs\`: every line parses, sequence numbers run
1, 2, 3, ..., each record's prev hash is the previous record's hash and each hash matches its record
(SHA-256 over the canonical JSON of {prev, record, seq}). The head file <ledger>.head (or --head) anchors
the count and last hash, so records cut from the end are caught too.

Exit codes: 0 the ledger verifies; 1 it does not (the first bad line is named; a truncated last line from
a crash is reported as such); 2 usage errors (missing file, bad arguments).

options:
  --head FILE   head file to check against (default: <ledger>.head when it exists)
  -h, --help    this help`;

export const command: Command = {
  name: "ledger",
  summary: "verify a hubs audit ledger (hash chain): `ledger verify <file>`",
  help,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { head: { type: "string" } } });
    } catch (err) {
      throw new UsageError(`ledger: ${(err as Error).message}\n\n${help}`);
    }
    const [sub, file, ...rest] = parsed.positionals;
    if (sub !== "verify") throw new UsageError(`ledger: expected the subcommand "verify"${sub ? `, got "${sub}"` : ""}\n\n${help}`);
    if (!file || rest.length > 0) throw new UsageError(`ledger verify: give exactly one ledger file\n\n${help}`);
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    let head: LedgerHead | undefined;
    const hp = parsed.values.head;
    if (hp !== undefined) {
      if (!existsSync(hp)) throw new UsageError(`${hp}: no such head file`);
      try {
        head = JSON.parse(readFileSync(hp, "utf8")) as LedgerHead;
      } catch {
        throw new UsageError(`${hp}: not a ledger head file (expected {"count": N, "hash": "..."})`);
      }
    }
    const v = verifyLedger(file, head);
    if (!v.ok) {
      console.error(`${file}: INVALID: ${v.error}`);
      if (v.truncated) console.error(`  ${v.count} complete records before it verify (last good hash ${v.head})`);
      return 1;
    }
    const anchored = v.anchored ? `anchored by ${hp ?? headPath(file)}` : "no head file: records removed from the very end cannot be detected";
    console.log(`${file}: ok, ${v.count} records, head ${v.head} (${anchored})`);
    return 0;
  },
};
