import { z } from "zod";
import { Rng } from "../core/rng.js";
import { zodConfigError } from "../io/errors.js";

/**
 * A synthetic outside-demand process for one final good (docs/model.md, "Over time" and section D). Every term is
 * relative to `base`, so one spec reads the same for a good sold in tens or in thousands:
 *
 *   alpha_t = base * max(floor, 1 + trend * t + amplitude * sin(2 pi (t + phase) / period) + e_t) * (1 + size * D_t)
 *   e_t     = phi * e_{t-1} + sigma * eps_t,      eps_t ~ N(0, 1),   e_0 ~ N(0, sigma^2 / (1 - phi^2))  (stationary)
 *   D_t     = 1 while a disruption is running, else 0. In a period without a running disruption one starts
 *             with probability `probability` and lasts `duration` periods (this one included).
 *
 * A negative `size` is a supply-chain disruption that cuts demand (size -0.5: half the demand); a positive one is
 * a demand spike. `t` counts periods from the start of the generated path (history included).
 */
export interface DemandSpec {
  /** Mean level of alpha (> 0). */
  base: number;
  seasonal?: { period: number; amplitude: number; phase?: number };
  /** Relative change of the level per period (0.01: +1% of base per period, additive). */
  trend?: number;
  /** AR(1) noise, relative to base. */
  ar?: { phi: number; sigma: number };
  shocks?: { probability: number; size: number; duration: number };
  /** Lower bound of the relative level before shocks (keeps alpha > 0). Default 0.05. */
  floor?: number;
}

/** The zod schema of a {@link DemandSpec}: every field's type, rule and text (docs/config.md). */
export const demandSpecSchema = z.strictObject({
  /** Mean level of alpha (> 0); every other term is relative to it. */
  base: z.number().positive("base must be positive").describe("Mean level of alpha (> 0); every other term is relative to it."),
  /** A sine season: amplitude * sin(2 pi (t + phase) / period). */
  seasonal: z
    .strictObject({
      /** Season length in periods. */
      period: z.number().int("period must be an integer").min(2, "period must be at least 2").describe("Season length in periods."),
      /** Relative amplitude of the sine season (0.25: +-25% of base). */
      amplitude: z.number().min(0, "amplitude must be >= 0").describe("Relative amplitude of the sine season (0.25: +-25% of base)."),
      /** Shift of the season in periods (default 0). */
      phase: z.number().finite().optional().describe("Shift of the season in periods (default 0)."),
    })
    .optional()
    .describe("A sine season: amplitude * sin(2 pi (t + phase) / period)."),
  /** Relative change of the level per period (0.01: +1% of base per period, additive). */
  trend: z.number().finite().optional().describe("Relative change of the level per period (0.01: +1% of base per period, additive)."),
  /** AR(1) noise e_t = phi e_{t-1} + sigma eps_t, started from its stationary distribution. */
  ar: z
    .strictObject({
      /** AR(1) coefficient, in (-1, 1). */
      phi: z.number().gt(-1, "phi must be in (-1, 1)").lt(1, "phi must be in (-1, 1)").describe("AR(1) coefficient, in (-1, 1)."),
      /** Standard deviation of the innovations, relative to base. */
      sigma: z.number().min(0, "sigma must be >= 0").describe("Standard deviation of the innovations, relative to base."),
    })
    .optional()
    .describe("AR(1) noise e_t = phi e_{t-1} + sigma eps_t, started from its stationary distribution."),
  /** Disruptions (or spikes) that multiply the level by 1 + size for `duration` periods. */
  shocks: z
    .strictObject({
      /** Probability per period without a running disruption that one starts. */
      probability: z
        .number()
        .min(0, "probability must be in [0, 1]")
        .max(1, "probability must be in [0, 1]")
        .describe("Probability per period without a running disruption that one starts."),
      /** Relative change while it runs (-0.5: half the demand; > 0: a spike). */
      size: z
        .number()
        .gt(-1, "size must be > -1 (demand stays positive)")
        .describe("Relative change while it runs (-0.5: half the demand; > 0: a spike)."),
      /** Periods a disruption lasts. */
      duration: z.number().int("duration must be an integer").min(1, "duration must be at least 1").describe("Periods a disruption lasts."),
    })
    .optional()
    .describe("Disruptions (or spikes) that multiply the level by 1 + size for `duration` periods."),
  /** Lower bound of the relative level before shocks (keeps alpha > 0); default 0.05. */
  floor: z
    .number()
    .gt(0, "floor must be > 0")
    .optional()
    .describe("Lower bound of the relative level before shocks (keeps alpha > 0); default 0.05."),
});

/** The season's period of a spec, or undefined when it has no seasonality. */
export function seasonPeriod(spec: DemandSpec): number | undefined {
  return spec.seasonal?.period;
}

/** One good's process with its own RNG: `reset(seed)`, then `next()` once per period. */
export class DemandProcess {
  private rng: Rng;
  private t = 0;
  private e = 0;
  private shockLeft = 0;
  private readonly stationarySd: number;

  constructor(
    readonly spec: DemandSpec,
    seed: number | string = 0,
  ) {
    const parsed = demandSpecSchema.safeParse(spec);
    if (!parsed.success) throw zodConfigError("demand spec", parsed.error);
    const phi = spec.ar?.phi ?? 0;
    this.stationarySd = (spec.ar?.sigma ?? 0) / Math.sqrt(1 - phi * phi);
    this.rng = new Rng(seed);
    this.reset(seed);
  }

  /** Restart at t = 0 with a new seed. */
  reset(seed: number | string): void {
    this.rng = new Rng(seed);
    this.t = 0;
    this.shockLeft = 0;
    this.e = this.spec.ar && this.stationarySd > 0 ? this.rng.normal(0, this.stationarySd) : 0;
  }

  /** alpha for the current period; advances t. */
  next(): number {
    const s = this.spec;
    const t = this.t;
    if (t > 0 && s.ar) this.e = s.ar.phi * this.e + (s.ar.sigma > 0 ? this.rng.normal(0, s.ar.sigma) : 0);
    let rel = 1 + (s.trend ?? 0) * t + this.e;
    if (s.seasonal) rel += s.seasonal.amplitude * Math.sin((2 * Math.PI * (t + (s.seasonal.phase ?? 0))) / s.seasonal.period);
    rel = Math.max(s.floor ?? 0.05, rel);
    if (s.shocks) {
      // Draw every period so that the noise stream does not depend on whether a shock is running.
      const starts = this.rng.random() < s.shocks.probability;
      if (this.shockLeft === 0 && starts) this.shockLeft = s.shocks.duration;
      if (this.shockLeft > 0) {
        rel *= 1 + s.shocks.size;
        this.shockLeft--;
      }
    }
    this.t++;
    return s.base * rel;
  }

  /** The noise-free level at period t (trend + season), relative to nothing: in alpha units. */
  expected(t: number): number {
    const s = this.spec;
    let rel = 1 + (s.trend ?? 0) * t;
    if (s.seasonal) rel += s.seasonal.amplitude * Math.sin((2 * Math.PI * (t + (s.seasonal.phase ?? 0))) / s.seasonal.period);
    return s.base * Math.max(s.floor ?? 0.05, rel);
  }
}

/** `n` periods of one spec from a seed. */
export function generateDemand(spec: DemandSpec, n: number, seed: number | string): number[] {
  const p = new DemandProcess(spec, seed);
  const out = new Array<number>(n);
  for (let t = 0; t < n; t++) out[t] = p.next();
  return out;
}
