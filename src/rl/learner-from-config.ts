import type { BackendName } from "./backend.js";
import type { OnPolicyLearner } from "./on-policy.js";
import { optionsFile, totalStepsIssues } from "./on-policy-options.js";
import { PPO } from "./ppo/ppo.js";
import { MAPPO } from "./mappo/mappo.js";
import { REINFORCE } from "./reinforce/reinforce.js";
import { envOf, type TrainConfig } from "./train-config.js";
import { ConfigError, nestIssues, type ConfigIssue } from "../io/errors.js";

/** Options a training config sets at its top level; every other learner option is `hyperparameters.<field>`. */
const TOP_LEVEL = new Set(["env", "seed", "backend"]);

/** The JSON path in a training config of the learner option at `path` (`numMinibatches`, `actorHidden[0]`, `envOptions.x`). */
function configPath(cfg: TrainConfig, path: string): string {
  const head = /^[^.[]*/.exec(path)![0];
  if (head === "") return path;
  if (head === "envOptions") return `env.options${path.slice(head.length)}`;
  if (TOP_LEVEL.has(head) || (head === "numEnvs" && cfg.numEnvs !== undefined)) return path;
  return `hyperparameters.${path}`;
}

const LEARNERS = { ppo: PPO, mappo: MAPPO, reinforce: REINFORCE } as const;

/**
 * Build the learner a training config describes. The learner's option errors (a ConfigError of `PPO options`,
 * `MAPPO options` or `REINFORCE options`: rules between fields, such as more minibatches than transitions, and
 * the environment's) become a ConfigError of `file` at each option's JSON path: `hyperparameters.<field>`, a
 * top-level field, `env`, or `env.options.<path>` for the env's own option issues; a `totalSteps` smaller than one
 * batch (numEnvs * numSteps) is a ConfigError at `totalSteps`.
 */
export function learnerFromConfig(cfg: TrainConfig, file: string, backend?: BackendName): OnPolicyLearner {
  const env = envOf(cfg);
  const Learner = LEARNERS[cfg.algorithm];
  const opts = {
    ...cfg.hyperparameters,
    ...(cfg.numEnvs !== undefined ? { numEnvs: cfg.numEnvs } : {}),
    env: env.id,
    envOptions: env.options,
    seed: cfg.seed,
    backend: backend ?? cfg.backend,
  };
  const reanchor = (issues: readonly ConfigIssue[]) =>
    new ConfigError(
      file,
      issues.map((i) => ({ ...i, path: configPath(cfg, i.path) })),
    );
  let learner: OnPolicyLearner;
  try {
    learner = new Learner(opts);
  } catch (err) {
    throw err instanceof ConfigError && err.file === optionsFile(Learner.optionsName) ? reanchor(err.issues) : err;
  }
  const issues = totalStepsIssues(cfg.totalSteps, learner.stepsPerIteration);
  if (issues.length > 0) {
    learner.close();
    throw new ConfigError(file, nestIssues(issues, "totalSteps"));
  }
  return learner;
}
