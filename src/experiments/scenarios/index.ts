import { fileURLToPath } from "node:url";
import type { ResolvedExperiment, Scenario } from "../schema.js";
import type { TaskFn, TaskModuleRef } from "../task.js";

/**
 * A scenario module (one per simulator) exports `runTask` (train one condition with one seed, then evaluate it
 * on the experiment's evaluation draws) and `preflight` (checks in the main thread before any task runs: agent
 * ids, algorithm hyperparameters, env options; throws ConfigError naming the JSON path).
 */
export interface ScenarioModule {
  runTask: TaskFn;
  preflight(cfg: ResolvedExperiment, file: string): void | Promise<void>;
}

const files: Record<Scenario, string> = {
  market: "./market.ts",
  contracts: "./contracts.ts",
  hubs: "./hubs.ts",
};

/** Where worker threads load a scenario's task function from. */
export function scenarioTask(scenario: Scenario): TaskModuleRef {
  return { module: fileURLToPath(new URL(files[scenario], import.meta.url)), export: "runTask" };
}

export async function loadScenario(scenario: Scenario): Promise<ScenarioModule> {
  return (await import(files[scenario].replace(/\.ts$/, ".js"))) as ScenarioModule;
}
