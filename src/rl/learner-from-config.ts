import type { BackendName } from "./backend.js";
import type { OnPolicyLearner } from "./on-policy.js";
import { PPO } from "./ppo/ppo.js";
import { REINFORCE } from "./reinforce/reinforce.js";
import { envOf, type TrainConfig } from "./train-config.js";
import { ConfigError } from "../io/errors.js";

/**
 * Build the learner a training config describes. Rule violations the schema cannot see (for example more
 * minibatches than transitions) become a ConfigError naming `hyperparameters.<field>`; a `totalSteps` smaller than
 * one batch (numEnvs * numSteps) is a ConfigError at `totalSteps`.
 */
export function learnerFromConfig(cfg: TrainConfig, file: string, backend?: BackendName): OnPolicyLearner {
  const env = envOf(cfg);
  const opts = {
    ...cfg.hyperparameters,
    ...(cfg.numEnvs !== undefined ? { numEnvs: cfg.numEnvs } : {}),
    env: env.id,
    envOptions: env.options,
    seed: cfg.seed,
    backend: backend ?? cfg.backend,
  };
  let learner: OnPolicyLearner;
  try {
    learner = cfg.algorithm === "ppo" ? new PPO(opts) : new REINFORCE(opts);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const field = /^(\w+) /.exec(err.message)?.[1];
    const path =
      err.name === "UnknownEnvError" || /^(CartPole|Pendulum|\w+-v\d+):/.test(err.message)
        ? "env"
        : field && (field in cfg.hyperparameters || field === "numMinibatches" || field === "numSteps")
          ? `hyperparameters.${field}`
          : field === "seed" || field === "numEnvs"
            ? field
            : "";
    throw new ConfigError(file, [{ path, message: err.message }]);
  }
  const batch = learner.stepsPerIteration;
  if (cfg.totalSteps < batch) {
    learner.close();
    throw new ConfigError(file, [{ path: "totalSteps", message: `totalSteps (${cfg.totalSteps}) is smaller than one batch (numEnvs * numSteps = ${batch}): nothing would be trained` }]);
  }
  return learner;
}
