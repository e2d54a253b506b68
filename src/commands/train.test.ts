import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../cli.js";
import { errnoError, setWriteFaultForTests } from "../io/atomic.js";
import { CURVE_COLUMNS } from "../rl/on-policy.js";
import { loadTrainConfig } from "../rl/train-config.js";
import { learnerFromConfig } from "../rl/learner-from-config.js";
import "../envs/index.js";

const tmp = () => mkdtempSync(join(tmpdir(), "sg-train-"));
const config = {
  experiment: "tiny",
  env: "CartPole-v1",
  algorithm: "ppo",
  totalSteps: 1024,
  seed: 3,
  numEnvs: 2,
  backend: "cpu",
  checkpointEvery: 2,
  keepCheckpoints: 100,
  hyperparameters: { numSteps: 32, actorHidden: [8], criticHidden: [8] },
};
const withoutSpeed = (csv: string) =>
  csv
    .trim()
    .split("\n")
    .map((l) => l.split(",").slice(0, -1).join(","));

describe("supplygym train", () => {
  it.each(["cartpole-ppo", "pendulum-ppo", "market-bidding-ppo"])("experiments/%s.json is a valid training config", (name) => {
    const file = join("experiments", `${name}.json`);
    const cfg = loadTrainConfig(file);
    const learner = learnerFromConfig(cfg, file);
    expect(learner.stepsPerIteration).toBeGreaterThan(0);
    learner.close();
  });

  it("writes a curve, a policy, a manifest and checkpoints; --resume continues the same curve", async () => {
    const dir = tmp();
    const file = join(dir, "tiny.json");
    writeFileSync(file, JSON.stringify(config));
    const models = join(dir, "models");
    expect(await main(["train", file, "--out", join(dir, "full"), "--models-root", models])).toBe(0);
    // The live log beside the run directory has every update's points, the learning rate among them.
    const live = readFileSync(join(dir, ".live", "full.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { step: number; metric: string });
    expect(live.filter((r) => r.metric === "train/learning_rate").map((r) => r.step)).toEqual(
      Array.from({ length: 16 }, (_, i) => 64 * (i + 1)),
    );
    expect(readdirSync(join(dir, ".live", "full"))[0]).toMatch(/^events\.out\.tfevents\./);
    const csv = readFileSync(join(dir, "full", "learning_curve.csv"), "utf8");
    expect(csv.split("\n")[0]).toBe(CURVE_COLUMNS.join(","));
    expect(csv.trim().split("\n")).toHaveLength(1 + 16);
    const manifest = JSON.parse(readFileSync(join(dir, "full", "manifest.json"), "utf8"));
    expect(manifest.backend).toBe("cpu");
    expect(existsSync(join(dir, "full", "policy.json"))).toBe(true);
    const [run] = readdirSync(join(models, "tiny"));
    const runDir = join(models, "tiny", run);
    const ckpts = readdirSync(runDir).sort();
    expect(ckpts).toHaveLength(8);
    expect(existsSync(join(runDir, ckpts[0], "policy.json"))).toBe(true);
    // Pretend the run was killed after update 6: keep checkpoints up to step 384, resume.
    const partial = join(dir, "partial");
    cpSync(runDir, partial, { recursive: true });
    for (const c of readdirSync(partial)) if (Number(c.slice(5)) > 384) rmSync(join(partial, c), { recursive: true });
    expect(await main(["train", file, "--out", join(dir, "resumed"), "--resume", partial])).toBe(0);
    const resumed = readFileSync(join(dir, "resumed", "learning_curve.csv"), "utf8");
    expect(withoutSpeed(resumed)).toEqual(withoutSpeed(csv));
  });

  it("independent learners: agent_curves.csv and the live log of a resumed run equal an uninterrupted run's", async () => {
    const dir = tmp();
    const file = join(dir, "two.json");
    const two = {
      experiment: "two",
      env: { id: "MarketBiddingParallel-v0", options: { learned: ["A[1][1]", "A[1][2]"], episodeLength: 4 } },
      algorithm: "ppo",
      totalSteps: 128,
      seed: 5,
      numEnvs: 1,
      backend: "cpu",
      checkpointEvery: 2,
      keepCheckpoints: 100,
      hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1, actorHidden: [8], criticHidden: [8], statsWindow: 20 },
    };
    writeFileSync(file, JSON.stringify(two));
    const models = join(dir, "models");
    expect(await main(["train", file, "--out", join(dir, "full"), "--models-root", models])).toBe(0);
    const agents = readFileSync(join(dir, "full", "agent_curves.csv"), "utf8");
    const lines = agents.trim().split("\n");
    expect(lines[0]).toBe(
      "global_step,agent,episode_return_mean,policy_loss,value_loss,entropy,approx_kl,clip_fraction,explained_variance",
    );
    expect(lines).toHaveLength(1 + 8 * 2); // 8 updates x 2 agents
    expect(lines[1]).toMatch(/^16,A\[1\]\[1\],/);
    const [run] = readdirSync(join(models, "two"));
    const runDir = join(models, "two", run);
    // Pretend the run was killed after update 4 (step 64), when each agent had finished 16 episodes of 4 steps.
    const partial = join(dir, "partial");
    cpSync(runDir, partial, { recursive: true });
    for (const c of readdirSync(partial)) if (Number(c.slice(5)) > 64) rmSync(join(partial, c), { recursive: true });
    const ckpt = JSON.parse(readFileSync(join(partial, readdirSync(partial).sort().at(-1)!, "checkpoint.json"), "utf8"));
    expect(ckpt.learner.agentReturns["A[1][2]"]).toHaveLength(16);
    expect(ckpt.agentCurve).toHaveLength(4 * 2);
    expect(await main(["train", file, "--out", join(dir, "resumed"), "--resume", partial])).toBe(0);
    expect(readFileSync(join(dir, "resumed", "agent_curves.csv"), "utf8")).toBe(agents);
    expect(withoutSpeed(readFileSync(join(dir, "resumed", "learning_curve.csv"), "utf8"))).toEqual(
      withoutSpeed(readFileSync(join(dir, "full", "learning_curve.csv"), "utf8")),
    );
    // The live log of the resumed run starts with the updates before the checkpoint: the same points (no timing in them).
    expect(readFileSync(join(dir, ".live", "resumed.jsonl"), "utf8")).toBe(readFileSync(join(dir, ".live", "full.jsonl"), "utf8"));
  });

  it("rejects a bad config with a ConfigError naming the JSON path (exit 2)", async () => {
    const dir = tmp();
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ ...config, totalSteps: -5, hyperparameters: { clipCoef: "x", bogus: 1 } }));
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(String(m));
    try {
      expect(await main(["train", file])).toBe(2);
      writeFileSync(file, JSON.stringify({ ...config, hyperparameters: { numMinibatches: 1000 } }));
      expect(await main(["train", file])).toBe(2);
      writeFileSync(file, JSON.stringify({ ...config, algorithm: "reinforce", hyperparameters: { clipCoef: 0.1 } }));
      expect(await main(["train", file])).toBe(2);
      expect(await main(["train", file, "--backend", "gpu"])).toBe(2);
      // One batch is numEnvs 2 x numSteps 32 = 64 steps: a smaller budget would train nothing.
      writeFileSync(file, JSON.stringify({ ...config, totalSteps: 63 }));
      expect(await main(["train", file])).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errors[0]).toMatch(/totalSteps/);
    expect(errors[0]).toMatch(/hyperparameters\.clipCoef/);
    expect(errors[0]).toMatch(/hyperparameters.*bogus/);
    expect(errors[1]).toMatch(/hyperparameters\.numMinibatches/);
    expect(errors[2]).toMatch(/clipCoef/);
    expect(errors[3]).toMatch(/--backend/);
    expect(errors[4]).toMatch(
      / totalSteps: must be at least one batch, numEnvs \* numSteps = 64 steps \(a smaller budget trains nothing\), got 63/,
    );
  });

  it("disk full at the first checkpoint: one line, exit 2, no empty checkpoint folder; the same command then trains", async () => {
    const dir = tmp();
    const file = join(dir, "tiny.json");
    writeFileSync(file, JSON.stringify(config));
    const models = join(dir, "models");
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(String(m));
    setWriteFaultForTests((p) => {
      if (p.endsWith("checkpoint.json")) throw errnoError("ENOSPC", "write", p);
    });
    try {
      expect(await main(["train", file, "--out", join(dir, "run"), "--models-root", models])).toBe(2);
    } finally {
      setWriteFaultForTests(undefined);
      console.error = orig;
    }
    expect(errors.at(-1)).toMatch(/^supplygym: .*checkpoint\.json: write: no space left on the device \(ENOSPC\)/);
    expect(existsSync(models)).toBe(false);
    expect(existsSync(join(dir, "run"))).toBe(false);
    expect(await main(["train", file, "--out", join(dir, "run"), "--models-root", models])).toBe(0);
  });

  it("rounds totalSteps down to whole batches and says so on stderr and in the manifest", async () => {
    const dir = tmp();
    const file = join(dir, "round.json");
    writeFileSync(file, JSON.stringify({ ...config, experiment: "round", totalSteps: 150 }));
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(String(m));
    try {
      expect(await main(["train", file, "--out", join(dir, "out"), "--models-root", join(dir, "models")])).toBe(0);
    } finally {
      console.error = orig;
    }
    expect(errors.join("\n")).toMatch(/totalSteps 150 is not a multiple of the batch \(numEnvs \* numSteps = 64\); training 128 steps/);
    const manifest = JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8"));
    expect(manifest.global_step).toBe(128);
    expect(manifest.planned_steps).toBe(128);
    expect(manifest.total_steps_rounded_down).toBe(true);
  });

  it("warns when a resume runs on another backend than the checkpoint's", async () => {
    const dir = tmp();
    const file = join(dir, "be.json");
    writeFileSync(file, JSON.stringify({ ...config, experiment: "be", totalSteps: 128 }));
    const models = join(dir, "models");
    expect(await main(["train", file, "--out", join(dir, "a"), "--models-root", models])).toBe(0);
    const [run] = readdirSync(join(models, "be"));
    const runDir = join(models, "be", run);
    const last = readdirSync(runDir).sort().at(-1)!;
    const ckptFile = join(runDir, last, "checkpoint.json");
    const ckpt = JSON.parse(readFileSync(ckptFile, "utf8"));
    expect(ckpt.backend).toBe("cpu");
    expect(ckpt.totalSteps).toBeUndefined();
    writeFileSync(ckptFile, JSON.stringify({ ...ckpt, backend: "wasm" })); // pretend it was trained on wasm
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(String(m));
    try {
      expect(await main(["train", file, "--out", join(dir, "b"), "--resume", runDir])).toBe(0);
    } finally {
      console.error = orig;
    }
    expect(errors.join("\n")).toMatch(/trained on the wasm backend, resuming on cpu/);
    expect(JSON.parse(readFileSync(join(dir, "b", "manifest.json"), "utf8")).resume_backend_change).toEqual({ from: "wasm", to: "cpu" });
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "stops cleanly on %s after saving a checkpoint",
    async (signal, exitCode) => {
      const dir = tmp();
      const file = join(dir, "long.json");
      writeFileSync(file, JSON.stringify({ ...config, experiment: "long", totalSteps: 10_000_000, checkpointEvery: 1000 }));
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli.ts", "train", file, "--out", join(dir, "out"), "--models-root", join(dir, "models")],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let err = "";
      child.stderr.on("data", (d) => {
        err += String(d);
      });
      // Wait for the first progress line, then interrupt.
      await new Promise<void>((res) => {
        const t = setInterval(() => {
          if (/train: step/.test(err)) {
            clearInterval(t);
            res();
          }
        }, 100);
      });
      child.kill(signal);
      const code = await new Promise<number | null>((res) => child.on("exit", res));
      expect(code).toBe(exitCode);
      expect(err).toContain(`train: ${signal}: stopping after this update`);
      const curve = readFileSync(join(dir, "out", "learning_curve.csv"), "utf8")
        .trim()
        .split("\n");
      expect(curve.length).toBeGreaterThan(1);
      const [run] = readdirSync(join(dir, "models", "long"));
      const ckpts = readdirSync(join(dir, "models", "long", run));
      expect(ckpts.filter((c) => c.startsWith("step-"))).toHaveLength(1);
      expect(ckpts.some((c) => c.startsWith(".tmp"))).toBe(false);
      expect(readdirSync(join(dir, "models", "long")).filter((f) => f.endsWith(".lock"))).toEqual([]); // lock released
      expect(JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8")).status).toBe("interrupted");
    },
    60_000,
  );
});
