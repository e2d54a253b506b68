import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../io/errors.js";
import { instanceOf, parseNegotiationConfig, validateInstance } from "./config.js";
import { generateConfig } from "./generate.js";
import { PAPER_CONFIG } from "./paper.js";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function issuesOf(json: unknown): { path: string; message: string }[] {
  try {
    parseNegotiationConfig(json, "test.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("contracts config", () => {
  // The experiment files keep the negotiation config in env.options.config (the runner's schema).
  const envConfig = (name: string) =>
    (JSON.parse(readFileSync(new URL(`../../experiments/${name}`, import.meta.url), "utf8")) as { env: { options: { config: unknown } } })
      .env.options.config;

  it("experiments/contracts-paper.json holds the paper config", () => {
    expect({ ...parseNegotiationConfig(envConfig("contracts-paper.json")), experiment: PAPER_CONFIG.experiment }).toEqual(PAPER_CONFIG);
  });

  it("experiments/contracts-stochastic.json: the paper's actors with normal demand", () => {
    const cfg = parseNegotiationConfig(envConfig("contracts-stochastic.json"));
    expect(cfg.demand).toEqual({ type: "normal", std: 15 });
    expect({ ...cfg, demand: PAPER_CONFIG.demand, experiment: PAPER_CONFIG.experiment }).toEqual(PAPER_CONFIG);
  });

  it("fills behaviour defaults", () => {
    const cfg = clone(PAPER_CONFIG) as unknown as Record<string, unknown>;
    delete cfg.negotiation;
    delete cfg.demand;
    const subs = cfg.subcontractors as Record<string, unknown>[];
    delete subs[0].tactic;
    delete subs[0].markup;
    const parsed = parseNegotiationConfig(cfg);
    expect(parsed.negotiation).toEqual({ deadline: 10, check: true, contract: "wholesale", buybackFraction: 0.5 });
    expect(parsed.subcontractors[0].tactic).toBe("linear");
    expect(parsed.subcontractors[0].markup).toBe(0.5);
    expect(parsed.demand).toEqual({ type: "fixed" });
  });

  it("names the field of each broken rule", () => {
    const a = clone(PAPER_CONFIG);
    a.subcontractors[1].maxCapacity = 20; // below CN = 30
    expect(issuesOf(a).map((i) => i.path)).toContain("subcontractors[1].maxCapacity");

    const b = clone(PAPER_CONFIG);
    b.retailer.demand = 95; // = sum CN
    const ib = issuesOf(b);
    expect(ib).toEqual([{ path: "retailer.demand", message: expect.stringMatching(/sum CN < D < sum CM: 95 < 95 < 150/) }]);

    const c = clone(PAPER_CONFIG);
    c.subcontractors[0].unitCost = -1;
    expect(issuesOf(c)[0].path).toBe("subcontractors[0].unitCost");

    const d = clone(PAPER_CONFIG);
    d.retailer.retailPrice = 17; // R - c_R = 14 < 15
    expect(issuesOf(d)).toEqual([{ path: "retailer.retailPrice", message: expect.stringMatching(/must exceed every overtime unit cost/) }]);

    const e = clone(PAPER_CONFIG);
    e.negotiation.deadline = 1;
    expect(issuesOf(e)[0].path).toBe("negotiation.deadline");

    const f = clone(PAPER_CONFIG);
    f.subcontractors[2].id = "S1";
    expect(issuesOf(f)[0]).toEqual({ path: "subcontractors[2].id", message: expect.stringMatching(/duplicate id "S1"/) });

    const g = clone(PAPER_CONFIG) as unknown as Record<string, unknown>;
    (g.retailer as Record<string, unknown>).colour = "red";
    expect(issuesOf(g)[0].path).toBe("retailer.colour"); // an unknown key is named by its own path

    const h = clone(PAPER_CONFIG);
    h.subcontractors[0].patience = 11;
    expect(issuesOf(h)[0].path).toBe("subcontractors[0].patience");
  });

  it("validateInstance throws a ConfigError naming the source", () => {
    const inst = instanceOf(PAPER_CONFIG);
    inst.retailer.demand = 200;
    expect(() => validateInstance(inst, "options")).toThrow(/options: invalid configuration\n {2}- retailer.demand/);
  });

  it("generated instances are valid and deterministic by seed", () => {
    for (let seed = 0; seed < 50; seed++) {
      const cfg = generateConfig(seed, { n: 1 + (seed % 7), randomPatience: seed % 2 === 0 });
      expect(() => parseNegotiationConfig(cfg)).not.toThrow();
    }
    expect(generateConfig(3, { n: 4 })).toEqual(generateConfig(3, { n: 4 }));
    expect(generateConfig(3, { n: 4 })).not.toEqual(generateConfig(4, { n: 4 }));
  });
});
