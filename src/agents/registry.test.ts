import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Box } from "../core/spaces.js";
import { RegistrationError } from "../io/errors.js";
import "./index.js";
import { createStrategy, getStrategy, registerStrategy, strategyIssues, strategyNames } from "./registry.js";

const marketSpace = new Box([0, 0, 0, 0], [2, 2, 1, 1]);
const ctx = {
  agent: "A[1][1]",
  envId: "MarketBiddingParallel-v0",
  actionSpace: marketSpace,
  observationSpace: new Box(0, 1, [1]),
  seed: 1,
};

describe("strategy registry", () => {
  it("lists the built-ins per env and refuses a taken or invalid name", () => {
    expect(strategyNames("MarketBiddingParallel-v0")).toEqual(expect.arrayContaining(["scaled", "truthful"]));
    expect(strategyNames("HubTrading-v0")).toContain("truthful");
    expect(strategyNames("HubTrading-v0")).not.toContain("scaled");
    expect(() => registerStrategy("truthful", () => ({ act: () => 0 }))).toThrow(RegistrationError);
    expect(() => registerStrategy("truthful", () => ({ act: () => 0 }))).toThrow(/"truthful" is already registered/);
    expect(() => registerStrategy("has space", () => ({ act: () => 0 }))).toThrow(/must start with a letter or digit/);
    expect(getStrategy("nope")).toBeUndefined();
  });

  it("truthful: demand scale 1 and nothing withheld in the market, scale 1 for hubs", () => {
    expect(createStrategy("truthful", ctx).act([0])).toEqual([1, 1, 0, 0]);
    expect(createStrategy("truthful", { ...ctx, envId: "HubTrading-v0", actionSpace: new Box(0, 2, [4]) }).act([0])).toEqual([1, 1, 1, 1]);
  });

  it("scaled: numbers or per-good arrays, defaults filled, bad options name the JSON path", () => {
    expect(createStrategy({ name: "scaled", options: { demandScale: 0.8 } }, ctx).act([0])).toEqual([0.8, 0.8, 0, 0]);
    expect(createStrategy({ name: "scaled", options: { demandScale: [0.8, 1.2], withhold: 0.1 } }, ctx).act([0])).toEqual([
      0.8, 1.2, 0.1, 0.1,
    ]);
    expect(() => createStrategy({ name: "scaled", options: { demandScale: [0.8, 1.2, 1] } }, ctx)).toThrow(/3 values for 2 goods/);
    const path = "conditions[2].strategies.A[1][1]";
    expect(strategyIssues({ name: "scaled", options: { demandScale: 3 } }, ctx.envId, path).issues).toEqual([
      { path: `${path}.options.demandScale`, message: "must be <= 2" },
    ]);
    expect(strategyIssues({ name: "scaled", options: { demandScal: 1 } }, ctx.envId, path).issues).toEqual([
      { path: `${path}.options.demandScal`, message: "unknown key" },
    ]);
    expect(strategyIssues("nope", ctx.envId, path).issues[0]).toMatchObject({
      path,
      message: expect.stringMatching(/unknown strategy "nope"; registered for MarketBiddingParallel-v0: .*scaled/),
    });
    expect(strategyIssues("scaled", "HubTrading-v0", path).issues[0].message).toMatch(
      /applies to MarketBidding-v0, MarketBiddingParallel-v0, not HubTrading-v0/,
    );
    expect(strategyIssues({ name: "truthful", options: { x: 1 } }, ctx.envId, path).issues[0]).toEqual({
      path: `${path}.options`,
      message: 'strategy "truthful" takes no options',
    });
  });

  it("a registered strategy gets its validated options and the context", () => {
    registerStrategy("test-constant", (c) => ({ act: () => [c.options.level as number, c.seed] }), {
      description: "test",
      options: z.strictObject({ level: z.number().default(0.5) }),
    });
    expect(createStrategy("test-constant", ctx).act(null)).toEqual([0.5, 1]);
    expect(createStrategy({ name: "test-constant", options: { level: 2 } }, ctx).act(null)).toEqual([2, 1]);
  });
});
