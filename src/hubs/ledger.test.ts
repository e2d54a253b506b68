import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileLedger, GENESIS, canonicalJson, chainHash, headPath, verifyLedger } from "./ledger.js";

function makeLedger(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), "ledger-"));
  const path = join(dir, "ledger.jsonl");
  const l = new FileLedger(path);
  for (let i = 0; i < n; i++) l.append({ type: "trade", id: `T${i}`, quantity: 10 + i, price: 0.1 * i, nested: { b: 1, a: [i, "x"] } });
  l.close();
  return path;
}

const lines = (p: string) => readFileSync(p, "utf8").split("\n").filter((s) => s !== "");
const rewrite = (p: string, ls: string[]) => writeFileSync(p, ls.join("\n") + "\n");

describe("canonicalJson", () => {
  it("sorts keys at every depth, drops undefined, rejects non-finite numbers", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: "s" }], c: undefined } })).toBe('{"a":{"d":[1,{"y":"s","z":0}]},"b":1}');
    expect(() => canonicalJson({ x: NaN })).toThrow(/non-finite/);
  });
});

describe("hash-chained ledger", () => {
  it("chains SHA-256 hashes from the genesis hash; an intact ledger verifies with its head", () => {
    const p = makeLedger(5);
    const ls = lines(p).map((l) => JSON.parse(l));
    expect(ls[0].prev).toBe(GENESIS);
    expect(ls[0].hash).toBe(chainHash(GENESIS, 1, ls[0].record));
    expect(ls[1].prev).toBe(ls[0].hash);
    expect(verifyLedger(p)).toEqual({ ok: true, count: 5, head: ls[4].hash, anchored: true });
  });

  it("catches a modified record and names its line", () => {
    const p = makeLedger(5);
    const ls = lines(p);
    ls[2] = ls[2].replace('"quantity":12', '"quantity":13');
    rewrite(p, ls);
    const v = verifyLedger(p);
    expect(v).toMatchObject({ ok: false, badLine: 3, count: 2 });
    expect(v.error).toMatch(/^line 3: hash does not match the record/);
  });

  it("catches a modified record whose hash was recomputed (the next line's prev breaks)", () => {
    const p = makeLedger(5);
    const ls = lines(p).map((l) => JSON.parse(l));
    ls[1].record.quantity = 999;
    ls[1].hash = chainHash(ls[1].prev, 2, ls[1].record);
    rewrite(p, ls.map((e) => canonicalJson(e)));
    expect(verifyLedger(p)).toMatchObject({ ok: false, badLine: 3 });
  });

  it("catches removed, inserted and reordered records", () => {
    const p = makeLedger(5);
    const ls = lines(p);
    rewrite(p, [ls[0], ls[2], ls[3], ls[4]]);
    expect(verifyLedger(p)).toMatchObject({ ok: false, badLine: 2 });
    rewrite(p, [ls[0], ls[1], ls[1], ls[2], ls[3], ls[4]]);
    expect(verifyLedger(p)).toMatchObject({ ok: false, badLine: 3 });
    rewrite(p, [ls[0], ls[2], ls[1], ls[3], ls[4]]);
    expect(verifyLedger(p)).toMatchObject({ ok: false, badLine: 2 });
  });

  it("catches records cut from the end through the head file, and says a ledger without one is unanchored", () => {
    const p = makeLedger(5);
    const ls = lines(p);
    rewrite(p, ls.slice(0, 4));
    const v = verifyLedger(p);
    expect(v).toMatchObject({ ok: false, badLine: 5 });
    expect(v.error).toMatch(/head file records 5/);
    rmSync(headPath(p));
    expect(verifyLedger(p)).toMatchObject({ ok: true, count: 4, anchored: false });
  });

  it("reports a truncated last line (crash mid-append) as such, never as valid", () => {
    const p = makeLedger(3);
    const text = readFileSync(p, "utf8");
    writeFileSync(p, text + '{"hash":"ab');
    const v = verifyLedger(p);
    expect(v).toMatchObject({ ok: false, truncated: true, badLine: 4, count: 3 });
    expect(v.error).toMatch(/truncated last line/);
    // A complete JSON line missing only its newline is incomplete too.
    writeFileSync(p, text.slice(0, -1));
    expect(verifyLedger(p)).toMatchObject({ ok: false, truncated: true, badLine: 3 });
  });

  it("reopening continues the chain; a broken ledger refuses appends", () => {
    const p = makeLedger(2);
    const l = new FileLedger(p);
    l.append({ type: "x" });
    l.close();
    expect(verifyLedger(p)).toMatchObject({ ok: true, count: 3 });
    const ls = lines(p);
    ls[0] = ls[0].replace("T0", "T9");
    rewrite(p, ls);
    expect(() => new FileLedger(p)).toThrow(/broken ledger: line 1/);
  });
});
