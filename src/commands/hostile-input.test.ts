import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../cli.js";
import { captureCommandOutput } from "./testing/capture-output.js";

/**
 * The reliability probe's hostile inputs (issue 16): every one must exit 2 at once, before any work, with a
 * message naming the field (JSON path or flag) and the rule or bound, and leave nothing behind: no run
 * directory, no partial store, no models folder, no file outside the results root.
 */
const work = mkdtempSync(join(tmpdir(), "sg-hostile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const { errors } = captureCommandOutput();

const experiment = (f: string) => JSON.parse(readFileSync(join("experiments", f), "utf8"));
const tiny = () => ({
  name: "hostile",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
  conditions: [
    { name: "analytic", learned: [] },
    {
      name: "one",
      learned: ["A[1][1]"],
      algorithm: { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1 } as Record<string, number> },
    },
  ],
  training: { totalSteps: 32, numEnvs: 1 },
  seeds: [0] as unknown,
  evaluation: { episodes: 1 },
  output: join(work, "results"),
});

/** Run `supplygym <command> <file> ...args` from `work`-relative paths; returns the exit code and time taken. */
async function attempt(command: string, config: unknown, args: string[] = []): Promise<{ code: number; ms: number; dir: string }> {
  const dir = mkdtempSync(join(work, `${command}-`));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config));
  const t0 = performance.now();
  const code = await main([command, file, "--out", join(dir, "out"), ...args]);
  return { code, ms: performance.now() - t0, dir };
}

/** Nothing but the config file in its folder, and no results or models folder anywhere in `work`. */
function nothingLeft(dir: string): void {
  expect(readdirSync(dir)).toEqual(["config.json"]);
  expect(existsSync(join(work, "results"))).toBe(false);
  expect(existsSync(join(work, "models"))).toBe(false);
}

describe("the probe's extreme values exit 2 before any work, naming the field and the bound", () => {
  const cases: [string, string, () => unknown, string[], RegExp][] = [
    [
      "run: totalSteps below one batch",
      "run",
      () => ({ ...tiny(), training: { totalSteps: 10, numEnvs: 1 } }),
      [],
      /training\.totalSteps: must be at least one batch, numEnvs \* numSteps = 16 steps \(a smaller budget trains nothing\), got 10/,
    ],
    [
      "run: learning rate 1e308",
      "run",
      () => {
        const e = tiny();
        e.conditions[1].algorithm!.hyperparameters.learningRate = 1e308;
        return e;
      },
      [],
      /conditions\[1\]\.algorithm\.hyperparameters\.learningRate: must be at most 1 /,
    ],
    [
      "run: numSteps 1e9",
      "run",
      () => {
        const e = tiny();
        e.conditions[1].algorithm!.hyperparameters.numSteps = 1e9;
        return e;
      },
      [],
      /hyperparameters\.numSteps: must be at most 100,000/,
    ],
    ["run: seeds.count 1e9", "run", () => ({ ...tiny(), seeds: { count: 1e9 } }), [], /seeds\.count: must be at most 1,000/],
    [
      "run: totalSteps 1e12",
      "run",
      () => ({ ...tiny(), training: { totalSteps: 1e12 } }),
      [],
      /training\.totalSteps: must be at most 1,000,000,000/,
    ],
    [
      "run: evaluation episodes 1e9",
      "run",
      () => ({ ...tiny(), evaluation: { episodes: 1e9 } }),
      [],
      /evaluation\.episodes: must be at most 100,000/,
    ],
    [
      "run: episodeLength 1e9",
      "run",
      () => ({ ...tiny(), env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 1e9 } } }),
      [],
      /episodeLength.*at most 100,000/,
    ],
    ["run: --workers 1e6", "run", () => tiny(), ["--workers", "1e6"], /--workers must be an integer from 1 to 256/],
    [
      "hubs: periods 1e8",
      "hubs",
      () => ({ ...experiment("hubs-semiconductor.json"), periods: 1e8 }),
      [],
      /periods: must be at most 100,000/,
    ],
    [
      "hubs: margin 1e308",
      "hubs",
      () => {
        const e = experiment("hubs-semiconductor.json");
        e.hubs[0].products[0].marginPerUnit = 1e308;
        return e;
      },
      [],
      /hubs\[0\]\.products\[0\]\.marginPerUnit: must be at most 1e\+12 in magnitude/,
    ],
    [
      "hubs: horizon 1e9",
      "hubs",
      () => ({ ...experiment("hubs-semiconductor.json"), horizon: 1e9 }),
      [],
      /horizon: must be at most 100,000/,
    ],
    [
      "hubs: mechanism.maxRounds 1e12",
      "hubs",
      () => {
        const e = experiment("hubs-semiconductor.json");
        e.mechanism.maxRounds = 1e12;
        return e;
      },
      [],
      /mechanism\.maxRounds: must be at most 10,000,000/,
    ],
    [
      "equilibrium: budget 1e308",
      "equilibrium",
      () => {
        const e = experiment("kaihara-paper.json");
        e.market.groups[0].agents[0].budget = 1e308;
        return e;
      },
      [],
      /market\.groups\[0\]\.agents\[0\]\.budget: must be at most 1e\+12/,
    ],
    [
      "equilibrium: goods 1e6",
      "equilibrium",
      () => ({ ...experiment("kaihara-paper.json"), market: { ...experiment("kaihara-paper.json").market, goods: 1e6 } }),
      [],
      /market\.goods: must be at most 1,000/,
    ],
    [
      "forecast: mlp epochs 1e12",
      "forecast",
      () => ({ ...experiment("forecast-seasonal.json"), forecasters: [{ type: "mlp", epochs: 1e12 }] }),
      [],
      /forecasters\[0\]/,
    ],
    [
      "forecast: periods 1e9",
      "forecast",
      () => {
        const e = experiment("forecast-seasonal.json");
        e.demand.periods = 1e9;
        return e;
      },
      [],
      /demand\.periods: must be at most 100,000/,
    ],
    [
      "negotiate: --episodes 1e9",
      "negotiate",
      () => experiment("contracts-paper.json"),
      ["--episodes", "1e9"],
      /--episodes must be an integer from 1 to 100,000/,
    ],
    [
      "train: learning rate 1e308",
      "train",
      () => ({ ...experiment("cartpole-ppo.json"), hyperparameters: { learningRate: 1e308 } }),
      [],
      /hyperparameters\.learningRate: must be at most 1/,
    ],
    [
      "train: totalSteps below one batch",
      "train",
      () => ({ ...experiment("cartpole-ppo.json"), totalSteps: 10 }),
      [],
      /totalSteps: must be at least one batch, numEnvs \* numSteps = 512 steps .*, got 10/,
    ],
    [
      "train: totalSteps 1e12",
      "train",
      () => ({ ...experiment("cartpole-ppo.json"), totalSteps: 1e12 }),
      [],
      /totalSteps: must be at most 1,000,000,000/,
    ],
  ];
  for (const [title, command, config, args, message] of cases) {
    it(title, async () => {
      const r = await attempt(command, config(), args);
      expect(r.code).toBe(2);
      expect(errors.join("\n")).toMatch(message);
      expect(errors.join("\n")).not.toMatch(/\n\s+at /);
      expect(r.ms).toBeLessThan(20_000); // at once: no training, simulation or search ran
      nothingLeft(r.dir);
    });
  }
});

describe("the name rule holds for every command: `..` and its kin exit 2 naming the field, nothing is written", () => {
  const bad = ["..", "../escape", "/abs", "a/b"];
  const named: [string, string, (name: string) => unknown, RegExp][] = [
    ["run", "run", (n) => ({ ...tiny(), name: n }), /name: must be/],
    [
      "run (condition names become task files)",
      "run",
      (n) => ({ ...tiny(), conditions: [{ name: n, learned: [] }] }),
      /conditions\[0\]\.name: must be/,
    ],
    ["evaluate", "evaluate", (n) => ({ ...tiny(), name: n }), /name: must be/],
    ["equilibrium", "equilibrium", (n) => ({ ...experiment("kaihara-paper.json"), name: n }), /name: must be/],
    ["forecast", "forecast", (n) => ({ ...experiment("forecast-seasonal.json"), experiment: n }), /experiment: must be/],
    [
      "negotiate",
      "negotiate",
      (n) => {
        const c = experiment("contracts-paper.json").env.options.config;
        return { experiment: n, retailer: c.retailer, subcontractors: c.subcontractors };
      },
      /experiment: must be/,
    ],
    ["hubs", "hubs", (n) => ({ ...experiment("hubs-semiconductor.json"), name: n }), /name: must be/],
    [
      "hubs (hub ids)",
      "hubs",
      (n) => {
        const e = experiment("hubs-semiconductor.json");
        e.hubs[0].id = n;
        return e;
      },
      /hubs\[0\]\.id: must be/,
    ],
    ["train", "train", (n) => ({ ...experiment("cartpole-ppo.json"), experiment: n }), /experiment: must be/],
  ];
  for (const [title, command, config, message] of named) {
    it(title, async () => {
      for (const n of bad) {
        errors.length = 0;
        const r = await attempt(command, config(n), command === "evaluate" ? ["--models", join(work, "m")] : []);
        expect(r.code, n).toBe(2);
        expect(errors.join("\n"), n).toMatch(message);
        nothingLeft(r.dir);
      }
    });
  }

  it("train: a config file whose name is not a valid name, with no experiment field", async () => {
    const dir = mkdtempSync(join(work, "trainfile-"));
    const file = join(dir, "..json");
    writeFileSync(file, JSON.stringify(experiment("cartpole-ppo.json")));
    expect(await main(["train", file, "--models-root", join(dir, "m")])).toBe(2);
    expect(errors.join("\n")).toMatch(/experiment: absent, so the file name is used/);
    expect(readdirSync(dir)).toEqual(["..json"]);
  });

  it("compare, ledger, review: a path that is a folder or an existing run is refused with exit 2", async () => {
    const dir = mkdtempSync(join(work, "other-"));
    mkdirSync(join(dir, "run"));
    expect(await main(["compare", join(dir, "run"), "--out", dir])).toBe(2);
    expect(await main(["ledger", "verify", dir])).toBe(2);
    expect(errors.join("\n")).toMatch(/is a directory; give the ledger file/);
    expect(await main(["review", "list", "--queue", dir])).toBe(2);
    expect(errors.join("\n")).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual(["run"]);
  });
});
