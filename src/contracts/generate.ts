import { Rng } from "../core/rng.js";
import { DEFAULT_NEGOTIATION, TACTICS, type NegotiationConfig, type NegotiationSettings, type SubcontractorSpec } from "./config.js";

export interface GenerateOptions {
  /** Number of subcontractors. */
  n: number;
  negotiation?: Partial<NegotiationSettings>;
  /** Draw each subcontractor's tactic and markup at random (default); otherwise linear with markup 0.5. */
  heterogeneous?: boolean;
  /** Draw each subcontractor's own deadline in [deadline/2, deadline] (walk-aways become possible). */
  randomPatience?: boolean;
}

/**
 * A random valid instance, deterministic by seed: CN ~ U{20..60}, CM = CN + U{5..40}, c ~ U(5, 15), e ~ U(1, 8)
 * (two decimals), D an integer strictly between sum CN and sum CM, c_R ~ U(1, 5), R = c_R + max(c + e) x U(1.2, 2).
 */
export function generateConfig(seed: number, opts: GenerateOptions): NegotiationConfig {
  const rng = new Rng(`contracts-instance/${seed}`);
  const { n } = opts;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`generateConfig: n must be a positive integer, got ${n}`);
  const negotiation: NegotiationSettings = { ...DEFAULT_NEGOTIATION, ...opts.negotiation };
  const heterogeneous = opts.heterogeneous ?? true;
  const round2 = (v: number) => Math.round(v * 100) / 100;
  const subs: SubcontractorSpec[] = [];
  let sumCN = 0;
  let sumCM = 0;
  let maxUnit = 0;
  const width = String(n).length;
  for (let i = 0; i < n; i++) {
    const cn = 20 + rng.int(41);
    const cm = cn + 5 + rng.int(36);
    const c = round2(rng.uniform(5, 15));
    const e = round2(rng.uniform(1, 8));
    const s: SubcontractorSpec = {
      id: `S${String(i + 1).padStart(width, "0")}`,
      normalCapacity: cn,
      maxCapacity: cm,
      unitCost: c,
      extraCost: e,
      tactic: heterogeneous ? rng.choice(TACTICS) : "linear",
      markup: heterogeneous ? round2(rng.uniform(0.2, 0.8)) : 0.5,
    };
    if (opts.randomPatience) s.patience = Math.ceil(negotiation.deadline / 2) + rng.int(Math.floor(negotiation.deadline / 2) + 1);
    subs.push(s);
    sumCN += cn;
    sumCM += cm;
    maxUnit = Math.max(maxUnit, c + e);
  }
  const demand = sumCN + 1 + rng.int(sumCM - sumCN - 1);
  const unitCost = round2(rng.uniform(1, 5));
  const retailPrice = round2(unitCost + maxUnit * rng.uniform(1.2, 2));
  return {
    experiment: `contracts-generated-${n}`,
    seed,
    episodes: 1,
    retailer: { demand, retailPrice, unitCost, openingFraction: 0.4, beta: 1 },
    subcontractors: subs,
    negotiation,
    demand: { type: "fixed" },
  };
}
