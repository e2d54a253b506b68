import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResolvedExperiment, Scenario } from "./schema.js";

/**
 * The fingerprint of a run: everything that determines its evaluation draws and its environment, so that two runs
 * whose fingerprints agree were evaluated on the same episodes and may be compared paired on them (`compare`).
 * Recorded in manifest.json as `fingerprint`.
 *
 * - `scenario`, `env.id`, `env.options` (without the market, which has its own field);
 * - `market`: the market scenario's market spec (the embedded paper market when none is given), else null;
 * - `evaluation`: seed, episodes and whether learned agents act greedily;
 * - `simulator`: the package version and a SHA-256 over the simulator's source files (`src/<simulator>/` and, for
 *   the market, `src/demand/`, tests excluded), so a code change that could move an outcome changes the fingerprint
 *   ("unknown (plugin scenario)" for a scenario registered by a plugin).
 */
export interface Fingerprint {
  scenario: Scenario;
  env: { id: string; options: Record<string, unknown> };
  market: unknown;
  evaluation: { seed: number; episodes: number; deterministic: boolean };
  simulator: { version: string; code: string };
}

const srcRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

const SIMULATOR_DIRS: Record<string, string[]> = {
  market: ["market", "demand"],
  contracts: ["contracts"],
  hubs: ["hubs"],
};

const codeCache = new Map<Scenario, string>();

/** SHA-256 (hex, first 16 characters) over the paths and contents of a scenario's simulator sources. */
export function simulatorCodeHash(scenario: Scenario): string {
  const cached = codeCache.get(scenario);
  if (cached) return cached;
  const dirs = SIMULATOR_DIRS[scenario];
  // A scenario registered by a plugin has its simulator outside src/: its code version is not known here.
  if (!dirs) return "unknown (plugin scenario)";
  const h = createHash("sha256");
  for (const dir of dirs) {
    for (const file of listSources(join(srcRoot, dir))) {
      h.update(relative(srcRoot, file).split("\\").join("/"));
      h.update("\0");
      h.update(readFileSync(file));
      h.update("\0");
    }
  }
  const out = h.digest("hex").slice(0, 16);
  codeCache.set(scenario, out);
  return out;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listSources(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(srcRoot, "..", "package.json"), "utf8")) as { version: string }).version;
}

export function fingerprint(cfg: ResolvedExperiment): Fingerprint {
  const { market, ...options } = cfg.env.options as Record<string, unknown>;
  return {
    scenario: cfg.scenario,
    env: { id: cfg.env.id, options },
    market: cfg.scenario === "market" ? (market ?? "paper (embedded default)") : null,
    evaluation: { seed: cfg.evaluation.seed, episodes: cfg.evaluation.episodes, deterministic: cfg.evaluation.deterministic },
    simulator: { version: packageVersion(), code: simulatorCodeHash(cfg.scenario) },
  };
}

/**
 * The first path at which two JSON values differ (e.g. `evaluation.seed`), with both values; undefined when equal.
 * Object keys are compared regardless of order.
 */
export function firstDifference(a: unknown, b: unknown, path = ""): { path: string; a: unknown; b: unknown } | undefined {
  if (a === b) return undefined;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return { path: path || "(root)", a, b };
}
