import type { Box } from "./spaces.js";
import type { Space } from "./spaces.js";

/** Free-form diagnostic information returned by `reset` and `step`. */
export type Info = Record<string, unknown>;

export interface ResetOptions {
  /** Replaces the environment's RNG when given; otherwise the RNG continues. */
  seed?: number;
  options?: Record<string, unknown>;
}

export interface ResetResult<O> {
  observation: O;
  info: Info;
}

export interface StepResult<O> {
  observation: O;
  reward: number;
  /** The task ended (a terminal state of the MDP). */
  terminated: boolean;
  /** The episode was cut short from outside the MDP (a time limit). */
  truncated: boolean;
  info: Info;
}

export interface EnvSpec {
  id: string;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  options?: Record<string, unknown>;
}

/** A single-agent environment, Gymnasium semantics. */
export interface Env<O = unknown, A = unknown> {
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  spec?: EnvSpec;
  reset(opts?: ResetOptions): ResetResult<O>;
  step(action: A): StepResult<O>;
  close(): void;
}

export interface ParallelResetResult<O> {
  observations: Record<string, O>;
  infos: Record<string, Info>;
}

export interface ParallelStepResult<O> {
  observations: Record<string, O>;
  rewards: Record<string, number>;
  terminations: Record<string, boolean>;
  truncations: Record<string, boolean>;
  infos: Record<string, Info>;
}

/** A many-agent environment where every live agent acts each step, PettingZoo parallel-API semantics. */
export interface ParallelEnv<O = unknown, A = unknown> {
  readonly possibleAgents: readonly string[];
  /** Agents still live in the current episode. */
  agents: string[];
  spec?: EnvSpec;
  /** Must return the same object on every call for the same agent. */
  observationSpace(agent: string): Space<O>;
  /** Must return the same object on every call for the same agent. */
  actionSpace(agent: string): Space<A>;
  reset(opts?: ResetOptions): ParallelResetResult<O>;
  step(actions: Record<string, A>): ParallelStepResult<O>;
  close(): void;
  /**
   * The global state of the current step as a flat vector (PettingZoo's `state()`): what a centralised critic
   * (MAPPO) reads during training; agents never see it. Optional; envs that have it also give `stateSpace`.
   */
  state?(): Float32Array;
  /** The Box of {@link state} (PettingZoo's `state_space`). */
  readonly stateSpace?: Box;
}

export interface ActOptions {
  deterministic?: boolean;
}

/** Anything that maps an observation to an action: analytic agents and learned policies alike. */
export interface Policy<O = unknown, A = unknown> {
  act(observation: O, opts?: ActOptions): A;
}

export function isParallelEnv(env: unknown): env is ParallelEnv {
  return typeof env === "object" && env !== null && "possibleAgents" in env && typeof (env as ParallelEnv).observationSpace === "function";
}

export interface VectorResetResult<O> {
  observations: O[];
  infos: Info[];
}

export interface VectorStepResult<O> {
  observations: O[];
  rewards: number[];
  terminations: boolean[];
  truncations: boolean[];
  /**
   * With autoreset, `infos[i].finalObservation` and `infos[i].finalInfo` hold the last observation and info of
   * an episode that ended in this step (the implementation documents its autoreset mode).
   */
  infos: Info[];
}

/** `numEnvs` copies of an environment stepped together (Gymnasium's VectorEnv). */
export interface VectorEnv<O = unknown, A = unknown> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<O>;
  readonly singleActionSpace: Space<A>;
  reset(opts?: ResetOptions): VectorResetResult<O>;
  step(actions: A[]): VectorStepResult<O>;
  close(): void;
}
