import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The one-way layering of src/ (docs/architecture.md, "Layers"), checked over the import graph of every non-test
 * module: static imports, re-exports, `import type` and dynamic `import()` all count. A module's layer is its first
 * folder under src/ (`cli` and `index` for the two top-level files). Each rule lists the layers a layer may import
 * besides itself; anything else is a violation.
 */
const ALLOWED: Record<string, readonly string[]> = {
  // Plain helpers: atomic files, CSV, errors, plots, manifests.
  io: [],
  // Spaces, env types, the registry, Rng, the Wrapper base and the TimeLimit that `make` applies.
  core: ["io"],
  // Metrics on plain records; may read the simulators' record types.
  eval: ["core", "io", "market", "contracts", "hubs"],
  // Demand processes and forecasters.
  demand: ["core", "io", "eval"],
  // The simulators: no spaces, envs, policies, training or experiment metrics (core only for its Rng, below).
  market: ["core", "io"],
  contracts: ["core", "io"],
  hubs: ["core", "io", "demand"],
  // Env wrappers know envs and spaces, nothing of simulators or training.
  wrappers: ["core", "io"],
  // Envs put the simulators behind spaces; they know nothing of learners, experiments or commands.
  envs: ["core", "io", "demand", "eval", "market", "contracts", "hubs", "wrappers"],
  // Strategies (scripted and analytic agents as policies): spaces and env types, and the contracts simulator's pure
  // tactic formulas, so that an analytic negotiator played as a policy computes exactly what the engine's does.
  agents: ["core", "io", "contracts"],
  // Learners and policies work on any env through core and wrappers.
  rl: ["core", "io", "wrappers", "eval"],
  experiments: ["core", "io", "demand", "eval", "market", "contracts", "hubs", "wrappers", "envs", "agents", "rl"],
  commands: ["core", "io", "demand", "eval", "market", "contracts", "hubs", "wrappers", "envs", "agents", "rl", "experiments"],
  cli: ["commands", "io"],
  index: ["core", "io", "demand", "eval", "market", "contracts", "hubs", "wrappers", "envs", "agents", "rl", "experiments", "commands"],
};

/** The only modules of core a simulator may import: its random numbers. */
const SIMULATOR_CORE_MODULES = new Set(["core/rng.ts"]);
const SIMULATORS = new Set(["market", "contracts", "hubs"]);

/** Known exceptions, each a "from -> to" pair of src-relative paths (none at present). */
const EXCEPTIONS = new Set<string>([]);

const SRC = resolve(dirname(new URL(import.meta.url).pathname));

function modules(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...modules(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function layerOf(rel: string): string {
  const first = rel.split("/")[0];
  return first.endsWith(".ts") ? first.slice(0, -3) : first;
}

interface Edge {
  from: string;
  to: string;
}

/** Every relative import of the module (src-relative, `.js` specifiers mapped to their `.ts` source). */
function importsOf(file: string, text = readFileSync(file, "utf8")): Edge[] {
  const from = relative(SRC, file).split("\\").join("/");
  const info = ts.preProcessFile(text, true, true);
  const edges: Edge[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith(".")) continue;
    const target = resolve(dirname(file), ref.fileName).replace(/\.js$/, ".ts");
    edges.push({ from, to: relative(SRC, target).split("\\").join("/") });
  }
  return edges;
}

/** The edges that break a rule (exceptions left out). */
function violations(edges: readonly Edge[]): string[] {
  const bad: string[] = [];
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === b) continue;
    const key = `${from} -> ${to}`;
    if (EXCEPTIONS.has(key)) continue;
    const allowed = ALLOWED[a];
    if (allowed === undefined) bad.push(`${key}: layer "${a}" has no rule (add it to ALLOWED in src/layering.test.ts)`);
    else if (!allowed.includes(b)) bad.push(`${key}: ${a} may import only ${allowed.join(", ") || "nothing outside itself"}`);
    else if (SIMULATORS.has(a) && b === "core" && !SIMULATOR_CORE_MODULES.has(to))
      bad.push(`${key}: a simulator takes only core/rng.ts from core`);
  }
  return bad;
}

describe("import layering of src/", () => {
  const edges = modules(SRC).flatMap((f) => importsOf(f));

  it("finds the import graph (the parser sees imports, re-exports, type-only and dynamic imports)", () => {
    expect(edges.length).toBeGreaterThan(300);
    const probe = importsOf(
      join(SRC, "market", "probe.ts"),
      'import type { Box } from "../core/spaces.js";\nexport { x } from "../rl/policy.js";\nconst m = await import("../envs/index.js");\nimport "../wrappers/index.js";\n',
    );
    expect(probe.map((e) => e.to)).toEqual(["core/spaces.ts", "rl/policy.ts", "envs/index.ts", "wrappers/index.ts"]);
    expect(violations(probe)).toHaveLength(4);
  });

  it("every layer imports only the layers below it", () => {
    expect(violations(edges)).toEqual([]);
  });

  it("every known exception is still in the graph (remove it once the module has moved)", () => {
    const present = new Set(edges.map((e) => `${e.from} -> ${e.to}`));
    expect([...EXCEPTIONS].filter((k) => !present.has(k))).toEqual([]);
  });

  it("every top-level folder of src/ has a rule", () => {
    const layers = new Set(modules(SRC).map((f) => layerOf(relative(SRC, f).split("\\").join("/"))));
    expect([...layers].filter((l) => ALLOWED[l] === undefined)).toEqual([]);
  });
});
