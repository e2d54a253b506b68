import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { Box, Discrete } from "../core/spaces.js";
import { UsageError } from "../io/errors.js";
import { initParams } from "./actor-critic.js";
import { loadLatestCheckpoint } from "./checkpoint.js";
import { LearnedPolicy, MultiAgentPolicy } from "./policy.js";

const network = { actorHidden: [4], criticHidden: [4], activation: "tanh" as const, initLogStd: 0 };
function policy(seed: number): LearnedPolicy {
  const params = initParams({ ...network, obsDim: 2, action: { kind: "categorical", n: 3, start: 0 } }, new Rng(seed));
  return new LearnedPolicy(new Box([-1, -1], [1, 1]), new Discrete(3), network, params);
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const dir = () => mkdtempSync(join(tmpdir(), "sg-policy-"));

describe("policy files", () => {
  it("MultiAgentPolicy saves and loads (same deterministic actions)", () => {
    const file = join(dir(), "multi.json");
    const m = new MultiAgentPolicy({ a: policy(1), b: policy(2) });
    m.save(file);
    const back = MultiAgentPolicy.load(file);
    const obs = { a: [0.3, -0.2], b: [-0.5, 0.9] };
    expect(back.act(obs, { deterministic: true })).toEqual(m.act(obs, { deterministic: true }));
    expect(back.policies.a.value([0.1, 0.1])).toBe(m.policies.a.value([0.1, 0.1]));
  });

  it("errors name the file: missing, bad JSON, another format, a bad agent policy", () => {
    const d = dir();
    const single = join(d, "single.json");
    policy(1).save(single);
    const multi = join(d, "multi.json");
    new MultiAgentPolicy({ a: policy(1) }).save(multi);
    const bad = join(d, "bad.json");
    writeFileSync(bad, '{"format": "supplygym-pol');
    const missing = join(d, "missing.json");
    expect(() => LearnedPolicy.load(missing)).toThrow(new RegExp(`^${esc(missing)}: no such file`));
    expect(() => LearnedPolicy.load(bad)).toThrow(new RegExp(`^${esc(bad)}: not valid JSON`));
    expect(() => MultiAgentPolicy.load(bad)).toThrow(new RegExp(`^${esc(bad)}: not valid JSON`));
    expect(() => LearnedPolicy.load(multi)).toThrow(
      new RegExp(`^${esc(multi)}: not a supplygym-policy file version 1 \\(found format "supplygym-multi-agent-policy", version 1\\)`),
    );
    expect(() => MultiAgentPolicy.load(single)).toThrow(
      new RegExp(`^${esc(single)}: not a supplygym-multi-agent-policy file version 1 \\(found format "supplygym-policy"`),
    );
    const broken = join(d, "broken.json");
    writeFileSync(broken, JSON.stringify({ format: "supplygym-multi-agent-policy", version: 1, policies: { a: { format: "x" } } }));
    expect(() => MultiAgentPolicy.load(broken)).toThrow(new RegExp(`^${esc(broken)}: policies\\.a: .*not a supplygym-policy file`));
    expect(() => MultiAgentPolicy.load(bad)).toThrow(UsageError);
  });

  it("loadLatestCheckpoint names the checkpoint file on bad JSON or another format", () => {
    const d = dir();
    const step = join(d, "step-0000000064");
    mkdirSync(step);
    const file = join(step, "checkpoint.json");
    writeFileSync(file, "{not json");
    expect(() => loadLatestCheckpoint(d)).toThrow(new RegExp(`^${esc(file)}: not valid JSON`));
    writeFileSync(file, JSON.stringify({ format: "supplygym-policy", version: 1 }));
    expect(() => loadLatestCheckpoint(d)).toThrow(new RegExp(`^${esc(file)}: not a supplygym-checkpoint file version 1`));
  });
});
