import { z } from "zod";
import { checkBatchSize, definedOptions, learnerFields, onPolicyFieldsWith, parseOptions, type OwnDefaults } from "../on-policy-options.js";

/**
 * REINFORCE's options: one zod schema carrying every option's type, rule, default and text, and
 * `resolveREINFORCEOptions`, which reports broken rules as a ConfigError of `REINFORCE options` at the option's path.
 * No TensorFlow.js here.
 */

/**
 * REINFORCE's defaults of the shared fields each algorithm sets itself. REINFORCE with a learned state-value baseline
 * (Williams 1992; Sutton & Barto 13.4) takes one gradient step per batch of `numEnvs * numSteps` transitions; returns
 * are Monte-Carlo discounted rewards-to-go (GAE with lambda = 1), bootstrapped with the critic only where the
 * rollout or a time limit cuts an episode.
 */
const REINFORCE_OWN_DEFAULTS: OwnDefaults = {
  /** Steps per env per batch (batch = 4 * 512 = 2048). */
  numSteps: 512,
  /** Adam learning rate (one step per batch, so larger than PPO's). */
  learningRate: 1e-3,
  /** Keep the learning rate constant. */
  annealLr: false,
  /** Adam epsilon (PyTorch's default). */
  adamEps: 1e-8,
  /** Must stay 1 (Monte-Carlo returns); exposed for the shared machinery. */
  gaeLambda: 1,
  /** No entropy bonus. */
  entCoef: 0.0,
};

/** REINFORCE's hyperparameters: the shared on-policy fields with REINFORCE's defaults. */
export const reinforceHyperparametersSchema = z.strictObject(onPolicyFieldsWith(REINFORCE_OWN_DEFAULTS));

/** REINFORCE hyperparameters after resolving: every field set. */
export type REINFORCEHyperparameters = z.output<typeof reinforceHyperparametersSchema>;

/** REINFORCE's defaults: the schema's ({@link REINFORCE_OWN_DEFAULTS} and CleanRL's shared ones). */
export const REINFORCE_DEFAULTS: Readonly<REINFORCEHyperparameters> = Object.freeze(reinforceHyperparametersSchema.parse({}));

/** The options of `new REINFORCE(...)`: the hyperparameters, the environment, seed and backend, and their rules. */
export const reinforceOptionsSchema = reinforceHyperparametersSchema.extend(learnerFields).superRefine((c, ctx) => {
  checkBatchSize(c, ctx);
  if (c.gaeLambda !== 1)
    ctx.addIssue({
      code: "custom",
      path: ["gaeLambda"],
      input: c.gaeLambda,
      message: `must be 1 for REINFORCE (Monte-Carlo returns), got ${c.gaeLambda}`,
    });
});

export type REINFORCEOptions = z.input<typeof reinforceOptionsSchema>;
export type ResolvedREINFORCEOptions = z.output<typeof reinforceOptionsSchema>;

/** Fill REINFORCE's defaults and check every rule; a broken rule is a ConfigError of `REINFORCE options`. */
export function resolveREINFORCEOptions(opts: REINFORCEOptions): ResolvedREINFORCEOptions {
  return parseOptions(reinforceOptionsSchema, definedOptions(opts, "REINFORCE"), "REINFORCE");
}
