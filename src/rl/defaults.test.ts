import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import "../envs/index.js";
import { COMMON_DEFAULTS } from "./common-defaults.js";
import { PPO_CONTINUOUS_DEFAULTS, PPO_DEFAULTS } from "./ppo/defaults.js";
import { resolvePPOOptions } from "./ppo/ppo.js";
import { REINFORCE_DEFAULTS } from "./reinforce/defaults.js";
import { resolveREINFORCEOptions } from "./reinforce/reinforce.js";

// The defaults are documented choices: each field's doc comment names the CleanRL flag it copies (`--flag value`),
// and docs/learning.md tabulates them. These tests hold the values to those citations and to what the learners
// actually use, rather than to a second copy of the numbers.

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), "utf8");

/** `field -> value` of every field whose doc comment cites a CleanRL flag as (`--flag value`) or `--flag value`. */
function citedFlags(source: string, object: string): Map<string, string> {
  const start = source.indexOf(`export const ${object}`);
  const body = source.slice(start, source.indexOf("});", start));
  const out = new Map<string, string>();
  for (const part of body.split("/**").slice(1)) {
    const end = part.indexOf("*/");
    const flag = /`--[a-z-]+ ([^`]+)`/.exec(part.slice(0, end));
    const field = /^\s*(\w+):/.exec(part.slice(end + 2));
    if (flag && field) out.set(field[1], flag[1]);
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
      ["./common-defaults.ts", "COMMON_DEFAULTS", COMMON_DEFAULTS, 3],
      ["./ppo/defaults.ts", "PPO_DEFAULTS", PPO_DEFAULTS, 11],
      ["./ppo/defaults.ts", "PPO_CONTINUOUS_DEFAULTS", PPO_CONTINUOUS_DEFAULTS, 6],
    ];
    for (const [file, name, values, atLeast] of cases) {
      const cited = citedFlags(read(file), name);
      expect(cited.size, `${name}: fields citing a flag`).toBeGreaterThanOrEqual(atLeast);
      for (const [field, v] of cited) expect(values[field], `${name}.${field} (--... ${v})`).toEqual(flagValue(v));
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
    const reinforce = resolveREINFORCEOptions({ env: "CartPole-v1" }) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(REINFORCE_DEFAULTS)) expect(reinforce[k], k).toEqual(v);
    for (const [k, v] of Object.entries(COMMON_DEFAULTS)) expect(REINFORCE_DEFAULTS[k as keyof typeof REINFORCE_DEFAULTS], k).toEqual(v);
  });
});
