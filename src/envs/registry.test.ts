import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import "./index.js";
import { checkEnv, checkParallelEnv, type CheckEnvOptions } from "../core/check-env.js";
import { make, registeredIds } from "../core/registry.js";
import { isParallelEnv } from "../core/types.js";

// Every registered environment passes the env checker: with its default options, and for the envs whose
// defaults are deterministic by design, also with options that make it stochastic (so the seed check applies).
// A newly registered env is checked with its defaults without any edit here.

/** Envs whose default options have no randomness (checked with { deterministic: true }), and why. */
const DETERMINISTIC_DEFAULTS: Record<string, string> = {
  "ContractNegotiation-v0": "the paper's instance has a fixed demand",
  "ContractNegotiationParallel-v0": "the paper's instance has a fixed demand",
};

const stochasticContracts = (
  JSON.parse(readFileSync(new URL("../../experiments/contracts-stochastic.json", import.meta.url), "utf8")) as {
    env: { options: Record<string, unknown> };
  }
).env.options;

/** Further option sets per env: [label, options]. */
const EXTRA: Record<string, [string, Record<string, unknown>][]> = {
  // With stochastic demand alone, 30 random steps do not show the seed: demand enters only the settled reward of
  // an agreement, which random offers rarely reach. Random instances make the seed visible in the observations.
  "ContractNegotiation-v0": [["stochastic demand, random instances", { ...stochasticContracts, randomInstances: 3 }]],
  "ContractNegotiationParallel-v0": [["stochastic demand, random instances", { ...stochasticContracts, randomInstances: 3 }]],
};

describe("every registered environment passes the env checker", () => {
  const ids = registeredIds();

  it("the registry holds the project's environments", () => {
    for (const id of [
      "CartPole-v1",
      "Pendulum-v1",
      "MarketBidding-v0",
      "MarketBiddingParallel-v0",
      "ContractNegotiation-v0",
      "ContractNegotiationParallel-v0",
      "HubTrading-v0",
    ]) {
      expect(ids).toContain(id);
    }
    for (const id of [...Object.keys(DETERMINISTIC_DEFAULTS), ...Object.keys(EXTRA)])
      expect(ids, `${id} is listed here but not registered`).toContain(id);
  });

  const cases: [string, string, Record<string, unknown>, CheckEnvOptions][] = [];
  for (const id of ids) {
    cases.push([id, "defaults", {}, { deterministic: id in DETERMINISTIC_DEFAULTS }]);
    for (const [label, options] of EXTRA[id] ?? []) cases.push([id, label, options, {}]);
  }
  it.each(cases)("%s (%s)", (id, _label, options, checkOptions) => {
    const env = make(id, options);
    const report = isParallelEnv(env) ? checkParallelEnv(env, checkOptions) : checkEnv(env, checkOptions);
    expect(report.episodeLength).toBeGreaterThan(0);
  });
});
