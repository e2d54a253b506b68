import { describe, expect, it } from "vitest";
import { MESSAGE_COLUMNS, MessageLog, messageRows, RETAILER, type Message } from "./messages.js";
import { PAPER_CONFIG } from "./paper.js";
import { validateProtocol } from "./protocol.js";
import { runNegotiations } from "./runner.js";
import { toCsv, parseCsv } from "../io/csv.js";

const m = (performative: Message["performative"], conversation: number, round: number, price = 10, quantity = 5): Message => {
  const fromRetailer = performative === "cfp" || performative === "accept-proposal" || performative === "reject-proposal";
  return {
    performative,
    sender: fromRetailer ? RETAILER : conversation,
    receiver: fromRetailer ? conversation : RETAILER,
    conversation,
    round,
    price,
    quantity,
  };
};
const check = (msgs: Message[], deadline = 3) =>
  validateProtocol(MessageLog.from(msgs), { subcontractors: 2, deadline }).map((v) => v.message);

describe("Iterated Contract Net protocol", () => {
  it("accepts a well-formed exchange", () => {
    const ok = [
      m("cfp", 0, 1),
      m("cfp", 1, 1),
      m("propose", 0, 1, 12),
      m("refuse", 1, 1, NaN, NaN),
      m("reject-proposal", 0, 1, 12),
      m("cfp", 0, 2, 11),
      m("propose", 0, 2, 11),
      m("accept-proposal", 0, 2, 11),
      m("inform", 0, 2, 11),
    ];
    expect(check(ok)).toEqual([]);
  });

  it("flags messages out of order, replies without an open cfp, altered acceptances and the deadline", () => {
    expect(check([m("propose", 0, 1)])[0]).toMatch(/reply without an open cfp/);
    expect(check([m("cfp", 0, 1), m("propose", 0, 1, 12), m("accept-proposal", 0, 1, 11), m("inform", 0, 1, 11)])[0]).toMatch(
      /differs from the proposal/,
    );
    expect(
      check([
        m("cfp", 0, 1),
        m("propose", 0, 1),
        m("reject-proposal", 0, 1),
        m("cfp", 0, 3),
        m("propose", 0, 3),
        m("reject-proposal", 0, 3),
      ])[0],
    ).toMatch(/round after its reject-proposal/);
    expect(
      check(
        [m("cfp", 0, 1), m("propose", 0, 1), m("reject-proposal", 0, 1), m("cfp", 0, 2), m("propose", 0, 2), m("reject-proposal", 0, 2)],
        1,
      )[0],
    ).toMatch(/deadline not respected/);
    expect(check([m("cfp", 0, 1), m("propose", 0, 1)])).toEqual([expect.stringMatching(/ends in state "proposal awaiting an answer"/)]);
    expect(check([m("cfp", 0, 1), m("propose", 0, 2)])[0]).toMatch(/reply without an open cfp in this round/);
    expect(check([m("cfp", 0, 2)])[0]).toMatch(/first cfp .* round 1/);
    expect(check([m("cfp", 0, 1), m("propose", 0, 1, 10, 6)])[0]).toMatch(/proposal quantity must be in \(0, 5\]/);
    expect(check([{ ...m("cfp", 0, 1), sender: 1 }])[0]).toMatch(/sender\/receiver/);
    expect(check([m("cfp", 0, 1), m("propose", 0, 1), m("accept-proposal", 0, 1), m("inform", 0, 1), m("cfp", 0, 2)])[0]).toMatch(
      /cfp in state "agreed/,
    );
  });

  it("every negotiation the engine plays is valid (both conditions, walk-aways included)", () => {
    for (const condition of ["analytic-no-check", "analytic-check"] as const) {
      const { logs, configs, outcomes } = runNegotiations(PAPER_CONFIG, {
        episodes: 150,
        seed: 11,
        condition,
        keepLogs: true,
        generate: { n: 4, randomPatience: true },
      });
      logs.forEach((log, k) => {
        expect(validateProtocol(log, { subcontractors: 4, deadline: configs[k].negotiation.deadline })).toEqual([]);
      });
      // quantities are re-asked in this population (reject-proposal followed by a cfp for another quantity)
      expect(
        logs.some((l) =>
          l
            .toArray()
            .some(
              (x, k, all) =>
                x.performative === "cfp" &&
                x.round > 1 &&
                all.some(
                  (y) =>
                    y.conversation === x.conversation && y.performative === "cfp" && y.round === x.round - 1 && y.quantity !== x.quantity,
                ),
            ),
        ),
      ).toBe(true);
      expect(outcomes.length).toBe(150);
    }
    // a walk-away (S1, patience 1, refuses in round 2: see negotiation.test.ts) is valid too
    const cfg = structuredClone(PAPER_CONFIG);
    cfg.subcontractors[0].patience = 1;
    for (const condition of ["analytic-no-check", "analytic-check"] as const) {
      const { logs } = runNegotiations(cfg, { episodes: 1, seed: 1, condition, keepLogs: true });
      expect(logs[0].toArray().some((x) => x.performative === "refuse")).toBe(true);
      expect(validateProtocol(logs[0], { subcontractors: 3, deadline: 10 })).toEqual([]);
    }
  });

  it("exports a tidy messages.csv", () => {
    const { logs } = runNegotiations(PAPER_CONFIG, { episodes: 1, seed: 1, keepLogs: true });
    const rows = messageRows(logs[0], ["S1", "S2", "S3"], 0);
    const parsed = parseCsv(toCsv(MESSAGE_COLUMNS, rows));
    expect(parsed.length).toBe(logs[0].length);
    expect(parsed[0]).toEqual({
      negotiation: "0",
      seq: "0",
      round: "1",
      conversation: "S1",
      performative: "cfp",
      sender: "retailer",
      receiver: "S1",
      price: "8.8",
      quantity: "60",
    });
    expect(
      parsed
        .filter((r) => r.performative === "inform")
        .map((r) => r.sender)
        .sort(),
    ).toEqual(["S1", "S2", "S3"]);
  });

  it("the log grows past its initial buffer and clones", () => {
    const log = new MessageLog();
    for (let k = 0; k < 200; k++) log.push(0, RETAILER, 0, 0, 1, k, 1);
    expect(log.length).toBe(200);
    expect(log.get(199).price).toBe(199);
    const c = log.clone();
    log.clear();
    expect(c.length).toBe(200);
    expect(() => log.get(0)).toThrow(RangeError);
  });
});
