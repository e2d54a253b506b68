import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parseCsv } from "../../io/csv.js";
import { ConfigError } from "../../io/errors.js";
import { runExperiment } from "../runner.js";
import type { ResolvedExperiment } from "../schema.js";
import { scenarioTask } from "../scenarios/index.js";

/** For scenario tests: the message of the ConfigError that `fn` throws (fails the test when it throws none or another). */
export async function configErrorOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

/** For scenario tests: run an experiment on one worker without progress output or figures; its metrics.csv rows. */
export async function runQuietly(cfg: ResolvedExperiment, root: string): Promise<{ path: string; metrics: Record<string, string>[] }> {
  const out = await runExperiment(cfg, {
    task: scenarioTask(cfg.scenario),
    workers: 1,
    root,
    runId: "r",
    figures: false,
    progress: { stream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream },
  });
  return { path: out.path, metrics: parseCsv(readFileSync(join(out.path, "metrics.csv"), "utf8")) };
}
