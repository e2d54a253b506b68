import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseCsv } from "../io/csv.js";
import { ConfigError } from "../io/errors.js";
import { command } from "./forecast.js";

const tmp = mkdtempSync(join(tmpdir(), "supplygym-forecast-"));

function writeConfig(name: string, config: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const base = {
  seed: 3,
  horizon: 2,
  trainPeriods: 40,
  demand: {
    type: "synthetic",
    periods: 60,
    spec: { base: 100, seasonal: { period: 6, amplitude: 0.3 }, ar: { phi: 0.3, sigma: 0.03 } },
    mlpTrainingSeries: 2,
  },
  forecasters: ["naive", "seasonal-naive", "moving-average", "holt-winters", { type: "mlp", epochs: 3, hidden: [4] }],
};

describe("supplygym forecast", () => {
  it("writes the backtest CSV with exactly its columns, a figure and a manifest", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const out = join(tmp, "run1");
    expect(await command.run([writeConfig("ok.json", base), "--out", out])).toBe(0);
    log.mockRestore();
    const text = readFileSync(join(out, "forecast_backtest.csv"), "utf8");
    expect(text.split("\n")[0]).toBe("forecaster,horizon,metric,value");
    const rows = parseCsv(text);
    expect(rows.length).toBe(5 * 2 * 4);
    expect(new Set(rows.map((r) => r.forecaster))).toEqual(new Set(["naive", "seasonal-naive", "moving-average", "holt-winters", "mlp"]));
    expect(rows.every((r) => Number.isFinite(Number(r.value)))).toBe(true);
    expect(readFileSync(join(out, "forecast.svg"), "utf8").startsWith("<svg")).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.config.seed).toBe(3);
    expect(manifest.forecasters).toHaveLength(5);
  });

  it("the same config gives the same numbers", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const file = writeConfig("same.json", { ...base, forecasters: ["naive", "holt-winters"] });
    await command.run([file, "--out", join(tmp, "a")]);
    await command.run([file, "--out", join(tmp, "b")]);
    log.mockRestore();
    expect(readFileSync(join(tmp, "a", "forecast_backtest.csv"), "utf8")).toBe(
      readFileSync(join(tmp, "b", "forecast_backtest.csv"), "utf8"),
    );
  });

  it("replays a CSV relative to the config file", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const lines = ["period,east,west", ...Array.from({ length: 30 }, (_, t) => `${t},${100 + 10 * Math.sin(t)},${50 + t}`)];
    writeFileSync(join(tmp, "hist.csv"), lines.join("\n"));
    const file = writeConfig("csv.json", {
      trainPeriods: 20,
      demand: { type: "csv", file: "hist.csv", column: "west" },
      forecasters: ["naive"],
    });
    expect(await command.run([file, "--out", join(tmp, "csvrun")])).toBe(0);
    log.mockRestore();
    const rows = parseCsv(readFileSync(join(tmp, "csvrun", "forecast_backtest.csv"), "utf8"));
    // West is a +1 ramp: the naive h-step error is exactly h.
    expect(Number(rows.find((r) => r.metric === "mae" && r.horizon === "2")!.value)).toBeCloseTo(2, 12);
  });

  it("bad configs name the JSON path", async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...base, extra: 1 }, /extra: unknown key/],
      [{ ...base, demand: { ...base.demand, spec: { base: -1 } } }, /demand.spec.base: base must be positive/],
      [{ ...base, forecasters: [{ type: "holt-winters", alpha: 2 }] }, /forecasters\[0\]/],
      [{ ...base, trainPeriods: 60 }, /trainPeriods: must be below the series length \(60\)/],
      [
        { ...base, trainPeriods: 20, demand: { type: "csv", file: "hist.csv" }, forecasters: ["holt-winters"] },
        /forecasters\[0\]: holt-winters: needs a season period/,
      ],
    ];
    for (const [i, [config, pattern]] of cases.entries()) {
      const err = await command.run([writeConfig(`bad${i}.json`, config), "--out", join(tmp, `bad${i}`)]).catch((e) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(pattern);
    }
  });
});
