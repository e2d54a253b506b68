import seedrandom from "seedrandom";

/** Saved state of an {@link Rng}; restore it with `Rng.fromState`. */
export type RngState = seedrandom.State.Alea;

/**
 * The project's one source of randomness: a seeded Alea generator (seedrandom).
 * Nothing in supplygym calls `Math.random`; every stochastic component takes an `Rng` or a seed.
 */
export class Rng {
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;

  constructor(seed: number | string, state?: RngState) {
    if (typeof seed === "number" && !Number.isFinite(seed)) throw new RangeError(`Rng seed must be finite, got ${seed}`);
    this.prng = state ? seedrandom.alea("", { state }) : seedrandom.alea(String(seed), { state: true });
  }

  static fromState(state: RngState): Rng {
    return new Rng(0, state);
  }

  state(): RngState {
    return this.prng.state();
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.prng();
  }

  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.prng();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Standard normal by Box-Muller (one draw per call, so the state stays a plain Alea state). */
  normal(mean = 0, std = 1): number {
    let u = this.prng();
    while (u <= 0) u = this.prng();
    const v = this.prng();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  exponential(rate = 1): number {
    let u = this.prng();
    while (u <= 0) u = this.prng();
    return -Math.log(u) / rate;
  }

  bernoulli(p: number): boolean {
    return this.prng() < p;
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.choice of an empty list");
    return items[this.int(items.length)];
  }

  /** Fisher-Yates shuffle, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A 31-bit positive integer seed for a child generator or a TensorFlow.js initialiser (never 0). */
  seed(): number {
    return 1 + this.int(0x7ffffffe);
  }

  /** An independent child generator, deterministic given this one's state. */
  fork(): Rng {
    return new Rng(this.seed());
  }
}

/** Derive a stable seed from a base seed and labels (for example `deriveSeed(seed, "eval", episode)`). */
export function deriveSeed(base: number, ...labels: (string | number)[]): number {
  const rng = new Rng(`${base}/${labels.join("/")}`);
  return rng.seed();
}
