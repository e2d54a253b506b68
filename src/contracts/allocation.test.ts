import { describe, expect, it } from "vitest";
import { allocateByQuotes, allocateNormalFirst, checkQuantityEfficiency } from "./allocation.js";

// The paper setting: CN, CM and the round-1 quotes (overtime cost x 1.5).
const CN = [40, 30, 25];
const CM = [60, 50, 40];
const QUOTES = [21, 19.5, 22.5];
const ALL = [1, 1, 1];

describe("allocation and checkQuantityEfficiency()", () => {
  it("by cheapest quote up to CM buys overtime while normal capacity idles", () => {
    const a = allocateByQuotes(120, CM, QUOTES, ALL);
    expect(Array.from(a)).toEqual([60, 50, 10]);
    const revised = new Float64Array(3);
    const check = checkQuantityEfficiency(a, 120, CN, CM, QUOTES, ALL, revised);
    expect(check).toEqual({
      efficient: false,
      capacityViolated: false,
      totalViolated: false,
      normalFirstViolated: true,
      overtimeOrderViolated: false,
    });
    // normal first (95), then 25 overtime by quote: S2 20, S1 5
    expect(Array.from(revised)).toEqual([45, 50, 25]);
  });

  it("passes the normal-first allocation and keeps it", () => {
    const a = allocateNormalFirst(120, CN, CM, QUOTES, ALL);
    const revised = new Float64Array(3);
    expect(checkQuantityEfficiency(a, 120, CN, CM, QUOTES, ALL, revised).efficient).toBe(true);
    expect(Array.from(revised)).toEqual([45, 50, 25]);
  });

  it("detects overtime bought at a dearer quote while a cheaper one has room", () => {
    // all normal used; overtime 25 given to S3 (quote 22.5) 15 and S1 10, while S2 (19.5) has 20 room
    const check = checkQuantityEfficiency([50, 30, 40], 120, CN, CM, QUOTES, ALL);
    expect(check.overtimeOrderViolated).toBe(true);
    expect(check.normalFirstViolated).toBe(false);
  });

  it("detects capacity and total violations, and skips unavailable subcontractors", () => {
    expect(checkQuantityEfficiency([70, 30, 20], 120, CN, CM, QUOTES, ALL).capacityViolated).toBe(true);
    expect(checkQuantityEfficiency([40, 30, 25], 120, CN, CM, QUOTES, ALL).totalViolated).toBe(true);
    // S3 refused: 120 from S1 and S2 alone is only 110, all of it
    const avail = [1, 1, 0];
    const a = allocateNormalFirst(120, CN, CM, QUOTES, avail);
    expect(Array.from(a)).toEqual([60, 50, 0]);
    expect(checkQuantityEfficiency(a, 120, CN, CM, QUOTES, avail).efficient).toBe(true);
    expect(checkQuantityEfficiency([55, 50, 5], 110, CN, CM, QUOTES, avail).capacityViolated).toBe(true);
  });
});
