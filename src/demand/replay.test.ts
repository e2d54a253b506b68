import { describe, expect, it } from "vitest";
import { DemandCsvError, parseDemandCsv, readDemandCsv } from "./replay.js";

describe("parseDemandCsv", () => {
  it("reads a period column and one column per good", () => {
    const h = parseDemandCsv("period,g0,g1\n1,100,90\n2,110,95.5\n", { goods: 2 });
    expect(h.columns).toEqual(["g0", "g1"]);
    expect(h.values).toEqual([
      [100, 90],
      [110, 95.5],
    ]);
    expect(h.periods).toEqual([1, 2]);
  });
  it("chooses and orders columns", () => {
    const h = parseDemandCsv("a,b\n1,2\n", { columns: ["b", "a"] });
    expect(h.values).toEqual([[2, 1]]);
  });

  const bad: [string, string, object, RegExp][] = [
    ["empty", "", {}, /is empty/],
    ["header only", "g0\n", {}, /no data rows/],
    ["missing column", "g0\n1\n", { columns: ["g1"] }, /column "g1" not found; the header has: g0/],
    ["not a number", "g0,g1\n1,2\n3,abc\n", {}, /data row 2 \(line 3\), column "g1": "abc" is not a number/],
    ["missing value", "g0,g1\n1,2\n3\n", {}, /data row 2 \(line 3\), column "g1": missing value/],
    ["non-positive", "g0\n1\n0\n", {}, /demand scale must be positive, got 0/],
    ["gap in periods", "period,g0\n1,5\n3,5\n", {}, /periods must be consecutive; 1 is followed by 3/],
    ["bad period", "period,g0\n1.5,5\n", {}, /column "period": expected an integer/],
    ["wrong number of goods", "g0,g1\n1,2\n", { goods: 3 }, /has 2 demand column\(s\) \(g0, g1\); the market has 3 final good/],
    ["too short", "g0\n1\n2\n", { minRows: 5 }, /has 2 data row\(s\); needs at least 5/],
    ["no demand column", "period\n1\n", {}, /has no demand column/],
  ];
  for (const [name, text, opts, pattern] of bad) {
    it(`rejects: ${name}`, () => {
      let err: unknown;
      try {
        parseDemandCsv(text, { ...opts, file: "hist.csv" });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DemandCsvError);
      expect((err as Error).message).toMatch(/^hist.csv: /);
      expect((err as Error).message).toMatch(pattern);
    });
  }
  it("a missing file is a DemandCsvError", () => {
    expect(() => readDemandCsv("/nonexistent/demand.csv")).toThrow(/cannot read the file \(ENOENT\)/);
  });
});
