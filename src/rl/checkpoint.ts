import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, writeFileDurable } from "../io/atomic.js";
import { hostTag, sweepStale } from "../io/lock.js";
import type { AgentCurveRow } from "./curve-points.js";
import type { CurveRow, LearnerState } from "./on-policy.js";
import { checkFormat, readJsonFile } from "../io/config.js";

/** What a checkpoint holds: the training config, the learner's whole state and the curve so far. */
export interface Checkpoint {
  format: "supplygym-checkpoint";
  version: 1;
  /** The validated training config (as in the experiment file). */
  config: unknown;
  /** The TensorFlow.js backend that trained up to here (a resume on another one warns: curves then differ slightly). */
  backend: string;
  /** Weights, optimiser moments and step, normalisation statistics, RNG states, env states, episode window. */
  learner: LearnerState;
  /** Rows of learning_curve.csv up to here (the curve position is `curve.length`). */
  curve: CurveRow[];
  /** The learning rate of each update of `curve` (for the live log of a resumed run). Absent in older checkpoints. */
  learningRates?: number[];
  /** Independent learners: rows of agent_curves.csv up to here (one per update and agent). Absent in older checkpoints. */
  agentCurve?: AgentCurveRow[];
  createdAt: string;
}

const PREFIX = "step-";

/**
 * Write `<dir>/step-<globalStep>/` with `checkpoint.json` and `policy.json`, first into a hidden temp folder that
 * is renamed into place, so a kill never leaves a half-written checkpoint (a leftover temp folder is ignored
 * and removed by the next save). Keeps the `keep` most recent checkpoints. Returns the checkpoint's folder.
 */
export function saveCheckpoint(dir: string, ckpt: Checkpoint, policyJson: unknown, keep = 3): string {
  mkdirSync(dir, { recursive: true });
  sweepStale(dir); // temp folders of dead trainers (a live one's is never touched)
  const name = `${PREFIX}${String(ckpt.learner.globalStep).padStart(10, "0")}`;
  const tmp = join(dir, `.tmp-${name}-${process.pid}-${hostTag()}`);
  const target = join(dir, name);
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    // Each file is fsynced before the folder is renamed into place; a failed write (disk full) removes the temp
    // folder and leaves every earlier checkpoint as it was.
    writeFileDurable(join(tmp, "checkpoint.json"), JSON.stringify(ckpt));
    writeFileDurable(join(tmp, "policy.json"), JSON.stringify(policyJson));
    fsyncDir(tmp);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
    fsyncDir(dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(join(dir, old), { recursive: true, force: true });
  return target;
}

/** Checkpoint folder names in `dir`, oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(PREFIX) && existsSync(join(dir, f, "checkpoint.json")))
    .sort();
}

/**
 * Load the most recent checkpoint in `dir`, or undefined when there is none. Unreadable JSON or another format is
 * a UsageError starting with the file's path.
 */
export function loadLatestCheckpoint(dir: string): { path: string; checkpoint: Checkpoint } | undefined {
  const all = listCheckpoints(dir);
  if (all.length === 0) return undefined;
  const path = join(dir, all[all.length - 1]);
  const file = join(path, "checkpoint.json");
  const json = readJsonFile(file);
  checkFormat(json, file, "supplygym-checkpoint", 1);
  return { path, checkpoint: json as Checkpoint };
}
