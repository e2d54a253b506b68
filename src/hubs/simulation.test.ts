import { describe, expect, it } from "vitest";
import { resolveHubsConfig } from "./config.js";
import { MemoryLedger } from "./ledger.js";
import { negotiateMoney } from "./negotiation.js";
import { ReviewQueue } from "./review.js";
import { HubSimulation, truthfulAction } from "./simulation.js";
import { tinyConfig } from "./test-fixtures.js";

function cfgWith(mutate: (raw: any) => void) {
  const raw = JSON.parse(JSON.stringify(tinyConfig().raw));
  mutate(raw);
  return resolveHubsConfig(raw);
}

function runAll(sim: HubSimulation) {
  while (!sim.done) sim.runPeriod();
  return sim;
}

describe("HubSimulation", () => {
  it("Vickrey rounds: lots go from the low-value hub to the high-value hub at the second price (hand computed)", () => {
    // low values a chip at 2 (margin 1 + delay 1), high at 20; chips lot 10. Only two hubs: the second bid is
    // absent, so the winner pays the seller's reserve 10 * 2 = 20 per lot. high lacks 50 chips -> 5 lots.
    const cfg = cfgWith((r) => {
      r.periods = 1;
      r.mechanism = { kind: "sequential-second-price" };
    });
    const ledger = new MemoryLedger();
    const sim = runAll(new HubSimulation(cfg, { ledger }));
    const ex = sim.trades.filter((t) => t.status === "executed");
    expect(ex).toHaveLength(5);
    for (const t of ex)
      expect(t).toMatchObject({
        mechanism: "sequential-second-price",
        seller: "low",
        buyer: "high",
        resource: "chips",
        quantity: 10,
        money: 20,
        pricePerUnit: 2,
      });
    const [low, high] = sim.results[0];
    expect(low.moneyNet).toBe(100);
    expect(high.moneyNet).toBe(-100);
    expect(high.production[0]).toBe(100);
    expect(ledger.records.filter((r) => r.type === "trade")).toHaveLength(5);
  });

  it("a third bidder sets the Vickrey price", () => {
    const cfg = cfgWith((r) => {
      r.periods = 1;
      r.mechanism = { kind: "sequential-second-price", maxRounds: 1 };
      r.hubs.push({
        id: "mid",
        supply: { chips: 0, labour: 100, energy: 100 },
        products: [{ id: "m", marginPerUnit: 3, delayCostPerHour: 20, unitsPerHour: 10, demandPerPeriod: 10, needs: { chips: 1 } }],
      });
    });
    const sim = new HubSimulation(cfg);
    sim.runPeriod();
    // Round 1: seller low (reserve 20 per lot); bids: high 200, mid 10 * (3 + 2) = 50 -> high pays 50.
    const first = sim.trades[0];
    expect(first).toMatchObject({ seller: "low", buyer: "high", money: 50 });
  });

  it("trades never break a hard constraint: storage capacity caps what the buyer receives", () => {
    const cfg = cfgWith((r) => {
      r.periods = 1;
      r.hubs[1].storageCapacity = 72;
    });
    const sim = runAll(new HubSimulation(cfg));
    expect(sim.results[0][1].holdings[0]).toBeLessThanOrEqual(72);
    expect(sim.results[0][1].holdings[0]).toBe(70); // two lots of 10
  });

  it("holds outlier trades for review instead of executing them; rejects them after T unreviewed periods", () => {
    const cfg = cfgWith((r) => {
      r.periods = 4;
      r.mechanism = { kind: "sequential-second-price", maxRounds: 1 };
      r.review = {
        k: 2,
        minHistory: 3,
        unreviewed: { rejectAfter: 2 },
        history: { chips: { prices: [0.5, 0.6, 0.55, 0.5], quantities: [10, 10, 10, 10] } },
      };
    });
    const ledger = new MemoryLedger();
    const queue = new ReviewQueue(undefined, { ledger });
    const sim = runAll(new HubSimulation(cfg, { queue, ledger }));
    expect(sim.trades.filter((t) => t.status === "executed")).toHaveLength(0);
    const held = sim.trades.filter((t) => t.status === "queued");
    expect(held.length).toBe(4); // one per period, each hub pair blocked for the rest of its period
    expect(queue.get(held[0].id)).toMatchObject({ status: "rejected", decidedBy: "policy" });
    expect(queue.get(held[0].id)!.reason).toMatch(/unit price 2 is .* sd from the mean/);
    expect(queue.list("pending").map((i) => i.period)).toEqual([2, 3]);
    // The audit ledger has every held trade and every policy decision, in order.
    expect(ledger.records.map((r) => `${r.type}:${r.id}:${r.status ?? r.decision}`)).toEqual([
      `trade:${held[0].id}:queued`,
      `trade:${held[1].id}:queued`,
      `review_decision:${held[0].id}:rejected`,
      `trade:${held[2].id}:queued`,
      `review_decision:${held[1].id}:rejected`,
      `trade:${held[3].id}:queued`,
    ]);
  });

  it("the hold policy keeps items pending, and an approved item executes next period", () => {
    const cfg = cfgWith((r) => {
      r.periods = 3;
      r.mechanism = { kind: "sequential-second-price", maxRounds: 1 };
      r.review = { k: 2, minHistory: 3, unreviewed: "hold", history: { chips: { prices: [0.5, 0.6, 0.55], quantities: [10, 10, 10] } } };
    });
    const queue = new ReviewQueue();
    const sim = new HubSimulation(cfg, { queue });
    sim.runPeriod();
    const id = queue.list("pending")[0].id;
    queue.decide(id, "approved", "test", 1);
    sim.runPeriod();
    expect(queue.get(id)!.status).toBe("executed");
    const ex = sim.trades.filter((t) => t.status === "executed");
    expect(ex[0]).toMatchObject({ mechanism: "review", period: 1, money: 20, seller: "low", buyer: "high" });
    // Without any review, "hold" keeps every held trade pending to the end (never rejected by policy).
    const q2 = new ReviewQueue();
    runAll(new HubSimulation(cfg, { queue: q2 }));
    expect(q2.list("pending").map((i) => i.period)).toEqual([0, 1, 2]);
    expect(q2.list("rejected")).toHaveLength(0);
  });

  it("approved items: unknown hubs lapse (no crash); a priority deal approved in the last period lapses; credits expire within the episode and pay their fallback", () => {
    const priorityTrade = (id: string, creditExpires: number) => ({
      id,
      period: 0,
      round: 0,
      mechanism: "bilateral",
      resource: "chips",
      quantity: 10,
      seller: "low",
      buyer: "high",
      payment: "priority",
      pricePerUnit: 1,
      money: 0,
      creditResource: "labour",
      creditQuantity: 5,
      creditPeriod: 1,
      creditExpires,
      sellerLoss: 20,
      buyerGain: 200,
      status: "queued",
      note: "",
    });
    const approve = (queue: ReviewQueue, trade: Record<string, unknown>) => {
      queue.add({ id: String(trade.id), period: 0, reason: "test", trade });
      queue.decide(String(trade.id), "approved", "test", 0);
    };
    const cfg = cfgWith((r) => {
      r.periods = 3;
      r.mechanism = { kind: "sequential-second-price", maxRounds: 1, creditFallbackPrice: 7 };
    });
    // An item naming a hub the config does not have lapses.
    const queue = new ReviewQueue();
    approve(queue, { ...priorityTrade("X", 2), buyer: "nobody" });
    const ledger = new MemoryLedger();
    const sim = new HubSimulation(cfg, { queue, ledger });
    sim.runPeriod();
    expect(queue.get("X")).toMatchObject({ status: "lapsed", note: 'not executable: unknown hub "nobody"' });
    // Approved in period 1 with a stale expiry beyond the episode (9): clamped to the last period (2), where the 5
    // unredeemed labour units (low never needs more labour) pay the fallback 5 x 7 to low.
    approve(queue, priorityTrade("Y", 9));
    sim.runPeriod();
    expect(queue.get("Y")!.status).toBe("executed");
    expect(sim.credits).toHaveLength(1);
    expect(sim.credits[0]).toMatchObject({ issuedAt: 1, expires: 2, quantity: 5 });
    // Approved in the last period: no period is left to redeem the credit in.
    approve(queue, priorityTrade("Z", 2));
    sim.runPeriod();
    expect(queue.get("Z")).toMatchObject({ status: "lapsed" });
    expect(queue.get("Z")!.note).toMatch(/last period/);
    const expiry = ledger.records.filter((r) => r.type === "credit_expiry");
    expect(expiry).toEqual([expect.objectContaining({ period: 2, holder: "low", issuer: "high", unredeemed: 5, fallback_paid: 35 })]);
  });

  it("escalation: a maximum price below the seller's reservation blocks the deal and queues it for review", () => {
    const cfg = cfgWith((r) => {
      r.periods = 1;
      r.mechanism = { kind: "bilateral", payment: "money", escalation: "review" };
      r.resources[0].maxPricePerUnit = 1; // low's reservation is 2 per chip
    });
    const queue = new ReviewQueue();
    const ledger = new MemoryLedger();
    const sim = runAll(new HubSimulation(cfg, { queue, ledger }));
    expect(sim.trades).toHaveLength(1);
    expect(sim.trades[0]).toMatchObject({ status: "queued", pricePerUnit: 2 });
    expect(ledger.records).toEqual([expect.objectContaining({ type: "trade", id: sim.trades[0].id, status: "queued" })]);
    // escalation "drop": the dropped deal is in the ledger too
    const dropLedger = new MemoryLedger();
    const dropped = runAll(
      new HubSimulation(
        cfgWith((r) => {
          r.periods = 1;
          r.mechanism = { kind: "bilateral", payment: "money", escalation: "drop" };
          r.resources[0].maxPricePerUnit = 1;
        }),
        { ledger: dropLedger },
      ),
    );
    expect(dropped.trades.map((t) => t.status)).toEqual(["dropped"]);
    expect(dropLedger.records).toEqual([expect.objectContaining({ type: "trade", status: "dropped" })]);
    expect(queue.list("pending")[0].reason).toMatch(/escalation: seller's reservation 2\/unit above the maximum price 1/);
    const planner = runAll(
      new HubSimulation(
        cfgWith((r) => {
          r.periods = 1;
          r.mechanism = { kind: "bilateral", payment: "money", escalation: "planner" };
          r.resources[0].maxPricePerUnit = 1;
        }),
      ),
    );
    expect(planner.trades.filter((t) => t.mechanism === "planner" && t.status === "executed")).toHaveLength(5);
  });

  it("a pair blocked for review does not shut the buyer out: it buys from the next seller (Vickrey and bilateral)", () => {
    // Two sellers: low values a chip at 2 (reserve 20 a lot), low2 at 3 (reserve 30). high lacks 50 chips. Every
    // unit price but p2 (low2's price) is an outlier against a history of p2 only, so low -> high is held for
    // review; high must then buy its 5 lots from low2 instead of trading nothing.
    const low2 = {
      id: "low2",
      supply: { chips: 100, labour: 100, energy: 100 },
      products: [{ id: "p2", marginPerUnit: 2, delayCostPerHour: 10, unitsPerHour: 10, needs: { chips: 1, labour: 0.5, energy: 0.1 } }],
    };
    const cases: [string, Record<string, unknown>, number][] = [
      ["sequential-second-price", { kind: "sequential-second-price" }, 3], // two-bidder auctions: high pays the seller's reserve 30 per lot
      [
        "bilateral",
        { kind: "bilateral", payment: "money" },
        negotiateMoney({ sellerReserve: 3, buyerReserve: 20, maxPrice: Infinity, steps: 5 }).value,
      ],
    ];
    for (const [name, mechanism, p2] of cases) {
      const cfg = cfgWith((r) => {
        r.periods = 1;
        r.hubs.push(low2);
        r.mechanism = mechanism;
        r.review = { k: 2, minHistory: 3, unreviewed: "hold", history: { chips: { prices: [p2, p2, p2], quantities: [10, 10, 10] } } };
      });
      const queue = new ReviewQueue();
      const sim = runAll(new HubSimulation(cfg, { queue }));
      // (low2, short after its sale, also tries to buy back from low at 2: held too.)
      const held = sim.trades.filter((t) => t.status === "queued" && t.buyer === "high");
      expect(held, name).toHaveLength(1);
      expect(held[0], name).toMatchObject({ seller: "low", buyer: "high" });
      const ex = sim.trades.filter((t) => t.status === "executed");
      expect(ex, name).toHaveLength(5);
      for (const t of ex) expect(t, name).toMatchObject({ seller: "low2", buyer: "high", quantity: 10 });
      expect(ex[0].pricePerUnit, name).toBeCloseTo(p2, 12);
      expect(sim.results[0][1].production[0], name).toBe(100);
    }
  });

  it("shadow mode proposes trades and executes none", () => {
    const cfg = cfgWith((r) => {
      r.shadow = true;
    });
    const ledger = new MemoryLedger();
    const sim = runAll(new HubSimulation(cfg, { ledger }));
    const base = runAll(new HubSimulation(cfg, { trade: false }));
    expect(sim.trades.length).toBeGreaterThan(0);
    expect(sim.trades.every((t) => t.status === "shadow")).toBe(true);
    expect(sim.results.map((p) => p.map((r) => r.reward))).toEqual(base.results.map((p) => p.map((r) => r.reward)));
    expect(ledger.records.every((r) => r.status === "shadow")).toBe(true);
  });

  it("shadow mode never queues for review and never executes approved items", () => {
    // Every unit price but 3 is an outlier: a live run holds low -> high (price 2) for review.
    const review = { k: 2, minHistory: 3, unreviewed: "hold", history: { chips: { prices: [3, 3, 3], quantities: [10, 10, 10] } } };
    const live = cfgWith((r) => {
      r.periods = 2;
      r.mechanism = { kind: "sequential-second-price", maxRounds: 1 };
      r.review = review;
    });
    const queue = new ReviewQueue();
    const sim = new HubSimulation(live, { queue });
    sim.runPeriod();
    const id = queue.list("pending")[0].id;
    queue.decide(id, "approved", "test", 1);
    // A shadow run with the same queue (an approved item in it) executes nothing and queues nothing.
    const ledger = new MemoryLedger();
    const shadow = runAll(new HubSimulation(live, { queue, ledger, shadow: true }));
    expect(queue.list().map((i) => [i.id, i.status])).toEqual([[id, "approved"]]);
    expect(shadow.trades.length).toBeGreaterThan(0);
    expect(shadow.trades.every((t) => t.status === "shadow")).toBe(true);
    expect(shadow.trades[0].note).toMatch(/would be held for review: unit price 2/);
    const base = runAll(new HubSimulation(live, { trade: false }));
    expect(shadow.results.map((p) => p.map((r) => r.reward))).toEqual(base.results.map((p) => p.map((r) => r.reward)));
    // and escalations to review are shadow records, not queue items
    const esc = runAll(
      new HubSimulation(
        cfgWith((r) => {
          r.periods = 1;
          r.shadow = true;
          r.mechanism = { kind: "bilateral", payment: "money", escalation: "review" };
          r.resources[0].maxPricePerUnit = 1;
        }),
        { queue: new ReviewQueue() },
      ),
    );
    expect(esc.opts.queue!.list()).toHaveLength(0);
    expect(esc.trades).toHaveLength(1);
    expect(esc.trades[0]).toMatchObject({ status: "shadow" });
    expect(esc.trades[0].note).toMatch(/would be queued for human review/);
    // the live run executes the approved item next period
    sim.runPeriod();
    expect(queue.get(id)!.status).toBe("executed");
  });

  it("is deterministic for a seed, and shaded bids change the outcome", () => {
    const cfg = cfgWith((r) => {
      r.periods = 6;
      r.shortages = { generator: { rate: 0.6 } };
    });
    const a = runAll(new HubSimulation(cfg, { seed: 3 }));
    const b = runAll(new HubSimulation(cfg, { seed: 3 }));
    expect(JSON.stringify(a.trades)).toBe(JSON.stringify(b.trades));
    expect(a.events.length).toBeGreaterThan(0);
    const shaded = new HubSimulation(cfgWith((r) => (r.periods = 1)));
    const act = [truthfulAction(3), { bidScale: [0.05, 1, 1], askScale: [1, 1, 1] }];
    shaded.runPeriod(act);
    expect(shaded.trades.filter((t) => t.status === "executed")).toHaveLength(0); // high's bid 10 < low's reserve 20
  });
});
