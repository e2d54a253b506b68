import { resolveHubsConfig, type HubsConfigInput, type ResolvedHubsConfig } from "./config.js";

/** A small two-resource, two-hub config for tests; `patch` overrides top-level fields. */
export function tinyConfig(patch: Partial<HubsConfigInput> = {}): ResolvedHubsConfig {
  const input: HubsConfigInput = {
    name: "tiny",
    periods: 3,
    hoursPerPeriod: 10,
    resources: [
      { id: "chips", kind: "components", lot: 10 },
      { id: "labour", kind: "labour", lot: 5 },
      { id: "energy", kind: "energy", lot: 1 },
    ],
    hubs: [
      {
        id: "low",
        supply: { chips: 100, labour: 100, energy: 100 },
        products: [{ id: "p", marginPerUnit: 1, delayCostPerHour: 10, unitsPerHour: 10, needs: { chips: 1, labour: 0.5, energy: 0.1 } }],
      },
      {
        id: "high",
        supply: { chips: 50, labour: 100, energy: 100 },
        products: [{ id: "q", marginPerUnit: 10, delayCostPerHour: 100, unitsPerHour: 10, needs: { chips: 1, labour: 0.5, energy: 0.1 } }],
      },
    ],
    ...patch,
  };
  return resolveHubsConfig(input, "tiny.json");
}
