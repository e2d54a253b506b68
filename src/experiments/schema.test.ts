import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../io/errors.js";
import {
  canonicalJson,
  checkAgents,
  conditionEnvOptions,
  EXPERIMENT_DEFAULTS,
  experimentHash,
  loadExperiment,
  resolveExperiment,
} from "./schema.js";

const minimal = {
  name: "demo",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0" },
  conditions: [{ name: "analytic" }, { name: "one-learned", learned: ["A[1][1]"] }],
};

/** Resolve a config and return the ConfigError's issues (fails the test if it does not throw). */
function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    resolveExperiment(raw, "exp.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).message).toContain("exp.json");
    return (err as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

function withPatch(patch: Record<string, unknown>): unknown {
  return { ...structuredClone(minimal), ...patch };
}

describe("resolveExperiment: defaults", () => {
  it("fills every default", () => {
    const r = resolveExperiment(minimal);
    expect(r.description).toBe("");
    expect(r.env.options).toEqual({});
    expect(r.training).toEqual(EXPERIMENT_DEFAULTS.training);
    expect(r.seeds).toEqual([0, 1, 2]);
    expect(r.evaluation).toEqual(EXPERIMENT_DEFAULTS.evaluation);
    expect(r.backend).toBe("auto");
    expect(r.output).toBe("results");
    expect(r.baseline).toBe("analytic");
    expect(r.metrics).toContain("efficiency/first_best");
    expect(r.conditions[0]).toEqual({
      name: "analytic",
      learned: [],
      algorithm: { name: "ppo", hyperparameters: {} },
      agents: {},
      shareParameters: false,
    });
    expect(r.conditions[1].learned).toEqual(["A[1][1]"]);
  });

  it("keeps given values and expands {count, start}", () => {
    const r = resolveExperiment(
      withPatch({
        seeds: { count: 2, start: 10 },
        training: { totalSteps: 500 },
        evaluation: { episodes: 3 },
        conditions: [
          {
            name: "all",
            learned: "all",
            algorithm: { name: "reinforce", hyperparameters: { learningRate: 0.01, hidden: [16, 16] } },
            shareParameters: true,
          },
        ],
        metrics: ["fairness/gini"],
      }),
    );
    expect(r.seeds).toEqual([10, 11]);
    expect(r.training).toEqual({ totalSteps: 500, numEnvs: 4 });
    expect(r.evaluation.episodes).toBe(3);
    expect(r.evaluation.seed).toBe(1000);
    expect(r.conditions[0].learned).toBe("all");
    expect(r.conditions[0].algorithm).toEqual({ name: "reinforce", hyperparameters: { learningRate: 0.01, hidden: [16, 16] } });
    expect(r.baseline).toBe("all"); // no all-analytic condition: the first
    expect(r.metrics).toEqual(["fairness/gini"]);
  });
});

describe("resolveExperiment: bad configs name the JSON path and rule", () => {
  const cases: [string, unknown, string, RegExp][] = [
    ["unknown top-level key", withPatch({ epochs: 3 }), "epochs", /unknown key/],
    ["unknown key in a condition", withPatch({ conditions: [{ name: "a", learn: ["A[1][1]"] }] }), "conditions[0].learn", /unknown key/],
    ["unknown scenario", withPatch({ scenario: "auction" }), "scenario", /unknown scenario/],
    ["missing name", { ...minimal, name: undefined }, "name", /expected string/],
    ["bad name characters", withPatch({ name: "my experiment/1" }), "name", /letters, digits/],
    [
      "unknown algorithm (string)",
      withPatch({ conditions: [{ name: "a", learned: ["x"], algorithm: "sac" }] }),
      "conditions[0].algorithm",
      /unknown algorithm/,
    ],
    [
      "unknown algorithm (object)",
      withPatch({ conditions: [{ name: "a", learned: ["x"], algorithm: { name: "dqn" } }] }),
      "conditions[0].algorithm.name",
      /unknown algorithm/,
    ],
    [
      "bad hyperparameter value",
      withPatch({ conditions: [{ name: "a", learned: ["x"], algorithm: { name: "ppo", hyperparameters: { lr: { v: 1 } } } }] }),
      "conditions[0].algorithm.hyperparameters.lr",
      /number, boolean/,
    ],
    ["learned neither all nor a list", withPatch({ conditions: [{ name: "a", learned: "some" }] }), "conditions[0].learned", /"all"/],
    ["non-integer seed", withPatch({ seeds: [1, 2.5] }), "seeds[1]", /integer/],
    ["negative seed", withPatch({ seeds: [-1] }), "seeds[0]", />= 0/],
    ["seeds of the wrong kind", withPatch({ seeds: "three" }), "seeds", /list of non-negative integers or \{count, start\}/],
    ["seed count zero", withPatch({ seeds: { count: 0 } }), "seeds.count", />= 1/],
    ["duplicate seed", withPatch({ seeds: [1, 1] }), "seeds[1]", /twice/],
    ["unknown metric", withPatch({ metrics: ["fairness/theil"] }), "metrics[0]", /unknown metric/],
    ["duplicate condition names", withPatch({ conditions: [{ name: "a" }, { name: "a" }] }), "conditions[1].name", /duplicate/],
    ["no conditions", withPatch({ conditions: [] }), "conditions", /at least one/],
    ["non-integer training steps", withPatch({ training: { totalSteps: 10.5 } }), "training.totalSteps", /integer/],
    ["zero evaluation episodes", withPatch({ evaluation: { episodes: 0 } }), "evaluation.episodes", />= 1/],
    ["unknown backend", withPatch({ backend: "webgl" }), "backend", /unknown backend/],
    ["baseline names no condition", withPatch({ baseline: "nope" }), "baseline", /no condition/],
    [
      "override for an agent that does not learn",
      withPatch({ conditions: [{ name: "a", learned: ["A[1][1]"], agents: { "A[0][0]": "ppo" } }] }),
      "conditions[0].agents.A[0][0]",
      /not in learned/,
    ],
    [
      "shared parameters with mixed algorithms",
      withPatch({ conditions: [{ name: "a", learned: ["x", "y"], agents: { y: "reinforce" }, shareParameters: true }] }),
      "conditions[0].shareParameters",
      /one algorithm/,
    ],
    ["env without id", withPatch({ env: { options: {} } }), "env.id", /expected string/],
    ["the document is not an object", [1, 2], "", /expected object/],
  ];
  for (const [what, raw, path, rule] of cases) {
    it(what, () => {
      const issues = issuesOf(raw);
      const hit = issues.find((i) => i.path === path);
      expect(hit, `issues: ${JSON.stringify(issues)}`).toBeDefined();
      expect(hit!.message).toMatch(rule);
    });
  }

  it("reports several problems at once", () => {
    const issues = issuesOf(withPatch({ scenario: "x", seeds: [0.5], extra: true }));
    expect(issues.map((i) => i.path).sort()).toEqual(["extra", "scenario", "seeds[0]"]);
  });
});

describe("checkAgents", () => {
  const agents = ["A[0][0]", "A[1][0]", "A[1][1]"];
  it("expands all and keeps the environment's order", () => {
    const r = resolveExperiment(
      withPatch({ conditions: [{ name: "a", learned: ["A[1][1]", "A[0][0]"] }, { name: "b", learned: "all" }, { name: "c" }] }),
    );
    expect(checkAgents(r, agents)).toEqual({ a: ["A[0][0]", "A[1][1]"], b: agents, c: [] });
  });
  it("names unknown agents by JSON path", () => {
    const r = resolveExperiment(withPatch({ conditions: [{ name: "a", learned: ["A[1][1]", "A[9][9]"] }] }));
    expect(() => checkAgents(r, agents, "exp.json")).toThrow(/conditions\[0\]\.learned\[1\]: unknown agent "A\[9\]\[9\]"/);
  });
});

describe("loadExperiment", () => {
  const dir = mkdtempSync(join(tmpdir(), "sg-schema-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads and resolves a file", () => {
    const p = join(dir, "ok.json");
    writeFileSync(p, JSON.stringify(minimal));
    expect(loadExperiment(p).name).toBe("demo");
  });
  it("missing file, directory, unreadable file: UsageError naming the file", () => {
    expect(() => loadExperiment(join(dir, "nope.json"))).toThrow(UsageError);
    expect(() => loadExperiment(join(dir, "nope.json"))).toThrow(/nope\.json: no such file/);
    expect(() => loadExperiment(dir)).toThrow(/is a directory/);
    const p = join(dir, "secret.json");
    writeFileSync(p, "{}");
    chmodSync(p, 0o000);
    let readable = true;
    try {
      readable = readFileSync(p) !== undefined;
    } catch {
      readable = false;
    }
    if (!readable) expect(() => loadExperiment(p)).toThrow(/permission denied/); // root can read anything
  });
  it("non-JSON file: UsageError naming the file", () => {
    const p = join(dir, "bad.json");
    writeFileSync(p, "{ name: demo,");
    expect(() => loadExperiment(p)).toThrow(UsageError);
    expect(() => loadExperiment(p)).toThrow(/bad\.json: not valid JSON/);
  });
});

describe("experimentHash", () => {
  it("ignores key order, seeds and output; changes with anything else", () => {
    const a = resolveExperiment(minimal);
    const reordered = resolveExperiment({ conditions: minimal.conditions, env: minimal.env, scenario: "market", name: "demo" });
    expect(experimentHash(reordered)).toBe(experimentHash(a));
    expect(experimentHash(resolveExperiment(withPatch({ seeds: [5, 6], output: "elsewhere" })))).toBe(experimentHash(a));
    expect(experimentHash(resolveExperiment(withPatch({ training: { totalSteps: 7 } })))).not.toBe(experimentHash(a));
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
  });
});

describe("per-condition envOptions", () => {
  const contracts = {
    name: "c",
    scenario: "contracts",
    env: { id: "ContractNegotiationParallel-v0", options: { negotiation: { deadline: 8, check: true }, reward: "sparse" } },
    conditions: [{ name: "no-check", envOptions: { negotiation: { check: false } } }, { name: "check" }],
  };

  it("are kept only when given (existing experiments keep their hash) and merged deeply over env.options", () => {
    const r = resolveExperiment(contracts);
    expect(r.conditions[0].envOptions).toEqual({ negotiation: { check: false } });
    expect("envOptions" in r.conditions[1]).toBe(false);
    expect(conditionEnvOptions(r, r.conditions[0])).toEqual({ negotiation: { deadline: 8, check: false }, reward: "sparse" });
    expect(conditionEnvOptions(r, r.conditions[1])).toEqual(r.env.options);
    // arrays and scalars replace; the experiment's options are not mutated
    const merged = conditionEnvOptions({ env: { id: "X", options: { a: [1, 2], b: { c: 1 } } } }, { envOptions: { a: [3], b: 2 } });
    expect(merged).toEqual({ a: [3], b: 2 });
    expect(r.env.options).toEqual({ negotiation: { deadline: 8, check: true }, reward: "sparse" });
    // an empty envOptions still changes the hash (it is part of the condition), its absence does not
    const without = resolveExperiment({ ...contracts, conditions: [{ name: "no-check" }, { name: "check" }] });
    expect(experimentHash(resolveExperiment({ ...contracts, conditions: [{ name: "no-check" }, { name: "check" }] }))).toBe(
      experimentHash(without),
    );
    expect(experimentHash(r)).not.toBe(experimentHash(without));
  });

  it("must be an object, and only in scenarios that support them", () => {
    expect(issuesOf({ ...contracts, conditions: [{ name: "x", envOptions: [1] }] })).toEqual([
      { path: "conditions[0].envOptions", message: "must be an object of env options" },
    ]);
    const hubs = issuesOf(withPatch({ scenario: "hubs", conditions: [{ name: "analytic", envOptions: { demand: "seasonal" } }] }));
    expect(hubs).toHaveLength(1);
    expect(hubs[0].path).toBe("conditions[0].envOptions");
    expect(hubs[0].message).toMatch(/"market", "contracts" scenario only/);
  });
});
