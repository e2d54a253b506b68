import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { writeFileAtomic } from "../io/atomic.js";
import { scaledOptionsSchema } from "../agents/builtin.js";
import { contractTacticOptionsSchema } from "../agents/contracts/tactics.js";
import { bestResponseOptionsSchema } from "../agents/market/best-response.js";
import { forecastConfigSchema } from "../demand/forecast-config.js";
import { contractEnvOptionsSchema } from "../envs/contract-negotiation.js";
import { hubTradingOptionsSchema } from "../envs/hub-trading.js";
import { marketBiddingOptionsSchema } from "../envs/market-bidding-options.js";
import { generatedMarketSchema } from "../envs/market-option.js";
import { negotiationConfigSchema } from "../contracts/config.js";
import { hubsConfigSchema } from "../hubs/config.js";
import { equilibriumConfigSchema } from "../market/config.js";
import { marketSpecSchema } from "../market/spec.js";
import { ppoHyperparametersSchema } from "../rl/ppo/options.js";
import { reinforceHyperparametersSchema } from "../rl/reinforce/options.js";
import { trainConfigSchema } from "../rl/train-config.js";
import { sensitivitySchema } from "./contracts-sensitivity.js";
import { experimentFileSchema } from "./schema.js";

/**
 * The field-by-field reference of every config format a user edits, generated from the zod schemas that validate
 * them (through `z.toJSONSchema`), so that it cannot drift from the code: docs/config.md holds it between two marker
 * lines, and src/experiments/config-reference.test.ts checks it is current. Regenerate with `npm run docs:config`.
 */
export const CONFIG_FORMATS: { title: string; anchor: string; schema: z.ZodType; note: string }[] = [
  {
    title: "Experiment file (`supplygym run`, `evaluate`)",
    anchor: "experiment",
    schema: experimentFileSchema(),
    note: "`src/experiments/schema.ts`; examples in `experiments/*.json`. Defaults are filled in when the file is resolved (`resolveExperiment`); the README's experiment table lists them.",
  },
  {
    title: "Train file (`supplygym train`)",
    anchor: "train",
    schema: trainConfigSchema,
    note: "`src/rl/train-config.ts`; examples: `experiments/cartpole-ppo.json`, `experiments/market-bidding-ppo.json`. Its `hyperparameters` are the algorithm's (next two tables).",
  },
  {
    title: "PPO and MAPPO hyperparameters (train `hyperparameters`, experiment `conditions[].algorithm.hyperparameters`)",
    anchor: "ppo",
    schema: ppoHyperparametersSchema,
    note: "`src/rl/ppo/options.ts` and the shared fields of `src/rl/on-policy-options.ts`; `new PPO(options)` and `new MAPPO(options)` take them with `env`, `envOptions`, `seed` and `backend`; an experiment file sets `numEnvs` and `shareParameters` itself (`training.numEnvs`, `conditions[].shareParameters`). The defaults are CleanRL's `ppo.py`; for Box actions `PPO_CONTINUOUS_DEFAULTS` (CleanRL's `ppo_continuous_action.py`: numEnvs 1, numSteps 2048, learningRate 3e-4, numMinibatches 32, updateEpochs 10, entCoef 0, normalizeObservation and normalizeReward true) replace them. Checked with the environment: numEnvs * numSteps at most 1,000,000, numMinibatches at most numEnvs * numSteps, `gradients: \"fast\"` only where the fast path applies (never for MAPPO).",
  },
  {
    title: "REINFORCE hyperparameters",
    anchor: "reinforce",
    schema: reinforceHyperparametersSchema,
    note: "`src/rl/reinforce/options.ts` and the shared fields of `src/rl/on-policy-options.ts`; `new REINFORCE(options)` takes them with `env`, `envOptions`, `seed` and `backend`; an experiment file sets `numEnvs` and `shareParameters` itself. Checked with the environment: numEnvs * numSteps at most 1,000,000, gaeLambda 1.",
  },
  {
    title: "Equilibrium file (`supplygym equilibrium`)",
    anchor: "equilibrium",
    schema: equilibriumConfigSchema,
    note: "`src/market/config.ts`; example: `experiments/kaihara-paper.json`. Its `market` is a market spec (next table).",
  },
  {
    title: "Market spec (the equilibrium file's `market`, MarketBidding's `market` option)",
    anchor: "market",
    schema: marketSpecSchema,
    note: "`src/market/spec.ts`; the paper's market is `paperMarket()` in `src/market/paper.ts`.",
  },
  {
    title: "Contracts config (`supplygym negotiate`, ContractNegotiation `config` option)",
    anchor: "contracts",
    schema: negotiationConfigSchema,
    note: "`src/contracts/config.ts`; the paper's setting is `src/contracts/paper.ts`.",
  },
  {
    title: "Forecast file (`supplygym forecast`)",
    anchor: "forecast",
    schema: forecastConfigSchema,
    note: "`src/demand/forecast-config.ts`; examples: `experiments/forecast-seasonal.json`, `experiments/forecasts-disruptions.json`. Its `demand.spec` is a demand process (docs/model.md, section D).",
  },
  {
    title: "Contracts sensitivity study (`supplygym contracts-sensitivity`)",
    anchor: "contracts-sensitivity",
    schema: sensitivitySchema,
    note: "`src/experiments/contracts-sensitivity.ts`; example: `experiments/contracts-sensitivity.json` (docs/contracts.md, Sensitivity).",
  },
  {
    title: "Hubs config (`supplygym hubs`, HubTrading `config` option)",
    anchor: "hubs",
    schema: hubsConfigSchema,
    note: "`src/hubs/config.ts`; example: `experiments/hubs-semiconductor.json`.",
  },
  {
    title: "Env options of MarketBidding-v0 and MarketBiddingParallel-v0 (`env.options`)",
    anchor: "market-env",
    schema: marketBiddingOptionsSchema,
    note: "`src/envs/market-bidding-options.ts`; docs/environments.md describes the env. In an experiment file a bad option is named at `env.options.<path>` (or `conditions[i].envOptions.<path>`).",
  },
  {
    title: "Generated market (the `market` option as `{ generate }`)",
    anchor: "generated-market",
    schema: generatedMarketSchema,
    note: "`src/envs/market-option.ts`; example: `experiments/scale-300.json`.",
  },
  {
    title: "Env options of ContractNegotiation-v0 and ContractNegotiationParallel-v0 (`env.options`)",
    anchor: "contracts-env",
    schema: contractEnvOptionsSchema,
    note: "`src/envs/contract-negotiation.ts`; the parallel env also takes `learned` (agent ids; the contracts scenario sets it from each condition). docs/contracts.md describes the envs.",
  },
  {
    title: "Env options of HubTrading-v0 (`env.options`)",
    anchor: "hubs-env",
    schema: hubTradingOptionsSchema,
    note: "`src/envs/hub-trading.ts` (`shortageForecast`: `src/hubs/shortage-forecast.ts`); docs/hubs.md describes the env.",
  },
  {
    title: 'Strategy options of "scaled" (`conditions[].strategies.<agent>.options`)',
    anchor: "scaled",
    schema: scaledOptionsSchema,
    note: "`src/agents/builtin.ts`: a producer that bids a fixed multiple of its truthful demand and withholds a fixed fraction.",
  },
  {
    title: 'Strategy options of "best-response"',
    anchor: "best-response",
    schema: bestResponseOptionsSchema,
    note: "`src/agents/market/best-response.ts`: the profit-maximising bid given the others' bids each period (docs/market-benchmarks.md).",
  },
  {
    title: "Strategy options of the contracts tactics (time-dependent, boulware, linear, conceder, tit-for-tat)",
    anchor: "contracts-tactics",
    schema: contractTacticOptionsSchema,
    note: '`src/agents/contracts/tactics.ts` (docs/contracts.md); "configured" takes none, and each tactic refuses the fields it has no use for, naming them.',
  },
];

type Json = Record<string, unknown>;

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function typeOf(s: Json): string {
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(" \\| ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (alts) return [...new Set(alts.map(typeOf))].join(" or ");
  if (s.type === "array") return `array of ${typeOf((s.items as Json) ?? {})}`;
  if (Array.isArray(s.type)) return s.type.join(" or ");
  return typeof s.type === "string" ? s.type : "any";
}

function constraints(s: Json): string {
  const c: string[] = [];
  const big = (v: unknown) => typeof v === "number" && Math.abs(v) >= 9007199254740991;
  if (s.minimum !== undefined && !big(s.minimum)) c.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) c.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && !big(s.maximum)) c.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) c.push(`< ${s.exclusiveMaximum}`);
  if (s.minItems !== undefined) c.push(`at least ${s.minItems} items`);
  if (s.maxItems !== undefined) c.push(`at most ${s.maxItems} items`);
  if (s.minLength !== undefined && s.minLength !== 1) c.push(`at least ${s.minLength} characters`);
  if (s.minLength === 1) c.push("non-empty");
  if (typeof s.pattern === "string") c.push(`matches \`${s.pattern}\``);
  return c.join(", ");
}

function walk(s: Json, path: string, required: boolean, out: string[], undocumented: string[] = []): void {
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  const objectAlts = alts?.filter((a) => a.type === "object" && a.properties);
  const row = () => {
    if (typeof s.description !== "string" && path !== "") undocumented.push(path);
    const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : required ? "required" : "optional";
    out.push(
      `| \`${path}\` | ${typeOf(s)} | ${def} | ${esc([constraints(s), typeof s.description === "string" ? s.description : ""].filter(Boolean).join("; "))} |`,
    );
  };
  if (s.type === "object" && s.properties) {
    if (path !== "" && (s.default !== undefined || typeof s.description === "string")) row();
    const req = new Set((s.required as string[] | undefined) ?? []);
    for (const [k, v] of Object.entries(s.properties as Record<string, Json>))
      walk(v, path ? `${path}.${k}` : k, req.has(k), out, undocumented);
    return;
  }
  if (objectAlts && objectAlts.length > 0) {
    row();
    for (const a of objectAlts) walk({ ...a, default: undefined, description: undefined }, path, required, out, undocumented);
    return;
  }
  row();
  const items = s.items as Json | undefined;
  if (s.type === "array" && items && (items.properties || (items.anyOf as Json[] | undefined)?.some((a) => a.properties)))
    walk(items, `${path}[]`, true, out, undocumented);
}

/**
 * The fields of a format that carry no `describe()` text (the one pattern: every field has one), as JSON paths.
 * A field inside a union's variants counts once per variant that lacks it.
 */
export function undocumentedFields(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  const rows: string[] = [];
  const missing: string[] = [];
  const variants = (json.oneOf ?? json.anyOf) as Json[] | undefined;
  if (variants && !json.properties) variants.forEach((v) => walk(v, "", true, rows, missing));
  else walk(json, "", true, rows, missing);
  return [...new Set(missing)];
}

/** The generated reference: one table per format. */
export function configReference(): string {
  const parts: string[] = [];
  for (const f of CONFIG_FORMATS) {
    const json = z.toJSONSchema(f.schema, { io: "input", unrepresentable: "any" }) as Json;
    const rows: string[] = [];
    const variants = (json.oneOf ?? json.anyOf) as Json[] | undefined;
    if (variants && !json.properties) variants.forEach((v) => walk(v, "", true, rows));
    else walk(json, "", true, rows);
    parts.push(`### ${f.title}\n\n${f.note}\n\n| field | type | default | rule |\n|---|---|---|---|\n${[...new Set(rows)].join("\n")}\n`);
  }
  return parts.join("\n");
}

export const BEGIN = "<!-- BEGIN GENERATED by `npm run docs:config` from the zod schemas: do not edit below -->";
export const END = "<!-- END GENERATED -->";

/** docs/config.md with its generated part replaced by the current reference. */
export function withReference(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/config.md: the marker lines ${BEGIN} and ${END} are missing`);
  return `${doc.slice(0, a + BEGIN.length)}\n\n${configReference()}\n${doc.slice(b)}`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = new URL("../../docs/config.md", import.meta.url);
  writeFileAtomic(fileURLToPath(file), withReference(readFileSync(file, "utf8")));
  console.log("docs/config.md: reference regenerated");
}
