import { describe, expect, it } from "vitest";
import { buyerOffer, concession, sellerPrice, titForTatPrice } from "./tactics.js";

describe("Faratin tactics", () => {
  it("time-dependent concession: linear, Boulware, Conceder at half time", () => {
    expect(concession(5, 10, 1)).toBe(0.5);
    expect(concession(5, 10, 0.2)).toBeCloseTo(0.03125, 12); // 0.5^5
    expect(concession(5, 10, 5)).toBeCloseTo(Math.pow(0.5, 0.2), 12); // 0.8706
    expect(concession(0, 10, 1, 0.1)).toBe(0.1);
    expect(concession(5, 10, 1, 0.1)).toBeCloseTo(0.55, 12);
    expect(concession(10, 10, 0.2)).toBe(1);
    expect(concession(12, 10, 5)).toBe(1);
    expect(concession(0, 0, 1)).toBe(1);
  });

  it("seller and buyer move between opening and reservation", () => {
    expect(sellerPrice(10, 15, 0)).toBe(15);
    expect(sellerPrice(10, 15, 1)).toBe(10);
    expect(sellerPrice(10, 15, 0.4)).toBe(13);
    expect(buyerOffer(8, 20, 0.25)).toBe(11);
  });

  it("relative tit-for-tat mirrors the buyer's step and stays within bounds", () => {
    // buyer went 10 -> 12.5 (+25%): seller 20 -> 16
    expect(titForTatPrice(20, 10, 12.5, 10, 30)).toBe(16);
    expect(titForTatPrice(20, 10, 40, 12, 30)).toBe(12);
    expect(titForTatPrice(20, 10, 5, 12, 30)).toBe(30);
    expect(titForTatPrice(20, NaN, 5, 12, 30)).toBe(20);
    expect(titForTatPrice(20, 0, 5, 12, 30)).toBe(20);
  });
});
