import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import "../envs/index.js";
import { PPO_CONTINUOUS_DEFAULTS, PPO_DEFAULTS, ppoHyperparametersSchema, resolvePPOOptions } from "./ppo/options.js";
import { REINFORCE_DEFAULTS, reinforceHyperparametersSchema, resolveREINFORCEOptions } from "./reinforce/options.js";

// The defaults are documented choices: a field's describe() text, or the doc comment of an algorithm's own default,
// names the CleanRL flag it copies (`--flag value`), and docs/learning.md tabulates them. These tests hold the values
// to those citations and to what the learners actually use; one more test pins the whole default set, so that a
// change of any default (which changes every learning curve) is deliberate, as src/index.test.ts pins the API.

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), "utf8");

/** `field -> value` of every field of a constant whose doc comment cites a CleanRL flag as (`--flag value`) or `--flag value`. */
function citedFlags(source: string, object: string): Map<string, string> {
  const start = source.indexOf(`const ${object}`);
  expect(start, object).toBeGreaterThanOrEqual(0);
  const end = source.slice(start).search(/\n\}\)?;/);
  const body = source.slice(start, start + end);
  const out = new Map<string, string>();
  for (const part of body.split("/**").slice(1)) {
    const end = part.indexOf("*/");
    const flag = /`--[a-z-]+ ([^`]+)`/.exec(part.slice(0, end));
    const field = /^\s*(\w+):/.exec(part.slice(end + 2));
    if (flag && field) out.set(field[1], flag[1]);
  }
  return out;
}

/** `field -> [cited value, default]` of every schema field whose describe() text cites a CleanRL flag. */
function describedFlags(schema: z.ZodType): Map<string, [string, unknown]> {
  const json = z.toJSONSchema(schema, { io: "input" }) as { properties: Record<string, { description?: string; default?: unknown }> };
  const out = new Map<string, [string, unknown]>();
  for (const [k, p] of Object.entries(json.properties)) {
    const flag = /`--[a-z-]+ ([^`]+)`/.exec(p.description ?? "");
    if (flag) out.set(k, [flag[1], p.default]);
  }
  return out;
}

/** A CleanRL flag value as the JavaScript default it stands for. */
function flagValue(v: string): unknown {
  if (v === "True") return true;
  if (v === "False") return false;
  if (v === "None") return null;
  return Number(v);
}

describe("learner defaults", () => {
  it("every field citing a CleanRL flag has that flag's value", () => {
    const cases: [string, string, Readonly<Record<string, unknown>>, number][] = [
      ["./ppo/options.ts", "PPO_OWN_DEFAULTS", PPO_DEFAULTS, 5],
      ["./ppo/options.ts", "PPO_CONTINUOUS_DEFAULTS", PPO_CONTINUOUS_DEFAULTS, 6],
    ];
    for (const [file, name, values, atLeast] of cases) {
      const cited = citedFlags(read(file), name);
      expect(cited.size, `${name}: fields citing a flag`).toBeGreaterThanOrEqual(atLeast);
      for (const [field, v] of cited) expect(values[field], `${name}.${field} (--... ${v})`).toEqual(flagValue(v));
    }
    const described = describedFlags(ppoHyperparametersSchema);
    expect(described.size, "PPO fields whose text cites a flag").toBeGreaterThanOrEqual(10);
    for (const [field, [v, d]] of described) {
      expect(d, `${field}: the schema default (--... ${v})`).toEqual(flagValue(v));
      expect((PPO_DEFAULTS as Record<string, unknown>)[field], field).toEqual(flagValue(v));
    }
  });

  it("docs/learning.md's PPO table gives the values PPO_DEFAULTS and PPO_CONTINUOUS_DEFAULTS hold", () => {
    const doc = read("../../docs/learning.md");
    const table = doc.slice(doc.indexOf("## PPO defaults"));
    const continuous = { ...PPO_DEFAULTS, ...PPO_CONTINUOUS_DEFAULTS } as Record<string, unknown>;
    let checked = 0;
    for (const line of table.split("\n").slice(3)) {
      if (!line.startsWith("|")) break;
      const [names, discrete, box] = line
        .split("|")
        .slice(1, 4)
        .map((c) => c.trim());
      const fields = names
        .replace(/\(.*\)/, "")
        .split("/")
        .map((f) => f.trim());
      if (!fields.every((f) => f in PPO_DEFAULTS)) continue; // rows such as "network" or "Adam eps" are prose
      const d = discrete.split("/").map((v) => v.trim());
      const b = box === "same" ? d : box.split("/").map((v) => v.trim());
      fields.forEach((f, k) => {
        const parse = (v: string) => (v === "true" ? true : v === "false" ? false : v === "null" ? null : Number(v));
        expect((PPO_DEFAULTS as Record<string, unknown>)[f], `${f} (Discrete)`).toEqual(parse(d[k]));
        expect(continuous[f], `${f} (Box)`).toEqual(parse(b[k]));
        checked++;
      });
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it("the learners use them: Discrete envs get PPO_DEFAULTS, Box envs the continuous overrides, REINFORCE its own", () => {
    const discrete = resolvePPOOptions({ env: "CartPole-v1" }) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(PPO_DEFAULTS)) expect(discrete[k], k).toEqual(v);
    const box = resolvePPOOptions({ env: "Pendulum-v1" }) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries({ ...PPO_DEFAULTS, ...PPO_CONTINUOUS_DEFAULTS })) expect(box[k], k).toEqual(v);
    expect(box.numSteps).not.toBe(discrete.numSteps);
    // An option given as undefined is the default, also under the continuous overrides.
    expect(resolvePPOOptions({ env: "Pendulum-v1", numSteps: undefined }).numSteps).toBe(PPO_CONTINUOUS_DEFAULTS.numSteps);
    const reinforce = resolveREINFORCEOptions({ env: "CartPole-v1" }) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(REINFORCE_DEFAULTS)) expect(reinforce[k], k).toEqual(v);
    expect(Object.keys(REINFORCE_DEFAULTS).sort()).toEqual(Object.keys(reinforceHyperparametersSchema.shape).sort());
  });

  it("keeps the values the learners have always used (CleanRL's ppo.py; REINFORCE's own)", () => {
    // A change of any default changes every learning curve: it must be deliberate, so the values are pinned here.
    expect(PPO_DEFAULTS).toEqual({
      numEnvs: 4,
      numSteps: 128,
      learningRate: 2.5e-4,
      annealLr: true,
      adamEps: 1e-5,
      maxGradNorm: 0.5,
      gamma: 0.99,
      gaeLambda: 0.95,
      entCoef: 0.01,
      vfCoef: 0.5,
      normAdv: true,
      actorHidden: [64, 64],
      criticHidden: [64, 64],
      activation: "tanh",
      sharedHidden: [],
      agentId: "none",
      agentEmbeddingDim: 8,
      initLogStd: 0,
      normalizeObservation: false,
      normalizeReward: false,
      clipObservation: 10,
      clipReward: 10,
      shareParameters: false,
      statsWindow: 20,
      numMinibatches: 4,
      updateEpochs: 4,
      clipCoef: 0.2,
      clipVloss: true,
      targetKl: null,
      gradients: "auto",
    });
    const { numMinibatches, updateEpochs, clipCoef, clipVloss, targetKl, gradients, ...shared } = PPO_DEFAULTS;
    expect(REINFORCE_DEFAULTS).toEqual({
      ...shared,
      numSteps: 512,
      learningRate: 1e-3,
      annealLr: false,
      adamEps: 1e-8,
      gaeLambda: 1,
      entCoef: 0,
    });
  });
});
