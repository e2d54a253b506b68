import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Command } from "../cli.js";
import { UsageError } from "../io/errors.js";
import { ReviewQueue, type ReviewStatus } from "../hubs/review.js";

const help = `usage: supplygym review list [--queue FILE] [--status STATUS]
       supplygym review approve <id> [--queue FILE] [--by NAME] [--note TEXT]
       supplygym review reject <id> [--queue FILE] [--by NAME] [--note TEXT]

Human review of hubs trades held because their unit price or quantity lies more than k standard deviations
from the historical norm, or escalated because no agreement was reached. The queue is a JSON file
({"items": [...]}) rewritten atomically on every decision. An approved trade executes at the start of the
next simulated period if it is still feasible (else it is marked lapsed).

options:
  --queue FILE     the queue (default: review_queue.json in the current directory)
  --status STATUS  list only items with this status (pending, approved, rejected, executed, lapsed)
  --by NAME        who decides (default: $USER or "reviewer")
  --note TEXT      a note stored with the decision
  -h, --help       this help`;

const STATUSES: ReviewStatus[] = ["pending", "approved", "rejected", "executed", "lapsed"];

export const command: Command = {
  name: "review",
  summary: "list, approve or reject hubs trades held for human review",
  help,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { queue: { type: "string" }, status: { type: "string" }, by: { type: "string" }, note: { type: "string" } },
      });
    } catch (err) {
      throw new UsageError(`review: ${(err as Error).message}\n\n${help}`);
    }
    const [sub, id, ...rest] = parsed.positionals;
    const path = parsed.values.queue ?? "review_queue.json";
    if (!existsSync(path)) throw new UsageError(`${path}: no review queue here (give --queue FILE)`);
    const queue = new ReviewQueue(path);
    if (sub === "list") {
      if (id !== undefined) throw new UsageError(`review list takes no id\n\n${help}`);
      const status = parsed.values.status;
      if (status !== undefined && !STATUSES.includes(status as ReviewStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(", ")}, got "${status}"`);
      const items = queue.list(status as ReviewStatus | undefined);
      if (items.length === 0) {
        console.log(`${path}: no ${status ?? ""} items`.replace("  ", " "));
        return 0;
      }
      for (const it of items) {
        const t = it.trade as Record<string, unknown>;
        console.log(`${it.id}\t${it.status}\tperiod ${it.period}\t${t.seller} -> ${t.buyer}\t${t.quantity} ${t.resource} at ${Number(t.pricePerUnit).toFixed(2)}/unit (${t.payment})\t${it.reason}`);
      }
      return 0;
    }
    if (sub === "approve" || sub === "reject") {
      if (!id || rest.length > 0) throw new UsageError(`review ${sub}: give exactly one item id\n\n${help}`);
      const by = parsed.values.by ?? process.env.USER ?? "reviewer";
      const item = queue.decide(id, sub === "approve" ? "approved" : "rejected", by, new Date().toISOString(), parsed.values.note);
      console.log(`${item.id}: ${item.status} by ${by}`);
      return 0;
    }
    throw new UsageError(`review: expected list, approve <id> or reject <id>${sub ? `, got "${sub}"` : ""}\n\n${help}`);
  },
};
