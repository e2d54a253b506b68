import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../src/io/atomic.js";
import { machine } from "../src/io/manifest.js";

/** Write `results/bench/<name>.json` with the figures, the machine and the time of the run. */
export function writeBench(name: string, figures: Record<string, unknown>): string {
  const dir = join("results", "bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileAtomic(
    path,
    JSON.stringify({ name, machine: machine(), node: process.version, measured_at: new Date().toISOString(), ...figures }, null, 2) + "\n",
  );
  console.log(`wrote ${path}`);
  return path;
}

/** Time `fn` over `reps` repetitions after `warmup` ones; returns microseconds per call (median of 5 batches). */
export function timeMicros(fn: () => void, reps: number, warmup = Math.min(reps, 100)): number {
  for (let i = 0; i < warmup; i++) fn();
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    batches.push(Number(process.hrtime.bigint() - t0) / 1000 / reps);
  }
  batches.sort((a, b) => a - b);
  return batches[2];
}

export function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
