import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { main } from "../../src/cli.js";

const strip = (csv: string) =>
  csv
    .trim()
    .split("\n")
    .map((l) => l.split(",").slice(0, -1).join(","));

it("two runs with the same seed and backend write identical learning curves (apart from steps_per_second)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sg-det-"));
  const file = join(dir, "det.json");
  writeFileSync(file, JSON.stringify({ env: "CartPole-v1", algorithm: "ppo", totalSteps: 20480, seed: 7, checkpointEvery: 100 }));
  const curves: string[][] = [];
  for (const run of ["a", "b"]) {
    expect(await main(["train", file, "--out", join(dir, run), "--models-root", join(dir, "models")])).toBe(0);
    curves.push(strip(readFileSync(join(dir, run, "learning_curve.csv"), "utf8")));
  }
  expect(curves[0]).toHaveLength(41);
  expect(curves[1]).toEqual(curves[0]);
  // The curve actually moves (a test that cannot fail on constant output would be worthless).
  expect(new Set(curves[0].slice(1).map((l) => l.split(",")[1])).size).toBeGreaterThan(5);
});
