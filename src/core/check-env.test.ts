import { describe, expect, it } from "vitest";
import { checkEnv, checkParallelEnv, EnvCheckError, firstDifference } from "./check-env.js";
import { Rng } from "./rng.js";
import { Box, Discrete } from "./spaces.js";
import type { Env, ParallelEnv, ResetOptions, StepResult } from "./types.js";

interface Bugs {
  noResetGuard?: boolean;
  noEndGuard?: boolean;
  mathRandom?: boolean;
  noNoise?: boolean;
  ignoreSeed?: boolean;
  newSpaceEachTime?: boolean;
  nanReward?: boolean;
  outOfSpace?: boolean;
  reuseBuffer?: boolean;
  numericFlags?: boolean;
}

/** A noisy walk on [-10, 10]; terminates when it leaves [-5, 5], truncates after `limit` steps. */
class Walk implements Env<number[], number> {
  private obsSpace = new Box(-10, 10, [2]);
  readonly actionSpace = new Discrete(3);
  private rng = new Rng(0);
  private x = 0;
  private t = 0;
  private ready = false;
  private buffer = [0, 0];
  private counter = 0;

  constructor(
    private bugs: Bugs = {},
    private limit = 20,
  ) {}

  get observationSpace(): Box {
    return this.bugs.newSpaceEachTime ? new Box(-10, 10, [2]) : this.obsSpace;
  }

  private obs(): number[] {
    const o = this.bugs.reuseBuffer ? this.buffer : [0, 0];
    o[0] = this.x;
    o[1] = this.t / this.limit;
    if (this.bugs.outOfSpace) o[0] = 99;
    return o;
  }

  reset(opts: ResetOptions = {}) {
    if (opts.seed !== undefined && !this.bugs.ignoreSeed) this.rng = new Rng(opts.seed);
    this.x = 0;
    this.t = 0;
    this.ready = true;
    return { observation: this.obs(), info: {} };
  }

  step(action: number): StepResult<number[]> {
    if (!this.ready && !this.bugs.noResetGuard) throw new Error("call reset() first");
    if (!this.actionSpace.contains(action)) throw new RangeError("bad action");
    const noise = this.bugs.noNoise ? 0 : this.bugs.mathRandom ? ((this.counter++ % 7) - 3) / 10 : this.rng.normal(0, 0.5);
    this.x = Math.max(-10, Math.min(10, this.x + (action - 1) * 0.5 + noise));
    this.t++;
    const terminated = Math.abs(this.x) > 5;
    const truncated = !terminated && this.t >= this.limit;
    if ((terminated || truncated) && !this.bugs.noEndGuard) this.ready = false;
    const reward = this.bugs.nanReward && this.t === 3 ? NaN : -Math.abs(this.x);
    return {
      observation: this.obs(),
      reward,
      terminated: (this.bugs.numericFlags ? Number(terminated) : terminated) as boolean,
      truncated,
      info: { t: this.t },
    };
  }

  close() {}
}

function failuresOf(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof EnvCheckError) return err.failures;
    throw err;
  }
  return [];
}

describe("checkEnv", () => {
  it("passes a correct env and reports its episode length", () => {
    const report = checkEnv(new Walk());
    expect(report.episodeLength).toBeGreaterThan(0);
    expect(report.episodeLength).toBeLessThanOrEqual(20);
  });

  const cases: [keyof Bugs, RegExp][] = [
    ["noResetGuard", /before the first reset/],
    ["noEndGuard", /after the episode ended/],
    ["mathRandom", /same seed and actions gave different trajectories/],
    ["noNoise", /gave the same trajectory/],
    ["ignoreSeed", /same seed and actions gave different trajectories/],
    ["newSpaceEachTime", /observationSpace returns a new object/],
    ["nanReward", /reward must be a finite number/],
    ["outOfSpace", /observation is not in observationSpace \(entry 0 = 99/],
    ["reuseBuffer", /changed after later steps/],
    ["numericFlags", /terminated must be a boolean/],
  ];
  for (const [bug, pattern] of cases) {
    it(`catches ${bug}`, () => {
      const failures = failuresOf(() => checkEnv(new Walk({ [bug]: true })));
      expect(
        failures.some((f) => pattern.test(f)),
        failures.join("\n"),
      ).toBe(true);
    });
  }

  it("the deterministic option accepts an env without randomness", () => {
    expect(failuresOf(() => checkEnv(new Walk({ noNoise: true }), { deterministic: true }))).toEqual([]);
  });

  it("the error message lists every failure", () => {
    try {
      checkEnv(new Walk({ noResetGuard: true, noEndGuard: true }));
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/2 contract check/);
    }
  });
});

describe("firstDifference", () => {
  it("names the path of the first difference", () => {
    expect(firstDifference({ a: [1, 2, 3] }, { a: [1, 2, 4] })).toBe("a[2]: 3 vs 4");
    expect(firstDifference([NaN], [NaN])).toBeUndefined();
    expect(firstDifference(new Float64Array([1, 2]), [1, 2])).toBeUndefined();
  });
});

/** Two walkers; each terminates on its own. */
class TwoWalks implements ParallelEnv<number[], number> {
  readonly possibleAgents = ["a", "b"] as const;
  agents: string[] = [];
  private spaces = { a: new Box(-10, 10, [1]), b: new Box(-10, 10, [1]) };
  private act = new Discrete(3);
  private rng = new Rng(0);
  private x: Record<string, number> = {};
  private ready = false;
  private t = 0;

  constructor(private bugs: { keepDead?: boolean; freshSpaces?: boolean; noEndGuard?: boolean } = {}) {}

  observationSpace(agent: string) {
    return this.bugs.freshSpaces ? new Box(-10, 10, [1]) : this.spaces[agent as "a" | "b"];
  }
  actionSpace() {
    return this.act;
  }
  reset(opts: ResetOptions = {}) {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.agents = ["a", "b"];
    this.x = { a: 0, b: 0 };
    this.t = 0;
    this.ready = true;
    return { observations: { a: [0], b: [0] }, infos: { a: {}, b: {} } };
  }
  step(actions: Record<string, number>) {
    if (!this.ready) throw new Error("call reset() first");
    const out = {
      observations: {} as Record<string, number[]>,
      rewards: {} as Record<string, number>,
      terminations: {} as Record<string, boolean>,
      truncations: {} as Record<string, boolean>,
      infos: {} as Record<string, Record<string, unknown>>,
    };
    this.t++;
    for (const a of this.agents) {
      this.x[a] = Math.max(-10, Math.min(10, this.x[a] + (actions[a] - 1) + this.rng.normal()));
      out.observations[a] = [this.x[a]];
      out.rewards[a] = -Math.abs(this.x[a]);
      out.terminations[a] = Math.abs(this.x[a]) > 4;
      out.truncations[a] = this.t >= 15;
      out.infos[a] = {};
    }
    if (!this.bugs.keepDead) this.agents = this.agents.filter((a) => !out.terminations[a] && !out.truncations[a]);
    if (this.agents.length === 0 && !this.bugs.noEndGuard) this.ready = false;
    if (this.bugs.keepDead && this.t >= 15) this.agents = [];
    return out;
  }
  close() {}
}

describe("checkParallelEnv", () => {
  it("passes a correct parallel env", () => {
    expect(checkParallelEnv(new TwoWalks()).episodeLength).toBeGreaterThan(0);
  });
  it("catches agents that stay live after termination", () => {
    const failures = failuresOf(() => checkParallelEnv(new TwoWalks({ keepDead: true }), { seed: 3 }));
    expect(
      failures.some((f) => /env.agents must be the agents that were neither/.test(f)),
      failures.join("\n"),
    ).toBe(true);
  });
  it("catches per-call spaces", () => {
    const failures = failuresOf(() => checkParallelEnv(new TwoWalks({ freshSpaces: true })));
    expect(failures.some((f) => /returns a new object on each call/.test(f))).toBe(true);
  });
  it("catches a step after the end that does not throw", () => {
    const failures = failuresOf(() => checkParallelEnv(new TwoWalks({ noEndGuard: true })));
    expect(failures.some((f) => /after every agent was terminated or truncated/.test(f))).toBe(true);
  });
});
