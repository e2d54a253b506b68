import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "./command.js";
import { UsageError } from "../io/errors.js";
import { Lock, lockFileFor } from "../io/lock.js";
import { FileLedger, readLedgerKey } from "../hubs/ledger.js";
import { REVIEW_STATUSES, ReviewQueue, type ReviewStatus } from "../hubs/review.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym review list [--queue FILE] [--status STATUS]
       supplygym review approve <id> [--queue FILE] [--by NAME] [--note TEXT] [--ledger FILE | --no-ledger]
       supplygym review reject <id> [--queue FILE] [--by NAME] [--note TEXT] [--ledger FILE | --no-ledger]

Human review of hubs trades held because their unit price or quantity lies more than k standard deviations
from the historical norm, or escalated because no agreement was reached. The queue is a JSON file
({"items": [...]}) rewritten atomically on every decision. An approved trade executes at the start of the
next simulated period if it is still feasible (else it is marked lapsed).

Every decision is also appended to the run's audit ledger as a "review_decision" record ({id, decision, by,
at, note, period}): by default ledger.jsonl beside the queue file when it exists (a \`supplygym hubs\` run
directory). The ledger must verify and be anchored (see \`supplygym ledger verify\`), else nothing is decided.
Decisions are taken one at a time (a lock beside the queue and the ledger): a second reviewer's command waits
up to 10 s for the first, then exits 2 naming it.

options:
  --queue FILE     the queue (default: review_queue.json in the current directory)
  --status STATUS  list only items with this status (pending, approved, rejected, executed, lapsed)
  --by NAME        who decides (default: $USER or "reviewer")
  --note TEXT      a note stored with the decision
  --ledger FILE    the audit ledger to record the decision in (default: ledger.jsonl beside the queue, if any)
  --no-ledger      do not record the decision in a ledger
  --ledger-key FILE  the key of a keyed ledger (hubs --ledger-key); needed to append to one
  -h, --help       this help`;

const STATUSES = REVIEW_STATUSES;

export const command: Command = {
  name: "review",
  summary: "list, approve or reject hubs trades held for human review",
  help,
  async run(argv) {
    try {
      return await review(argv);
    } catch (err) {
      // Errors from the queue and the ledger name the file; make every message start with the command.
      if (err instanceof UsageError && !err.message.startsWith("review")) throw new UsageError(`review: ${err.message}`);
      throw err;
    }
  },
};

async function review(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    "review",
    argv,
    {
      queue: { type: "string" },
      status: { type: "string" },
      by: { type: "string" },
      note: { type: "string" },
      ledger: { type: "string" },
      "no-ledger": { type: "boolean" },
      "ledger-key": { type: "string" },
    },
    help,
  );
  const [sub, id, ...rest] = parsed.positionals;
  if (sub !== "list" && sub !== "approve" && sub !== "reject")
    throw new UsageError(`review: expected list, approve <id> or reject <id>${sub ? `, got "${sub}"` : ""}\n\n${help}`);
  const path = parsed.values.queue ?? "review_queue.json";
  if (!existsSync(path)) throw new UsageError(`review: ${path}: no review queue here (give --queue FILE)`);
  if (sub === "list") {
    if (id !== undefined) throw new UsageError(`review list takes no id\n\n${help}`);
    const queue = new ReviewQueue(path);
    const status = parsed.values.status;
    if (status !== undefined && !STATUSES.includes(status as ReviewStatus))
      throw new UsageError(`review list: --status must be one of ${STATUSES.join(", ")}, got "${status}"`);
    const items = queue.list(status as ReviewStatus | undefined);
    if (items.length === 0) {
      console.log(`${path}: no ${status ?? ""} items`.replace("  ", " "));
      return 0;
    }
    for (const it of items) {
      const t = it.trade;
      console.log(
        `${it.id}\t${it.status}\tperiod ${it.period}\t${t.seller} -> ${t.buyer}\t${t.quantity} ${t.resource} at ${Number(t.pricePerUnit).toFixed(2)}/unit (${t.payment})\t${it.reason}`,
      );
    }
    return 0;
  }
  if (sub === "approve" || sub === "reject") {
    if (!id || rest.length > 0) throw new UsageError(`review ${sub}: give exactly one item id\n\n${help}`);
    if (parsed.values.ledger !== undefined && parsed.values["no-ledger"])
      throw new UsageError(`review ${sub}: give --ledger FILE or --no-ledger, not both`);
    let ledgerPath: string | undefined;
    if (!parsed.values["no-ledger"]) {
      ledgerPath = parsed.values.ledger;
      if (ledgerPath !== undefined && !existsSync(ledgerPath)) throw new UsageError(`review ${sub}: ${ledgerPath}: no such ledger`);
      const beside = join(dirname(path), "ledger.jsonl");
      if (ledgerPath === undefined && existsSync(beside)) ledgerPath = beside;
    }
    // Two decisions at once would both read the queue and the ledger head, then one queue write would drop the
    // other's decision and both appends would take the same sequence number: decide one at a time (queue, then
    // ledger; a decision takes well under a second, so the second reviewer waits instead of being refused).
    const locks = [Lock.acquire(lockFileFor(path), { what: `the review queue ${path}`, wait: 10_000 })];
    let ledger: FileLedger | undefined;
    try {
      if (ledgerPath !== undefined) {
        locks.push(Lock.acquire(lockFileFor(ledgerPath), { what: `the ledger ${ledgerPath}`, wait: 10_000 }));
        try {
          const key =
            parsed.values["ledger-key"] !== undefined ? readLedgerKey(parsed.values["ledger-key"], dirname(ledgerPath)) : undefined;
          ledger = new FileLedger(ledgerPath, { key });
        } catch (err) {
          throw new UsageError(
            `review ${sub}: cannot record the decision: ${(err as Error).message} (nothing was decided; check it with \`supplygym ledger verify\`, or pass --no-ledger)`,
          );
        }
      }
      const queue = new ReviewQueue(path, { ledger });
      const by = parsed.values.by ?? process.env.USER ?? "reviewer";
      const item = queue.decide(id, sub === "approve" ? "approved" : "rejected", by, new Date().toISOString(), parsed.values.note);
      console.log(`${item.id}: ${item.status} by ${by}${ledger ? ` (recorded in ${ledgerPath}, record ${ledger.count})` : ""}`);
    } finally {
      ledger?.close();
      for (const l of locks.reverse()) l.release();
    }
    return 0;
  }
  return 0;
}
