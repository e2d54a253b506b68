import { fileURLToPath, pathToFileURL } from "node:url";
import { NEGOTIATION_METRICS } from "../../eval/contracts-metrics.js";
import { HUBS_METRICS } from "../../eval/hubs-metrics.js";
import { MARKET_METRICS } from "../../eval/outcome-metrics.js";
import { RegistrationError } from "../../io/errors.js";
import type { ResolvedExperiment } from "../schema.js";
import type { TaskFn, TaskModuleRef } from "../task.js";

/**
 * The scenario registry: an experiment's `scenario` names one of these. A scenario is a module (one per simulator)
 * exporting `runTask` (train one condition with one seed, then evaluate it on the experiment's evaluation draws) and
 * `preflight` (checks in the main thread before any task runs: agent ids, strategies, algorithm hyperparameters,
 * env options; throws ConfigError naming the JSON path). Worker threads import the module by its path, so a
 * scenario is registered with the module's file, not with its functions.
 */
export interface ScenarioModule {
  runTask: TaskFn;
  preflight(cfg: ResolvedExperiment, file: string): void | Promise<void>;
}

export interface ScenarioDef {
  /** The name experiment files use in `scenario` (letters, digits, `_ . -`). */
  name: string;
  /** One sentence, shown in error messages and docs. */
  description: string;
  /** The module exporting `runTask` and `preflight`: an absolute path or a file URL (e.g. `new URL("./mine.ts", import.meta.url)`). */
  module: string | URL;
  /** The metrics the scenario reports when an experiment gives no `metrics` list (registered metric names). */
  defaultMetrics: readonly string[];
  /** Whether a condition may set its own `envOptions` (default false: the field is an error). */
  conditionEnvOptions?: boolean;
}

interface Entry extends Omit<ScenarioDef, "module"> {
  /** Absolute path of the module. */
  file: string;
}

const scenarios = new Map<string, Entry>();
const NAME_RE = /^[A-Za-z0-9][\w.-]*$/;

/** Register a scenario; a taken or invalid name throws. */
export function registerScenario(def: ScenarioDef): void {
  if (typeof def?.name !== "string" || !NAME_RE.test(def.name))
    throw new RegistrationError(
      `scenario name ${JSON.stringify(def?.name)} must start with a letter or digit and use only letters, digits, _ . -`,
    );
  if (scenarios.has(def.name))
    throw new RegistrationError(
      `scenario "${def.name}" is already registered (${scenarios.get(def.name)!.description}); choose another name`,
    );
  if (!(def.module instanceof URL) && typeof def.module !== "string")
    throw new RegistrationError(`scenario "${def.name}": module must be a path or file URL`);
  if (!Array.isArray(def.defaultMetrics))
    throw new RegistrationError(`scenario "${def.name}": defaultMetrics must be a list of metric names`);
  const url = def.module instanceof URL ? def.module : def.module.startsWith("file:") ? new URL(def.module) : pathToFileURL(def.module);
  const { module: _m, ...rest } = def;
  scenarios.set(def.name, { ...rest, defaultMetrics: [...def.defaultMetrics], file: fileURLToPath(url) });
}

export function getScenario(name: string): Readonly<Entry> | undefined {
  return scenarios.get(name);
}

/** Registered scenario names in registration order. */
export function scenarioNames(): string[] {
  return [...scenarios.keys()];
}

function entry(name: string): Entry {
  const e = scenarios.get(name);
  if (!e) throw new RegistrationError(`unknown scenario "${name}"; registered: ${scenarioNames().join(", ")}`);
  return e;
}

/** Where worker threads load a scenario's task function from. */
export function scenarioTask(scenario: string): TaskModuleRef {
  return { module: entry(scenario).file, export: "runTask" };
}

export async function loadScenario(scenario: string): Promise<ScenarioModule> {
  return (await import(pathToFileURL(entry(scenario).file).href)) as ScenarioModule;
}

registerScenario({
  name: "market",
  description: "seed 002's layered markets: learned or scripted producers bid in MarketBiddingParallel-v0 against truthful ones",
  module: new URL("./market.ts", import.meta.url),
  defaultMetrics: MARKET_METRICS,
  conditionEnvOptions: true,
});
registerScenario({
  name: "contracts",
  description: "seed 004's wholesale-price negotiation: a retailer and subcontractors in the Iterated Contract Net",
  module: new URL("./contracts.ts", import.meta.url),
  defaultMetrics: NEGOTIATION_METRICS,
  conditionEnvOptions: true,
});
registerScenario({
  name: "hubs",
  description: "seed 000's production hubs trading scarce resources in HubTrading-v0",
  module: new URL("./hubs.ts", import.meta.url),
  defaultMetrics: HUBS_METRICS,
});
