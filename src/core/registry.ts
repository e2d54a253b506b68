import type { Env, EnvSpec, ParallelEnv } from "./types.js";
import { isParallelEnv } from "./types.js";
import { TimeLimit } from "./time-limit.js";

export type EnvFactory = (options: Record<string, unknown>) => Env | ParallelEnv;

export interface RegisterOptions {
  /** Single-agent envs are wrapped in `TimeLimit` with this many steps. */
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  /** One line for `supplygym envs` and error messages. */
  description?: string;
}

interface Registration extends RegisterOptions {
  id: string;
  factory: EnvFactory;
}

const registry = new Map<string, Registration>();

/** Register an environment under an id such as `MarketBidding-v0`. Registering an id twice is an error. */
export function register(id: string, factory: EnvFactory, opts: RegisterOptions = {}): void {
  if (!/^[A-Za-z][\w.-]*-v\d+$/.test(id)) throw new RangeError(`register: id "${id}" must look like Name-v0`);
  if (registry.has(id)) throw new Error(`register: "${id}" is already registered`);
  registry.set(id, { id, factory, ...opts });
}

export class UnknownEnvError extends Error {
  constructor(id: string) {
    super(`unknown environment "${id}"; registered: ${[...registry.keys()].sort().join(", ") || "(none)"}`);
    this.name = "UnknownEnvError";
  }
}

/** Build a registered environment (single-agent or parallel). Factories validate their own options. */
export function make<E extends Env | ParallelEnv = Env | ParallelEnv>(id: string, options: Record<string, unknown> = {}): E {
  const reg = registry.get(id);
  if (!reg) throw new UnknownEnvError(id);
  let env = reg.factory(options);
  const spec: EnvSpec = { id, maxEpisodeSteps: reg.maxEpisodeSteps, rewardThreshold: reg.rewardThreshold, options };
  if (!isParallelEnv(env) && reg.maxEpisodeSteps !== undefined) env = new TimeLimit(env, reg.maxEpisodeSteps);
  env.spec = spec;
  return env as E;
}

export function registeredIds(): string[] {
  return [...registry.keys()].sort();
}

export function registration(id: string): Readonly<RegisterOptions> | undefined {
  const reg = registry.get(id);
  return reg && { maxEpisodeSteps: reg.maxEpisodeSteps, rewardThreshold: reg.rewardThreshold, description: reg.description };
}
