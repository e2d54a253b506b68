import type { BackendName } from "./backend.js";
import { checkTotalSteps, type OnPolicyLearner } from "./on-policy.js";
import { OptionError } from "./option-error.js";
import { PPO } from "./ppo/ppo.js";
import { MAPPO } from "./mappo/mappo.js";
import { REINFORCE } from "./reinforce/reinforce.js";
import { envOf, type TrainConfig } from "./train-config.js";
import { ConfigError, nestConfigError } from "../io/errors.js";

/** Options a training config sets at its top level; every other learner option is `hyperparameters.<field>`. */
const TOP_LEVEL = new Set(["env", "seed", "backend", "totalSteps"]);

/** The JSON path in a training config of a learner option. */
function configPath(cfg: TrainConfig, field: string): string {
  if (field === "") return "";
  if (field === "envOptions") return "env";
  if (TOP_LEVEL.has(field)) return field;
  if (field === "numEnvs" && cfg.numEnvs !== undefined) return "numEnvs";
  return `hyperparameters.${field}`;
}

/**
 * Build the learner a training config describes. Rule violations the schema cannot see (for example more
 * minibatches than transitions) become a ConfigError at the JSON path of the option's field
 * ({@link OptionError.field}): `hyperparameters.<field>`, a top-level field, or `env` when the environment cannot
 * be built; a `totalSteps` smaller than one batch (numEnvs * numSteps) is a ConfigError at `totalSteps`.
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
  // An env's own ConfigError (`<id> options`) keeps its JSON paths, under the config's env.options.
  const asConfigError = (err: unknown): unknown =>
    err instanceof OptionError && err.field === "env" && err.cause instanceof ConfigError && err.cause.file === `${env.id} options`
      ? nestConfigError(err.cause, file, "env.options")
      : err instanceof OptionError
        ? new ConfigError(file, [{ path: configPath(cfg, err.field), message: err.message }])
        : err;
  let learner: OnPolicyLearner;
  try {
    learner = cfg.algorithm === "ppo" ? new PPO(opts) : cfg.algorithm === "mappo" ? new MAPPO(opts) : new REINFORCE(opts);
  } catch (err) {
    throw asConfigError(err);
  }
  try {
    checkTotalSteps(cfg.totalSteps, learner.stepsPerIteration);
  } catch (err) {
    learner.close();
    throw asConfigError(err);
  }
  return learner;
}
