import type { Command } from "./command.js";
import { parseNegotiationConfig, type NegotiationConfig } from "../contracts/config.js";
import { resolveContractEnvOptions } from "../envs/contract-negotiation.js";
import { conditionEnvOptions, resolveExperiment } from "../experiments/schema.js";
import { MESSAGE_COLUMNS, messageRows } from "../contracts/messages.js";
import { validateProtocol } from "../contracts/protocol.js";
import {
  ACTOR_COLUMNS,
  NEGOTIATION_OUTCOME_COLUMNS,
  NEGOTIATION_SUMMARY_COLUMNS,
  actorRows,
  outcomeRows,
  summaryRow,
} from "../eval/contracts-report.js";
import { runNegotiations } from "../contracts/runner.js";
import { summarizeOutcomes, type ConditionSummary } from "../eval/contracts-summary.js";
import type { NegotiationOutcome } from "../contracts/outcome.js";
import { readJsonFile } from "../io/config.js";
import { ConfigError, UsageError } from "../io/errors.js";
import { buildManifest } from "../io/manifest.js";
import { RunDir } from "../io/run-dir.js";
import { intFlag, parseCommandArgs } from "./args.js";
import { LIMITS } from "../io/limits.js";

const help = `usage: supplygym negotiate <file.json> [--out DIR] [--condition NAME] [--check | --no-check] [--episodes N] [--seed S]

Run the retailer-subcontractor contract negotiation (docs/model.md section B) with the analytic agents.

  <file.json>     a contracts experiment file (e.g. experiments/contracts-paper.json: the negotiation is its
                  env.options; seed and episodes default to its evaluation.seed and evaluation.episodes, so
                  the negotiations are the ones \`supplygym run\` evaluates), or a bare negotiation config
                  (fields: docs/contracts.md)
  --condition C   an all-analytic condition of the experiment file: its envOptions apply (e.g. analytic-no-check)
  --out DIR       the run directory to create (default results/<experiment>/<run-id>/); never overwritten
  --check         the retailer runs checkQuantityEfficiency() on its allocation (the paper's second version)
  --no-check      it does not (the paper's first version); default: the file's negotiation.check
  --episodes N    seeded negotiations to run (default: the file's episodes); they differ only by the demand
                  draw when demand is stochastic
  --seed S        base seed (default: the file's seed)

Writes messages.csv (every message of every negotiation), outcomes.csv (one negotiation a row), actors.csv
(one actor of one negotiation a row), summary.csv and manifest.json. Exit code 2 on bad input.`;

export const command: Command = {
  name: "negotiate",
  summary: "run the retailer-subcontractor contract negotiation and write messages and outcomes",
  help,
  async run(argv) {
    const parsed = parseCommandArgs(
      "negotiate",
      argv,
      {
        out: { type: "string" },
        condition: { type: "string" },
        check: { type: "boolean" },
        "no-check": { type: "boolean" },
        episodes: { type: "string" },
        seed: { type: "string" },
      },
      help,
    );
    const { positionals, values } = parsed;
    if (positionals.length !== 1) throw new UsageError(`negotiate: expected one config file, got ${positionals.length}\n\n${help}`);
    if (values.check && values["no-check"]) throw new UsageError("negotiate: give --check or --no-check, not both");
    const episodesArg = intFlag("negotiate", "episodes", values.episodes, 1, LIMITS.episodes);
    const seedArg = intFlag("negotiate", "seed", values.seed, -(2 ** 31), LIMITS.seedValue);
    const file = positionals[0];
    const cfg = negotiationConfigFrom(readJsonFile(file), file, values.condition);
    if (values.check) cfg.negotiation.check = true;
    if (values["no-check"]) cfg.negotiation.check = false;
    if (episodesArg !== undefined) cfg.episodes = episodesArg;
    if (seedArg !== undefined) cfg.seed = seedArg;

    const t0 = performance.now();
    const { outcomes, logs } = runNegotiations(cfg, { episodes: cfg.episodes, seed: cfg.seed, keepLogs: true });
    const t1 = performance.now();
    // Every message log must follow the protocol (an internal error otherwise, so the manifest needs no count).
    let violations = 0;
    for (const log of logs)
      violations += validateProtocol(log, { subcontractors: cfg.subcontractors.length, deadline: cfg.negotiation.deadline }).length;
    if (violations > 0) throw new Error(`negotiate: internal error, ${violations} protocol violations in the message logs`);
    const summary = summarizeOutcomes(outcomes);
    const names = cfg.subcontractors.map((s) => s.id);

    const dir = RunDir.open({ experiment: cfg.experiment, out: values.out });
    try {
      dir.writeCsv(
        "messages.csv",
        MESSAGE_COLUMNS,
        logs.flatMap((log, k) => messageRows(log, names, k)),
      );
      dir.writeCsv("outcomes.csv", NEGOTIATION_OUTCOME_COLUMNS, outcomeRows(outcomes));
      dir.writeCsv("actors.csv", ACTOR_COLUMNS, actorRows(cfg, outcomes));
      dir.writeCsv("summary.csv", NEGOTIATION_SUMMARY_COLUMNS, [summaryRow(summary)]);
      dir.writeJson(
        "manifest.json",
        buildManifest({
          command: `supplygym negotiate ${argv.join(" ")}`,
          configFile: file,
          config: cfg,
          seeds: outcomes.map((o) => o.seed),
          timings: { negotiations: (t1 - t0) / 1000, total: (performance.now() - t0) / 1000 },
          extra: { condition: summary.condition, messages: logs.reduce((a, l) => a + l.length, 0) },
        }),
      );
      const path = dir.commit();
      console.log(formatSummary(cfg.experiment, summary, outcomes.length === 1 ? outcomes[0] : undefined, names));
      console.log(`\nrun directory: ${path}`);
      return 0;
    } catch (err) {
      dir.abort();
      throw err;
    }
  },
};

/**
 * The negotiation config of a file: a contracts experiment (`scenario` key: the config is its env options, with
 * the condition's envOptions when `condition` is given; experiment name, evaluation seed and episodes) or a bare
 * negotiation config.
 */
export function negotiationConfigFrom(json: unknown, file: string, condition?: string): NegotiationConfig {
  if (json === null || typeof json !== "object" || !("scenario" in json)) {
    if (condition !== undefined) throw new UsageError(`negotiate: --condition needs an experiment file; ${file} is a negotiation config`);
    return parseNegotiationConfig(json, file);
  }
  const exp = resolveExperiment(json, file);
  if (exp.scenario !== "contracts")
    throw new UsageError(`negotiate: ${file} is a "${exp.scenario}" experiment; negotiate runs "contracts" experiments`);
  let options = exp.env.options;
  let prefix = "env.options";
  if (condition !== undefined) {
    const i = exp.conditions.findIndex((c) => c.name === condition);
    if (i < 0)
      throw new UsageError(
        `negotiate: no condition "${condition}" in ${file}; conditions: ${exp.conditions.map((c) => c.name).join(", ")}`,
      );
    const c = exp.conditions[i];
    if (c.learned === "all" || c.learned.length > 0)
      throw new UsageError(`negotiate: condition "${condition}" has learned agents; run it with \`supplygym run ${file}\``);
    options = conditionEnvOptions(exp, c);
    if (c.envOptions) prefix = `conditions[${i}].envOptions`;
  }
  const { learned: _l, ...rest } = options;
  if (rest.randomInstances !== undefined)
    throw new UsageError(`negotiate: ${prefix}.randomInstances (a fresh instance per episode) is supported by \`supplygym run\` only`);
  let cfg: NegotiationConfig;
  try {
    cfg = resolveContractEnvOptions(rest, exp.env.id).config;
  } catch (err) {
    if (err instanceof ConfigError)
      throw new ConfigError(
        file,
        err.issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: i.message })),
      );
    throw err;
  }
  return { ...cfg, experiment: exp.name, seed: exp.evaluation.seed, episodes: exp.evaluation.episodes };
}

function formatSummary(name: string, s: ConditionSummary, one: NegotiationOutcome | undefined, names: string[]): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "NA");
  const lines = [`${name}: ${s.negotiations} negotiation(s), ${s.condition}`];
  if (one) {
    lines.push("", "actor       price   quantity     profit");
    one.quantity.forEach((q, i) =>
      lines.push(
        `${names[i].padEnd(8)} ${f(one.price[i]).padStart(8)} ${String(q).padStart(10)} ${f(one.subcontractorProfit[i]).padStart(10)}`,
      ),
    );
    lines.push(`${"retailer".padEnd(8)} ${"".padStart(8)} ${String(one.sold).padStart(10)} ${f(one.retailerProfit).padStart(10)}`);
  }
  lines.push(
    "",
    `agreement rate        ${f(s.agreementRate)}`,
    `rounds to agreement   ${f(s.meanRoundsToAgreement)}`,
    `chain efficiency      ${f(s.chainEfficiency)}  (Σ chain profit / Σ maximum; mean chain profit ${f(s.meanChainProfit)} of ${f(s.meanMaxChainProfit)})`,
    `illogical-price rate  ${f(s.illogicalPriceRate)}  (overtime while normal idle ${f(s.overtimeWhileNormalIdleRate)})`,
    `fairness: TV(profit share, cost share) ${f(s.meanFairnessTV)}, Jain(profit) ${f(s.meanJainProfit)}, Gini(profit) ${f(s.meanGiniProfit)}`,
  );
  return lines.join("\n");
}
