import { OptionError } from "../option-error.js";
import { PPO, type PPOOptions } from "../ppo/ppo.js";

/**
 * MAPPO (Yu et al. 2022, "The Surprising Effectiveness of PPO in Cooperative Multi-Agent Games"): PPO actors per
 * agent (independent, or one shared network with `shareParameters`) trained on their own observations, and a
 * centralised critic that reads the env's global state (`state()`, PettingZoo's) instead of the agent's
 * observation; with a shared network and an agent-id feature the critic also gets the id. The actors act on
 * their observations only, so the trained policies run decentralised. Everything else is PPO (same loss, GAE,
 * defaults); the critic's input differs from the actor's, so gradients go through the autodiff path
 * (`tf.variableGrads`). Needs a ParallelEnv with `state()` and `stateSpace`.
 *
 *     const mappo = new MAPPO({ env: () => make("HubTrading-v0", { hubs: 4 }) as ParallelEnv, shareParameters: true });
 */
export class MAPPO extends PPO {
  override readonly algorithm: string = "mappo";

  constructor(opts: PPOOptions) {
    super(opts);
    if (this.agents === null) {
      this.close();
      throw new OptionError("env", "MAPPO needs a multi-agent ParallelEnv with a global state (state() and stateSpace)");
    }
  }

  protected override usesCentralCritic(): boolean {
    return true;
  }
}
