import type { Command } from "./command.js";
import { UsageError } from "../io/errors.js";
import { buildManifest } from "../io/manifest.js";
import { RunDir } from "../io/run-dir.js";
import { loadHubsConfig } from "../hubs/config.js";
import { runHubEpisode } from "../experiments/scenarios/hub-episode.js";
import { FileLedger, readLedgerKey } from "../hubs/ledger.js";
import {
  CONTRIBUTION_COLUMNS,
  OUTCOME_COLUMNS,
  TRADE_COLUMNS,
  contributionRows,
  outcomeRows,
  tradeRows,
} from "../experiments/scenarios/hub-report.js";
import { ReviewQueue } from "../hubs/review.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym hubs <config.json> [--out DIR] [--seed N] [--shadow] [--no-optimum] [--ledger-key FILE]

Run a production-hubs scenario (docs/model.md section C) with analytic (truthful) hubs for its periods:
shortages, priority-credit redemptions, trading rounds (VCG auctions and/or bilateral negotiation),
human review of unusual trades, production. Compares the outcome with no trade and with the constrained
social optimum (HiGHS) in every period.

Writes a run directory (results/<name>/<run-id>/ or --out) with
  trades.csv          every proposed trade: executed, queued for review, dropped or shadow
  ledger.jsonl        hash-chained audit ledger of agreed trades, credit redemptions and expiries
                      (+ ledger.jsonl.head); check it with \`supplygym ledger verify\`
  contributions.csv   per hub: value created vs resources consumed at shadow prices (contributor / drain)
  outcomes.csv        per period: value, delay cost, no-trade and optimum values, gap to the optimum
  review_queue.json   trades held for review (decide with \`supplygym review ... --queue\`)
  manifest.json       resolved config, seed, versions, timings, summary

options:
  --out DIR      run directory (must not exist)
  --seed N       episode seed (default: the config's seed); draws the generated shortages
  --shadow       shadow mode: replay the shortages, propose trades, execute none
  --no-optimum   skip the HiGHS optimum
  --ledger-key FILE  write a keyed ledger: every hash is HMAC-SHA256 under the secret key in FILE (at least
                 32 bytes, e.g. \`openssl rand -out ~/ledger.key 32\`; keep it outside the run directory);
                 verify with \`supplygym ledger verify --key FILE\`
  -h, --help     this help`;

export const command: Command = {
  name: "hubs",
  summary: "run a production-hubs resource-trading scenario with ledger, review queue and optimum",
  help,
  async run(argv) {
    try {
      return await hubs(argv);
    } catch (err) {
      // Errors from loading the config or opening the run directory name the file; prefix the command.
      if (err instanceof UsageError && !err.message.startsWith("hubs")) throw new UsageError(`hubs: ${err.message}`);
      throw err;
    }
  },
};

async function hubs(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    "hubs",
    argv,
    {
      out: { type: "string" },
      seed: { type: "string" },
      shadow: { type: "boolean" },
      "no-optimum": { type: "boolean" },
      "ledger-key": { type: "string" },
    },
    help,
  );
  const [file, ...rest] = parsed.positionals;
  if (!file || rest.length > 0) throw new UsageError(`hubs: give exactly one config file\n\n${help}`);
  let seed: number | undefined;
  if (parsed.values.seed !== undefined) {
    seed = Number(parsed.values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`hubs: --seed must be an integer, got "${parsed.values.seed}"`);
  }
  const t0 = performance.now();
  const cfg = loadHubsConfig(file);
  let key: Buffer | undefined;
  const keyFile = parsed.values["ledger-key"];
  if (keyFile !== undefined) {
    try {
      key = readLedgerKey(keyFile, parsed.values.out);
    } catch (err) {
      throw new UsageError(`hubs: --ledger-key ${(err as Error).message}`);
    }
  }
  const run = RunDir.open({ experiment: cfg.name, out: parsed.values.out, field: `${file}: name` });
  try {
    if (key !== undefined) readLedgerKey(keyFile!, run.path); // not inside the run directory either
    const ledger = new FileLedger(run.file("ledger.jsonl"), { key });
    const queue = new ReviewQueue(run.file("review_queue.json"), { ledger });
    queue.save();
    const t1 = performance.now();
    const out = await runHubEpisode(cfg, { seed, ledger, queue, shadow: parsed.values.shadow, optimum: !parsed.values["no-optimum"] });
    const t2 = performance.now();
    ledger.close();
    run.writeCsv("trades.csv", TRADE_COLUMNS, tradeRows(out));
    run.writeCsv("contributions.csv", CONTRIBUTION_COLUMNS, contributionRows(out));
    run.writeCsv("outcomes.csv", OUTCOME_COLUMNS, outcomeRows(out));
    const summary = {
      total_value: out.totalValue,
      no_trade_value: out.noTradeValue,
      optimum_value: out.optimumValue,
      efficiency: out.efficiency,
      total_delay_cost: out.totalDelayCost,
      no_trade_delay_cost: out.noTradeDelayCost,
      pareto_improvement: out.paretoImprovement,
      trades_executed: out.trades.filter((t) => t.status === "executed").length,
      trades_queued: out.trades.filter((t) => t.status === "queued").length,
      trades_shadow: out.trades.filter((t) => t.status === "shadow").length,
    };
    run.writeJson(
      "manifest.json",
      buildManifest({
        command: `supplygym hubs ${argv.join(" ")}`,
        configFile: file,
        config: cfg.raw,
        seeds: [out.seed],
        timings: { load: (t1 - t0) / 1000, episode: (t2 - t1) / 1000, total: (performance.now() - t0) / 1000 },
        extra: {
          shadow: parsed.values.shadow ?? cfg.shadow,
          ledger: ledger.manifestEntry(),
          summary,
        },
      }),
    );
    const path = run.commit();
    const f = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : String(v));
    console.log(`${cfg.name}: ${cfg.periods} periods, ${cfg.hubs.length} hubs, seed ${out.seed}${parsed.values.shadow ? " (shadow)" : ""}`);
    console.log(
      `  value ${f(out.totalValue)} (no trade ${f(out.noTradeValue)}, optimum ${f(out.optimumValue)}, efficiency ${Number.isFinite(out.efficiency) ? out.efficiency.toFixed(4) : "n/a"})`,
    );
    console.log(
      `  delay cost ${f(out.totalDelayCost)} (no trade ${f(out.noTradeDelayCost)}); Pareto improvement: ${out.paretoImprovement ? "yes" : "no"}`,
    );
    console.log(
      `  trades: ${summary.trades_executed} executed, ${summary.trades_queued} held for review, ${summary.trades_shadow} shadow; ledger ${ledger.count} records`,
    );
    console.log(`wrote ${path}`);
    return 0;
  } catch (err) {
    run.abort();
    throw err;
  }
}
