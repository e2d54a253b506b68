import type { Box } from "../core/spaces.js";
import type { ActOptions, ParallelEnv, ParallelResetResult, ParallelStepResult, Policy, ResetOptions } from "../core/types.js";

/**
 * A parallel env in which some agents are played by fixed policies (scripted or analytic strategies): they are
 * hidden from the outside (`possibleAgents`, `agents`, observations, rewards), and every step their policies act
 * on their own last observation, in the env's own action space. What is left is the env of the other agents, e.g.
 * the learners'. `policies` are called in `possibleAgents` order, once per step each.
 */
export class ScriptedAgents<O = unknown, A = unknown> implements ParallelEnv<O, A> {
  readonly possibleAgents: readonly string[];
  private last: Record<string, O> = {};

  /** The wrapped env's global state space (PettingZoo's state_space); undefined when it has none. */
  get stateSpace(): Box | undefined {
    return this.env.stateSpace;
  }

  /** The wrapped env's global state (PettingZoo's state()), for centralised critics; this wrapper does not change it. */
  state(): Float32Array {
    if (typeof this.env.state !== "function") throw new Error(`${this.constructor.name}: the wrapped env has no global state`);
    return this.env.state();
  }

  constructor(
    readonly env: ParallelEnv<O, A>,
    readonly policies: Readonly<Record<string, Policy<O, A>>>,
    private readonly actOptions: ActOptions = { deterministic: true },
  ) {
    for (const a of Object.keys(policies))
      if (!env.possibleAgents.includes(a))
        throw new RangeError(`ScriptedAgents: "${a}" is not an agent of the env (${env.possibleAgents.join(", ")})`);
    this.possibleAgents = env.possibleAgents.filter((a) => !(a in policies));
  }

  get agents(): string[] {
    return this.env.agents.filter((a) => !(a in this.policies));
  }
  get spec() {
    return this.env.spec;
  }

  observationSpace(agent: string) {
    return this.env.observationSpace(agent);
  }

  actionSpace(agent: string) {
    return this.env.actionSpace(agent);
  }

  reset(opts?: ResetOptions): ParallelResetResult<O> {
    const r = this.env.reset(opts);
    this.last = r.observations;
    return { observations: this.visible(r.observations), infos: this.visible(r.infos) };
  }

  step(actions: Record<string, A>): ParallelStepResult<O> {
    const all: Record<string, A> = { ...actions };
    for (const a of this.env.agents) {
      const p = this.policies[a];
      if (p) all[a] = p.act(this.last[a], this.actOptions);
    }
    const r = this.env.step(all);
    this.last = r.observations;
    return {
      observations: this.visible(r.observations),
      rewards: this.visible(r.rewards),
      terminations: this.visible(r.terminations),
      truncations: this.visible(r.truncations),
      infos: this.visible(r.infos),
    };
  }

  close(): void {
    this.env.close();
  }

  private visible<T>(rec: Record<string, T>): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [a, v] of Object.entries(rec)) if (!(a in this.policies)) out[a] = v;
    return out;
  }
}
