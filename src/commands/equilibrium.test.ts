import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { parseCsv } from "../io/csv.js";
import { paperMarket } from "../market/paper.js";

const paperFile = join(import.meta.dirname, "..", "..", "experiments", "kaihara-paper.json");
const paperConfig = JSON.parse(readFileSync(paperFile, "utf8"));

let work: string;
let errors: string[];
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "sg-eq-"));
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

async function runWith(config: unknown, extra: string[] = []): Promise<number> {
  const file = join(work, "config.json");
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return main(["equilibrium", file, "--out", join(work, "run"), ...extra]);
}

describe("supplygym equilibrium", () => {
  it("experiments/kaihara-paper.json is the paper's market (Tables 1 and 2)", () => {
    expect(paperConfig.market).toEqual(paperMarket);
  });

  it("writes the equilibrium, agents, trace, welfare, manifest and figures", async () => {
    const out = join(work, "run");
    expect(await main(["equilibrium", paperFile, "--out", out])).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      ["agents.csv", "equilibrium.csv", "manifest.json", "price_convergence.svg", "quantity_convergence.svg", "tatonnement_trace.csv", "welfare.csv"].sort(),
    );
    const eqText = readFileSync(join(out, "equilibrium.csv"), "utf8");
    expect(eqText.split("\n")[0]).toBe("layer,good,price,supply,demand");
    const eq = parseCsv(eqText);
    expect(eq).toHaveLength(9);
    for (const r of eq) expect(Math.abs(Number(r.supply) / Number(r.demand) - 1)).toBeLessThan(1e-10);
    expect(readFileSync(join(out, "agents.csv"), "utf8").split("\n")[0]).toBe("group,member,good,input,output,cost,profit,budget_multiplier");
    expect(readFileSync(join(out, "tatonnement_trace.csv"), "utf8").split("\n")[0]).toBe("iteration,layer,good,price,supply,demand");
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.config.method).toBe("newton");
    expect(manifest.versions["@tensorflow/tfjs"]).toBe("4.22.0");
    expect(manifest.git_commit).toBeTypeOf("string");
    expect(readFileSync(join(out, "price_convergence.svg"), "utf8")).toMatch(/^<svg/);
  });

  it("--method tatonnement gives the same prices to 1e-8", async () => {
    expect(await main(["equilibrium", paperFile, "--out", join(work, "n")])).toBe(0);
    expect(await main(["equilibrium", paperFile, "--out", join(work, "t"), "--method", "tatonnement"])).toBe(0);
    const n = parseCsv(readFileSync(join(work, "n", "equilibrium.csv"), "utf8"));
    const t = parseCsv(readFileSync(join(work, "t", "equilibrium.csv"), "utf8"));
    n.forEach((r, i) => expect(Math.abs(Number(t[i].price) / Number(r.price) - 1)).toBeLessThan(1e-8));
  });

  it("never overwrites an existing run directory", async () => {
    const out = join(work, "run");
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "earlier run");
    expect(await main(["equilibrium", paperFile, "--out", out])).toBe(2);
    expect(errors.join("\n")).toMatch(/already exists/);
    expect(readdirSync(out)).toEqual(["keep.txt"]);
  });

  it("default run directories get distinct names under results/<name>/", async () => {
    const root = join(work, "cwd");
    mkdirSync(root);
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(await main(["equilibrium", paperFile])).toBe(0);
      expect(await main(["equilibrium", paperFile])).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(join(root, "results", "kaihara-paper"))).toHaveLength(2);
  });

  const clone = () => structuredClone(paperConfig);
  const bad: [string, () => unknown, RegExp][] = [
    ["not JSON", () => "{ market: ", /not valid JSON/],
    ["top level is not an object", () => [1, 2], /expected object/],
    ["unknown top-level key", () => ({ ...clone(), colour: "red" }), /colour: unknown key/],
    ["unknown key in an agent", () => (c => (c.market.groups[0].agents[1].budjet = 3, c))(clone()), /market\.groups\[0\]\.agents\[1\]\.budjet: unknown key/],
    ["missing market", () => (c => (delete c.market, c))(clone()), /market:.*expected object/],
    ["wrong type for budget", () => (c => (c.market.groups[1].agents[0].budget = "50", c))(clone()), /market\.groups\[1\]\.agents\[0\]\.budget:.*expected number/],
    ["b outside (0,1)", () => (c => (c.market.groups[1].b[2] = 1.2, c))(clone()), /market\.groups\[1\]\.b\[2\]: .*\(0, 1\)/],
    ["non-positive a", () => (c => (c.market.groups[0].agents[0].a[1] = 0, c))(clone()), /market\.groups\[0\]\.agents\[0\]\.a\[1\]: .*positive/],
    ["non-positive budget", () => (c => (c.market.groups[0].agents[2].budget = -4, c))(clone()), /market\.groups\[0\]\.agents\[2\]\.budget: .*positive/],
    ["outside demand exponent >= -1", () => (c => (c.market.outsideDemand.beta[0] = -0.5, c))(clone()), /market\.outsideDemand\.beta\[0\]: .*below -1/],
    ["outside supply alpha <= 0", () => (c => (c.market.outsideSupply.alpha[1] = 0, c))(clone()), /market\.outsideSupply\.alpha\[1\]: .*positive/],
    ["vector of the wrong length", () => (c => (c.market.groups[0].b = [0.5, 0.5], c))(clone()), /market\.groups\[0\]\.b: has 2 entries/],
    ["non-integer goods", () => (c => (c.market.goods = 2.5, c))(clone()), /market\.goods: must be an integer/],
    ["empty agent group", () => (c => (c.market.groups[1].agents = [], c))(clone()), /market\.groups\[1\]\.agents: each group needs at least one agent/],
    ["unknown method", () => ({ ...clone(), method: "simplex" }), /method:/],
    ["tatonnement step out of range", () => ({ ...clone(), tatonnement: { step: 3 } }), /tatonnement\.step: must be at most 1/],
    ["negative tolerance", () => ({ ...clone(), solver: { tolerance: -1 } }), /solver\.tolerance: must be positive/],
    ["name unfit for a folder", () => ({ ...clone(), name: "../escape" }), /name: must be 1-100 characters: letters/],
    ["duplicate agent names", () => (c => (c.market.groups[1].agents[0].name = "A[0][0]", c))(clone()), /duplicate agent name/],
    ["no equilibrium within the iteration cap", () => ({ ...clone(), tatonnement: { maxIterations: 3 } }), /no equilibrium within 3 iterations/],
  ];
  for (const [name, make, message] of bad) {
    it(`bad config: ${name} -> exit 2, message, no run directory`, async () => {
      expect(await runWith(make())).toBe(2);
      const text = errors.join("\n");
      expect(text).toMatch(message);
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(work, "run"))).toBe(false);
      expect(readdirSync(work).filter((f) => f.startsWith(".tmp-"))).toEqual([]);
    });
  }

  it("missing file, unreadable file, directory, wrong arguments -> exit 2", async () => {
    expect(await main(["equilibrium", join(work, "nope.json")])).toBe(2);
    expect(errors.pop()).toMatch(/nope\.json: no such file/);
    expect(await main(["equilibrium", work])).toBe(2);
    expect(errors.pop()).toMatch(/is a directory/);
    if (process.getuid?.() !== 0) {
      const f = join(work, "locked.json");
      writeFileSync(f, "{}");
      chmodSync(f, 0);
      expect(await main(["equilibrium", f])).toBe(2);
      expect(errors.pop()).toMatch(/permission denied/);
    }
    expect(await main(["equilibrium"])).toBe(2);
    expect(await main(["equilibrium", paperFile, "--method", "magic"])).toBe(2);
    expect(await main(["equilibrium", paperFile, "--bogus"])).toBe(2);
    expect(await main(["nonsense"])).toBe(2);
  });

  it("`npx supplygym` works end to end, with --help and a clean exit code", () => {
    const bin = join(import.meta.dirname, "..", "..", "bin", "supplygym.js");
    const helpText = execFileSync(process.execPath, [bin, "equilibrium", "--help"]).toString();
    expect(helpText).toMatch(/usage: supplygym equilibrium/);
    const r = spawnSync(process.execPath, [bin, "equilibrium", join(work, "missing.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/missing\.json: no such file/);
  });
});
