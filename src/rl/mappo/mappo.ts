import { mappoOptionsSchema } from "../ppo/options.js";
import { PPO } from "../ppo/ppo.js";

/**
 * MAPPO (Yu et al. 2022, "The Surprising Effectiveness of PPO in Cooperative Multi-Agent Games"): PPO actors per
 * agent (independent, or one shared network with `shareParameters`) trained on their own observations, and a
 * centralised critic that reads the env's global state (`state()`, PettingZoo's) instead of the agent's
 * observation; with a shared network and an agent-id feature the critic also gets the id. The actors act on
 * their observations only, so the trained policies run decentralised. Everything else is PPO (same loss, GAE,
 * defaults); the critic's input differs from the actor's, so gradients go through the autodiff path
 * (`tf.variableGrads`). Needs a ParallelEnv with `state()` and `stateSpace`. Options: PPO's (`PPOOptions`); a broken
 * rule is a ConfigError of `MAPPO options` naming each option and rule.
 *
 *     const mappo = new MAPPO({ env: () => make("HubTrading-v0", { hubs: 4 }) as ParallelEnv, shareParameters: true });
 */
export class MAPPO extends PPO {
  /** PPO's options with the centralised critic's rule (no fast gradient path). */
  static override readonly optionsSchema = mappoOptionsSchema;
  static override readonly optionsName: string = "MAPPO";
  override readonly algorithm: string = "mappo";

  protected override usesCentralCritic(): boolean {
    return true;
  }
}
