import { z } from "zod";
import { register } from "../core/registry.js";
import { zodConfigError } from "../io/errors.js";
import { boundedInt, LIMITS } from "../io/limits.js";
import { Rng } from "../core/rng.js";
import { Box, Discrete } from "../core/spaces.js";
import type { EnvSpec, Info, ParallelEnv, ParallelResetResult, ParallelStepResult, ResetOptions } from "../core/types.js";

export const TEAM_MATCH_ID = "TeamMatch-v0";

/** The options of TeamMatch-v0: one zod schema with the defaults and a text per field. */
export const teamMatchOptionsSchema = z.strictObject({
  /** Number of agents. */
  agents: boundedInt(1, LIMITS.agents).default(3).describe("Number of agents."),
  /** Standard deviation of the team-wide shock w. */
  noise: z.number({ error: "must be a number" }).min(0, "must be >= 0").default(5).describe("Standard deviation of the team-wide shock w."),
});

export type TeamMatchOptions = z.input<typeof teamMatchOptionsSchema>;

/**
 * `TeamMatch-v0`, a small cooperative test env where a centralised critic is known to help (the credit-assignment
 * / baseline-variance argument of COMA, Foerster et al. 2018, and MAPPO, Yu et al. 2022). One-step episodes: each
 * agent i privately observes a bit o_i (Box [0, 1]^1) and plays a_i in {0, 1}; every agent gets the same team
 * reward r = sum_j [a_j = o_j] + w, with w ~ N(0, noise^2) drawn at reset. The reward depends jointly on every
 * agent's action, and an agent cannot see w or the others' bits: a critic on its own observation cannot predict
 * w or the others' terms, so its advantage estimates of its own action carry variance noise^2 + (N - 1) / 4 or
 * more. The global state `state()` = [o_1 .. o_N, w / noise] lets a centralised critic remove w and the others'
 * expected terms. Every agent's best action is a_i = o_i regardless of the others (a dominant strategy), so
 * independent learners do learn it, only from noisier gradients: the test of MAPPO is speed at a fixed budget.
 */
export class TeamMatchEnv implements ParallelEnv<number[], number> {
  readonly possibleAgents: readonly string[];
  agents: string[] = [];
  spec?: EnvSpec;
  readonly stateSpace: Box;
  private readonly obsSpace = new Box(0, 1, [1]);
  private readonly actSpace = new Discrete(2);
  private readonly noise: number;
  private rng = new Rng(0);
  private bits: number[] = [];
  private w = 0;

  constructor(options: TeamMatchOptions = {}) {
    const parsed = teamMatchOptionsSchema.safeParse(options);
    if (!parsed.success) throw zodConfigError(`${TEAM_MATCH_ID} options`, parsed.error);
    const n = parsed.data.agents;
    this.noise = parsed.data.noise;
    this.possibleAgents = Array.from({ length: n }, (_, i) => `agent_${i}`);
    this.stateSpace = new Box([...Array(n).fill(0), -Infinity], [...Array(n).fill(1), Infinity]);
  }

  observationSpace(): Box {
    return this.obsSpace;
  }

  actionSpace(): Discrete {
    return this.actSpace;
  }

  reset(opts: ResetOptions = {}): ParallelResetResult<number[]> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.bits = this.possibleAgents.map(() => (this.rng.random() < 0.5 ? 0 : 1));
    this.w = this.rng.normal(0, this.noise);
    this.agents = [...this.possibleAgents];
    const observations: Record<string, number[]> = {};
    const infos: Record<string, Info> = {};
    this.possibleAgents.forEach((a, i) => {
      observations[a] = [this.bits[i]];
      infos[a] = {};
    });
    return { observations, infos };
  }

  step(actions: Record<string, number>): ParallelStepResult<number[]> {
    if (this.agents.length === 0) throw new Error(`${TEAM_MATCH_ID}: step() before reset() or after the episode ended`);
    let matches = 0;
    this.possibleAgents.forEach((a, i) => {
      if (!this.actSpace.contains(actions[a])) throw new RangeError(`${TEAM_MATCH_ID}: action of "${a}" must be 0 or 1, got ${actions[a]}`);
      if (actions[a] === this.bits[i]) matches++;
    });
    const r = matches + this.w;
    const out: ParallelStepResult<number[]> = { observations: {}, rewards: {}, terminations: {}, truncations: {}, infos: {} };
    this.possibleAgents.forEach((a, i) => {
      out.observations[a] = [this.bits[i]];
      out.rewards[a] = r;
      out.terminations[a] = true;
      out.truncations[a] = false;
      out.infos[a] = { matches };
    });
    this.agents = [];
    return out;
  }

  state(): Float32Array {
    return Float32Array.from([...this.bits, this.noise > 0 ? this.w / this.noise : 0]);
  }

  close(): void {}
}

register(TEAM_MATCH_ID, (options) => new TeamMatchEnv(options as TeamMatchOptions), {
  description: "cooperative test env: agents match private bits under a shared hidden shock (a centralised critic helps)",
});
