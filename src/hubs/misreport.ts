import type { ResolvedHubsConfig } from "./config.js";
import { hubValue } from "./production.js";
import { HubSimulation, truthfulAction, type HubAction } from "./simulation.js";

/**
 * Search for profitable misreports in one trading step of the hubs simulator: every hub in turn scales its stated
 * values (bid scale x ask scale over a grid) while the others state the truth, and its utility in that step
 * (true production-plan value of its holdings after minus before, plus money received minus money paid) is
 * compared with its utility when truthful. The step is trading round `round` at the start of period 0, restricted
 * to one resource (`resource` = its index: the misreport is on that resource and the round trades only it) or
 * unrestricted (`resource` = "all": the hub scales its reports on every resource at once and the round trades
 * what the mechanism trades in that round: for VCG one resource, for the others every resource). One round is the
 * scope in which the VCG mechanism is claimed truthful (docs/hubs.md).
 */
export interface MisreportResult {
  /** Largest utility gain of a misreport over truth telling (money), over hubs and grid points. */
  maxGain: number;
  hub: string;
  bidScale: number;
  askScale: number;
  /** Truthful utility of that hub. */
  truthfulUtility: number;
  /** Executed trades in the truthful step, and the most distinct sellers / buyers in it. */
  trades: number;
  sellers: number;
  buyers: number;
  /** Most lots in one executed trade of the truthful step. */
  maxLots: number;
}

export const MISREPORT_GRID: readonly number[] = [0, 0.25, 0.5, 0.8, 1, 1.25, 1.5, 2];

function stepUtilities(
  cfg: ResolvedHubsConfig,
  actions: readonly HubAction[],
  resource: number | "all",
  round: number,
): { utility: number[]; trades: number; sellers: number; buyers: number; maxLots: number } {
  const sim = new HubSimulation(cfg, { seed: cfg.seed });
  const { hubs, resources } = cfg;
  const before = hubs.map((hub, h) => hubValue(hub, resources, 0, sim.holdings[h]));
  sim.tradingRound(actions, round, resource === "all" ? undefined : [resource]);
  const utility = hubs.map((hub, h) => hubValue(hub, resources, 0, sim.holdings[h]) - before[h]);
  const sellers = new Set<string>();
  const buyers = new Set<string>();
  let trades = 0;
  let maxLots = 0;
  for (const t of sim.trades) {
    if (t.status !== "executed") continue;
    trades++;
    maxLots = Math.max(maxLots, Math.round(t.quantity / resources[resources.findIndex((x) => x.id === t.resource)].lot));
    sellers.add(t.seller);
    buyers.add(t.buyer);
    utility[hubs.findIndex((x) => x.id === t.buyer)] -= t.money;
    utility[hubs.findIndex((x) => x.id === t.seller)] += t.money + (t.subsidy ?? 0);
  }
  return { utility, trades, sellers: sellers.size, buyers: buyers.size, maxLots };
}

export function misreportSearch(
  cfg: ResolvedHubsConfig,
  resource: number | "all",
  round = 0,
  grid: readonly number[] = MISREPORT_GRID,
): MisreportResult {
  const R = cfg.resources.length;
  const truth = cfg.hubs.map(() => truthfulAction(R));
  const base = stepUtilities(cfg, truth, resource, round);
  let best: MisreportResult = {
    maxGain: -Infinity,
    hub: "",
    bidScale: 1,
    askScale: 1,
    truthfulUtility: NaN,
    trades: base.trades,
    sellers: base.sellers,
    buyers: base.buyers,
    maxLots: base.maxLots,
  };
  for (let h = 0; h < cfg.hubs.length; h++) {
    for (const b of grid) {
      for (const a of grid) {
        if (b === 1 && a === 1) continue;
        const acts = truth.map((x) => ({ bidScale: [...x.bidScale], askScale: [...x.askScale] }));
        for (let r = 0; r < R; r++) {
          if (resource !== "all" && r !== resource) continue;
          acts[h].bidScale[r] = b;
          acts[h].askScale[r] = a;
        }
        const gain = stepUtilities(cfg, acts, resource, round).utility[h] - base.utility[h];
        if (gain > best.maxGain)
          best = { ...best, maxGain: gain, hub: cfg.hubs[h].id, bidScale: b, askScale: a, truthfulUtility: base.utility[h] };
      }
    }
  }
  return best;
}
