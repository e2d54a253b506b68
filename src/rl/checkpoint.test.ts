import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listCheckpoints, loadLatestCheckpoint, saveCheckpoint, type Checkpoint } from "./checkpoint.js";

const ckpt = (step: number): Checkpoint =>
  ({
    format: "supplygym-checkpoint",
    version: 1,
    config: {},
    backend: "cpu",
    learner: { globalStep: step } as Checkpoint["learner"],
    curve: [],
    createdAt: "",
  }) as Checkpoint;

describe("checkpoints", () => {
  it("ignore a half-written temp folder (a killed save), keep the newest N, load the latest", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-ckpt-"));
    // A save killed half-way leaves only a hidden temp folder with a truncated file.
    mkdirSync(join(dir, ".tmp-step-0000000099-123"));
    writeFileSync(join(dir, ".tmp-step-0000000099-123", "checkpoint.json"), '{"format":"supply');
    expect(loadLatestCheckpoint(dir)).toBeUndefined();
    for (const s of [10, 20, 30, 40]) saveCheckpoint(dir, ckpt(s), {}, 2);
    expect(listCheckpoints(dir)).toEqual(["step-0000000030", "step-0000000040"]);
    expect(readdirSync(dir).some((f) => f.startsWith(".tmp"))).toBe(false);
    expect(loadLatestCheckpoint(dir)?.checkpoint.learner.globalStep).toBe(40);
  });
});
