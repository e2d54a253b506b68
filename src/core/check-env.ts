import { Rng } from "./rng.js";
import { explainSpace, type Space } from "./spaces.js";
import type { Env, ParallelEnv } from "./types.js";

/**
 * Contract checks for environments (Gymnasium's `check_env`, PettingZoo's `parallel_api_test`, in one place).
 *
 * `checkEnv(env)` / `checkParallelEnv(env)` expect a freshly built environment (not yet reset): the first check is
 * that `step` before `reset` throws. They collect every failure they can find and throw one `EnvCheckError` that
 * lists them, each with what to fix; when nothing fails they return a report with warnings (things that are
 * allowed but often unintended).
 */
export class EnvCheckError extends Error {
  constructor(
    readonly failures: string[],
    readonly warnings: string[],
  ) {
    super(
      `environment failed ${failures.length} contract check(s):\n` +
        failures.map((f) => `  - ${f}`).join("\n") +
        (warnings.length ? `\nwarnings:\n${warnings.map((w) => `  - ${w}`).join("\n")}` : ""),
    );
    this.name = "EnvCheckError";
  }
}

export interface CheckEnvOptions {
  /** Seed for resets (the "other seed" is `seed + 1`). Default 0. */
  seed?: number;
  /** Seed of the RNG that samples actions. Default 12345. */
  actionSeed?: number;
  /** Steps compared for determinism (fewer if the episode ends first). Default 30. */
  determinismSteps?: number;
  /** Longest episode played to check the end of an episode; longer -> a warning. Default 10,000. */
  maxEpisodeSteps?: number;
  /** Set when the env is deterministic by design: then a different seed may give the same trajectory. */
  deterministic?: boolean;
}

export interface EnvCheckReport {
  warnings: string[];
  /** Length of the episode played to its end (undefined if it did not end within `maxEpisodeSteps`). */
  episodeLength?: number;
}

const DEFAULTS = { seed: 0, actionSeed: 12345, determinismSteps: 30, maxEpisodeSteps: 10_000, deterministic: false };

function resolve(opts: CheckEnvOptions) {
  const o = { ...DEFAULTS, ...opts };
  for (const k of ["determinismSteps", "maxEpisodeSteps"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new RangeError(`checkEnv: ${k} must be a positive integer, got ${o[k]}`);
  }
  return o;
}

function isSpace(x: unknown): x is Space {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Space).sample === "function" &&
    typeof (x as Space).contains === "function" &&
    typeof (x as Space).toJSON === "function"
  );
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Deep copy of plain data (arrays, typed arrays, objects, primitives). */
function snapshot(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(snapshot);
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (isPlainObject(x)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = snapshot(x[k]);
    return out;
  }
  return x;
}

/** Path of the first difference between two plain values, or undefined when they are equal (NaN equals NaN). */
export function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  const arr = (v: unknown) => Array.isArray(v) || ArrayBuffer.isView(v);
  if (arr(a) && arr(b)) {
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return `${path || "(value)"}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const d = firstDifference(x[i], y[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isPlainObject(a) && isPlainObject(b) && !arr(a) && !arr(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join("\u0000") !== kb.join("\u0000")) return `${path || "(value)"}: keys {${ka}} vs {${kb}}`;
    for (const k of ka) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof a === "number" && typeof b === "number") {
    return a === b || (Number.isNaN(a) && Number.isNaN(b)) ? undefined : `${path || "(value)"}: ${a} vs ${b}`;
  }
  return a === b ? undefined : `${path || "(value)"}: ${String(a)} vs ${String(b)}`;
}

function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : String(err);
}

interface Trajectory {
  steps: { observation: unknown; reward: unknown; terminated: unknown; truncated: unknown; info: unknown }[];
  reset: { observation: unknown; info: unknown };
}

/** Check a single-agent environment against the Env contract. Throws `EnvCheckError` listing every failure. */
export function checkEnv<O, A>(env: Env<O, A>, opts: CheckEnvOptions = {}): EnvCheckReport {
  const o = resolve(opts);
  const failures: string[] = [];
  const warnings: string[] = [];
  const fail = (msg: string) => failures.push(msg);
  const finish = (report: EnvCheckReport): EnvCheckReport => {
    if (failures.length) throw new EnvCheckError(failures, warnings);
    return report;
  };

  // Spaces.
  const obsSpace = env.observationSpace;
  const actSpace = env.actionSpace;
  if (!isSpace(obsSpace))
    fail("observationSpace is not a Space (needs sample, contains, toJSON): use Box/Discrete/MultiDiscrete/Dict from core/spaces");
  if (!isSpace(actSpace))
    fail("actionSpace is not a Space (needs sample, contains, toJSON): use Box/Discrete/MultiDiscrete/Dict from core/spaces");
  if (failures.length) return finish({ warnings });
  if (env.observationSpace !== obsSpace)
    fail("observationSpace returns a new object on each access: build the space once (in the constructor) and return that object");
  if (env.actionSpace !== actSpace)
    fail("actionSpace returns a new object on each access: build the space once (in the constructor) and return that object");
  for (const [name, space] of [
    ["observationSpace", obsSpace],
    ["actionSpace", actSpace],
  ] as const) {
    try {
      JSON.stringify(space.toJSON());
    } catch (err) {
      fail(`${name}.toJSON() throws (${errText(err)}): spaces must serialise to JSON`);
    }
  }
  const actionRng = new Rng(o.actionSeed);
  const sampleAction = (): A => actSpace.sample(actionRng) as A;

  // Step before reset.
  let threw = false;
  try {
    env.step(sampleAction());
  } catch {
    threw = true;
  }
  if (!threw)
    fail(
      "step() before the first reset() did not throw: keep a 'needs reset' flag and throw an Error telling the caller to call reset() first (pass checkEnv a freshly built env)",
    );

  // Reset shape.
  const checkReset = (label: string, r: unknown): boolean => {
    if (!isPlainObject(r) || !("observation" in r) || !("info" in r)) {
      fail(`${label}: must return { observation, info }, got ${JSON.stringify(snapshot(r))?.slice(0, 120)}`);
      return false;
    }
    const why = explainSpace(obsSpace, r.observation);
    if (why !== undefined)
      fail(
        `${label}: observation is not in observationSpace (${why}): return a value inside the declared space, or declare the space that the env really produces`,
      );
    if (!isPlainObject(r.info)) fail(`${label}: info must be a plain object (use {} when there is nothing to report)`);
    return true;
  };
  const checkStep = (label: string, r: unknown): boolean => {
    if (!isPlainObject(r) || !["observation", "reward", "terminated", "truncated", "info"].every((k) => k in r)) {
      fail(`${label}: must return { observation, reward, terminated, truncated, info }`);
      return false;
    }
    const why = explainSpace(obsSpace, r.observation);
    if (why !== undefined)
      fail(
        `${label}: observation is not in observationSpace (${why}): return a value inside the declared space, or declare the space that the env really produces`,
      );
    if (typeof r.reward !== "number" || !Number.isFinite(r.reward))
      fail(`${label}: reward must be a finite number, got ${String(r.reward)}: guard divisions and logs in the reward`);
    if (typeof r.terminated !== "boolean") fail(`${label}: terminated must be a boolean, got ${typeof r.terminated}`);
    if (typeof r.truncated !== "boolean") fail(`${label}: truncated must be a boolean, got ${typeof r.truncated}`);
    if (!isPlainObject(r.info)) fail(`${label}: info must be a plain object (use {} when there is nothing to report)`);
    return true;
  };

  // Play a trajectory with given actions; record it.
  const play = (seed: number, actions: A[], label: string): Trajectory | undefined => {
    let r: unknown;
    try {
      r = env.reset({ seed });
    } catch (err) {
      fail(`${label}: reset({ seed: ${seed} }) threw ${errText(err)}`);
      return undefined;
    }
    if (!checkReset(`${label}: reset({ seed: ${seed} })`, r)) return undefined;
    const rr = r as { observation: O; info: unknown };
    const traj: Trajectory = { reset: { observation: snapshot(rr.observation), info: snapshot(rr.info) }, steps: [] };
    for (let t = 0; t < actions.length; t++) {
      let s: unknown;
      const a = actions[t];
      const aBefore = snapshot(a);
      try {
        s = env.step(a);
      } catch (err) {
        fail(
          `${label}: step ${t} threw ${errText(err)} for an action sampled from actionSpace: every action in the space must be accepted`,
        );
        return traj;
      }
      if (firstDifference(aBefore, snapshot(a)) !== undefined && !warnings.some((w) => w.startsWith("step() modified"))) {
        warnings.push("step() modified the action passed to it: copy the action before changing it (callers may reuse it)");
      }
      if (!checkStep(`${label}: step ${t}`, s)) return traj;
      const sr = s as { observation: unknown; reward: unknown; terminated: unknown; truncated: unknown; info: unknown };
      traj.steps.push({
        observation: snapshot(sr.observation),
        reward: sr.reward,
        terminated: sr.terminated,
        truncated: sr.truncated,
        info: snapshot(sr.info),
      });
      if (sr.terminated === true || sr.truncated === true) break;
    }
    return traj;
  };

  const actions: A[] = [];
  for (let t = 0; t < o.determinismSteps; t++) actions.push(sampleAction());
  const first = play(o.seed, actions, "run 1");
  const second = play(o.seed, actions, "run 2 (same seed)");
  const third = play(o.seed + 1, actions, `run 3 (seed ${o.seed + 1})`);
  if (first && second) {
    const strip = (tr: Trajectory) => ({
      reset: tr.reset.observation,
      steps: tr.steps.map((s) => [s.observation, s.reward, s.terminated, s.truncated]),
    });
    const d = firstDifference(strip(first), strip(second));
    if (d)
      fail(
        `the same seed and actions gave different trajectories (first difference at ${d}): draw all randomness from an Rng that reset({ seed }) replaces, never Math.random or shared state`,
      );
    else {
      const di = firstDifference(
        first.steps.map((s) => s.info),
        second.steps.map((s) => s.info),
      );
      if (di) warnings.push(`info differs between two runs with the same seed (at ${di}); fine for timings, a bug for outcomes`);
    }
  }
  if (first && third && !o.deterministic) {
    const strip = (tr: Trajectory) => ({ reset: tr.reset.observation, steps: tr.steps.map((s) => [s.observation, s.reward]) });
    if (firstDifference(strip(first), strip(third)) === undefined) {
      fail(
        `seeds ${o.seed} and ${o.seed + 1} gave the same trajectory: reset({ seed }) must reseed the env's Rng (or pass { deterministic: true } if the env has no randomness by design)`,
      );
    }
  }

  // Observations must not alias buffers the env reuses.
  let episodeLength: number | undefined;
  try {
    const r = env.reset({ seed: o.seed });
    const kept: { ref: unknown; copy: unknown }[] = [{ ref: r.observation, copy: snapshot(r.observation) }];
    let ended = false;
    let last: { terminated: boolean; truncated: boolean } | undefined;
    for (let t = 0; t < o.maxEpisodeSteps; t++) {
      const s = env.step(sampleAction());
      if (t < 5) kept.push({ ref: s.observation, copy: snapshot(s.observation) });
      if (t === 5) {
        for (const [i, k] of kept.entries()) {
          if (firstDifference(k.ref, k.copy) !== undefined) {
            fail(
              `observation ${i === 0 ? "from reset" : `from step ${i - 1}`} changed after later steps: return fresh arrays/objects each step (learners keep observations), not a reused buffer`,
            );
            break;
          }
        }
      }
      if (typeof s.reward !== "number" || !Number.isFinite(s.reward)) {
        fail(`step ${t} of a full episode: reward ${String(s.reward)} is not finite`);
        break;
      }
      if (!obsSpace.contains(s.observation)) {
        fail(`step ${t} of a full episode: observation left observationSpace (${explainSpace(obsSpace, s.observation)})`);
        break;
      }
      if (s.terminated || s.truncated) {
        ended = true;
        episodeLength = t + 1;
        last = s;
        break;
      }
    }
    if (!ended) {
      warnings.push(
        `the episode did not end within ${o.maxEpisodeSteps} steps: wrap the env in TimeLimit (or register it with maxEpisodeSteps) so learners see truncation`,
      );
    } else {
      const limit = env.spec?.maxEpisodeSteps;
      if (limit !== undefined && episodeLength! > limit)
        fail(`the episode ran ${episodeLength} steps, past spec.maxEpisodeSteps = ${limit}: truncate at the limit`);
      if (limit !== undefined && episodeLength === limit && last && !last.terminated && !last.truncated) {
        fail(`step ${limit} reached spec.maxEpisodeSteps but truncated is false: set truncated = true when a time limit cuts the episode`);
      }
      let afterEnd = false;
      try {
        env.step(sampleAction());
      } catch {
        afterEnd = true;
      }
      if (!afterEnd) {
        fail(
          `step() after the episode ended (${last?.terminated ? "terminated" : "truncated"}) did not throw: after terminated or truncated, throw until reset() is called`,
        );
      }
    }
  } catch (err) {
    fail(`playing a full episode with sampled actions threw ${errText(err)}`);
  }

  // Spaces must survive a reset unchanged.
  if (env.observationSpace !== obsSpace) fail("observationSpace is a different object after reset(): build spaces once and keep them");
  if (env.actionSpace !== actSpace) fail("actionSpace is a different object after reset(): build spaces once and keep them");

  return finish({ warnings, episodeLength });
}

/** Check a parallel (PettingZoo-style) environment. Throws `EnvCheckError` listing every failure. */
export function checkParallelEnv<O, A>(env: ParallelEnv<O, A>, opts: CheckEnvOptions = {}): EnvCheckReport {
  const o = resolve(opts);
  const failures: string[] = [];
  const warnings: string[] = [];
  const fail = (msg: string) => failures.push(msg);
  const finish = (report: EnvCheckReport): EnvCheckReport => {
    if (failures.length) throw new EnvCheckError(failures, warnings);
    return report;
  };

  const possible = env.possibleAgents;
  if (!Array.isArray(possible) || possible.length === 0 || possible.some((a) => typeof a !== "string")) {
    fail("possibleAgents must be a non-empty array of agent-name strings");
    return finish({ warnings });
  }
  if (new Set(possible).size !== possible.length) fail("possibleAgents has duplicate names: every agent needs a unique name");
  const obsSpaces = new Map<string, Space>();
  const actSpaces = new Map<string, Space>();
  for (const agent of possible) {
    let os: unknown, as: unknown;
    try {
      os = env.observationSpace(agent);
      as = env.actionSpace(agent);
    } catch (err) {
      fail(`observationSpace/actionSpace("${agent}") threw ${errText(err)}: every possible agent needs spaces`);
      continue;
    }
    if (!isSpace(os) || !isSpace(as)) {
      fail(`observationSpace/actionSpace("${agent}") is not a Space: use Box/Discrete/MultiDiscrete/Dict from core/spaces`);
      continue;
    }
    if (env.observationSpace(agent) !== os)
      fail(`observationSpace("${agent}") returns a new object on each call: build per-agent spaces once and return the same object`);
    if (env.actionSpace(agent) !== as)
      fail(`actionSpace("${agent}") returns a new object on each call: build per-agent spaces once and return the same object`);
    obsSpaces.set(agent, os);
    actSpaces.set(agent, as);
  }
  if (failures.length) return finish({ warnings });

  const actionRng = new Rng(o.actionSeed);
  const sampleActions = (agents: readonly string[]): Record<string, A> => {
    const out: Record<string, A> = {};
    for (const a of agents) out[a] = actSpaces.get(a)!.sample(actionRng) as A;
    return out;
  };

  let threw = false;
  try {
    env.step(sampleActions(possible));
  } catch {
    threw = true;
  }
  if (!threw)
    fail(
      "step() before the first reset() did not throw: keep a 'needs reset' flag and throw an Error telling the caller to call reset() first (pass checkParallelEnv a freshly built env)",
    );

  const sameKeys = (rec: unknown, agents: readonly string[]): boolean => {
    if (!isPlainObject(rec)) return false;
    const k = Object.keys(rec).sort();
    const want = [...agents].sort();
    return k.length === want.length && k.every((x, i) => x === want[i]);
  };

  const checkReset = (label: string, r: unknown): boolean => {
    if (!isPlainObject(r) || !isPlainObject(r.observations) || !isPlainObject(r.infos)) {
      fail(`${label}: must return { observations, infos }, records keyed by agent`);
      return false;
    }
    const agents = env.agents;
    if (!Array.isArray(agents) || agents.some((a) => !possible.includes(a))) {
      fail(`${label}: env.agents must be a subset of possibleAgents after reset`);
      return false;
    }
    if (!sameKeys(r.observations, agents))
      fail(
        `${label}: observations must have exactly one entry per live agent (env.agents = [${agents}]), got [${Object.keys(r.observations)}]`,
      );
    if (!sameKeys(r.infos, agents)) fail(`${label}: infos must have exactly one entry per live agent, got [${Object.keys(r.infos)}]`);
    for (const a of agents) {
      const why = a in r.observations ? explainSpace(obsSpaces.get(a)!, r.observations[a]) : undefined;
      if (why !== undefined) fail(`${label}: observations["${a}"] is not in observationSpace("${a}") (${why})`);
    }
    return true;
  };

  const checkStep = (label: string, r: unknown, live: readonly string[]): boolean => {
    const keys = ["observations", "rewards", "terminations", "truncations", "infos"];
    if (!isPlainObject(r) || !keys.every((k) => isPlainObject(r[k]))) {
      fail(`${label}: must return { observations, rewards, terminations, truncations, infos }, records keyed by agent`);
      return false;
    }
    for (const k of keys) {
      if (!sameKeys(r[k], live))
        fail(`${label}: ${k} must have one entry per agent that acted this step ([${live}]), got [${Object.keys(r[k] as object)}]`);
    }
    const rec = r as Record<string, Record<string, unknown>>;
    for (const a of live) {
      if (a in rec.observations) {
        const why = explainSpace(obsSpaces.get(a)!, rec.observations[a]);
        if (why !== undefined) fail(`${label}: observations["${a}"] is not in observationSpace("${a}") (${why})`);
      }
      const rw = rec.rewards[a];
      if (a in rec.rewards && (typeof rw !== "number" || !Number.isFinite(rw)))
        fail(`${label}: rewards["${a}"] must be a finite number, got ${String(rw)}`);
      if (a in rec.terminations && typeof rec.terminations[a] !== "boolean") fail(`${label}: terminations["${a}"] must be a boolean`);
      if (a in rec.truncations && typeof rec.truncations[a] !== "boolean") fail(`${label}: truncations["${a}"] must be a boolean`);
      if (a in rec.infos && !isPlainObject(rec.infos[a])) fail(`${label}: infos["${a}"] must be a plain object`);
    }
    const stillLive = live.filter((a) => rec.terminations[a] !== true && rec.truncations[a] !== true);
    const agentsNow = Array.isArray(env.agents) ? [...env.agents].sort() : [];
    if (agentsNow.join("\u0000") !== [...stillLive].sort().join("\u0000")) {
      fail(
        `${label}: after step, env.agents must be the agents that were neither terminated nor truncated ([${stillLive}]), got [${agentsNow}]`,
      );
    }
    return true;
  };

  interface PTraj {
    reset: unknown;
    steps: unknown[];
  }
  const play = (seed: number, label: string, actionsPerStep: Record<string, A>[]): PTraj | undefined => {
    let r: unknown;
    try {
      r = env.reset({ seed });
    } catch (err) {
      fail(`${label}: reset({ seed: ${seed} }) threw ${errText(err)}`);
      return undefined;
    }
    if (!checkReset(`${label}: reset({ seed: ${seed} })`, r)) return undefined;
    const traj: PTraj = { reset: snapshot((r as { observations: unknown }).observations), steps: [] };
    for (let t = 0; t < actionsPerStep.length && env.agents.length > 0; t++) {
      const live = [...env.agents];
      const acts: Record<string, A> = {};
      for (const a of live) acts[a] = actionsPerStep[t][a];
      let s: unknown;
      try {
        s = env.step(acts);
      } catch (err) {
        fail(
          `${label}: step ${t} threw ${errText(err)} for actions sampled from the action spaces: every action in the space must be accepted`,
        );
        return traj;
      }
      if (!checkStep(`${label}: step ${t}`, s, live)) return traj;
      const sr = s as Record<string, unknown>;
      traj.steps.push(snapshot({ o: sr.observations, r: sr.rewards, te: sr.terminations, tr: sr.truncations }));
    }
    return traj;
  };

  const plan: Record<string, A>[] = [];
  for (let t = 0; t < o.determinismSteps; t++) plan.push(sampleActions(possible));
  const first = play(o.seed, "run 1", plan);
  const second = play(o.seed, "run 2 (same seed)", plan);
  const third = play(o.seed + 1, `run 3 (seed ${o.seed + 1})`, plan);
  if (first && second) {
    const d = firstDifference(first, second);
    if (d)
      fail(
        `the same seed and actions gave different trajectories (first difference at ${d}): draw all randomness from an Rng that reset({ seed }) replaces`,
      );
  }
  if (first && third && !o.deterministic) {
    const strip = (tr: PTraj) => ({ reset: tr.reset, steps: tr.steps.map((s) => [(s as { o: unknown }).o, (s as { r: unknown }).r]) });
    if (firstDifference(strip(first), strip(third)) === undefined) {
      fail(
        `seeds ${o.seed} and ${o.seed + 1} gave the same trajectory: reset({ seed }) must reseed the env's Rng (or pass { deterministic: true } if the env has no randomness by design)`,
      );
    }
  }

  // A full episode: ends with env.agents empty; then step throws.
  let episodeLength: number | undefined;
  try {
    const r = env.reset({ seed: o.seed });
    const kept = { ref: r.observations, copy: snapshot(r.observations) };
    let t = 0;
    for (; t < o.maxEpisodeSteps && env.agents.length > 0; t++) {
      const s = env.step(sampleActions(env.agents));
      for (const [a, rw] of Object.entries(s.rewards)) {
        if (typeof rw !== "number" || !Number.isFinite(rw)) {
          fail(`step ${t} of a full episode: rewards["${a}"] = ${String(rw)} is not finite`);
          t = o.maxEpisodeSteps;
        }
      }
      if (t === 3 && firstDifference(kept.ref, kept.copy) !== undefined) {
        fail("observations from reset changed after later steps: return fresh arrays/objects each step, not a reused buffer");
      }
    }
    if (env.agents.length > 0) {
      warnings.push(`the episode did not end within ${o.maxEpisodeSteps} steps: add a time limit that truncates every agent`);
    } else {
      episodeLength = t;
      let afterEnd = false;
      try {
        env.step(sampleActions(possible));
      } catch {
        afterEnd = true;
      }
      if (!afterEnd) fail("step() after every agent was terminated or truncated did not throw: throw until reset() is called");
    }
  } catch (err) {
    fail(`playing a full episode with sampled actions threw ${errText(err)}`);
  }

  for (const agent of possible) {
    if (env.observationSpace(agent) !== obsSpaces.get(agent))
      fail(`observationSpace("${agent}") is a different object after reset(): build spaces once`);
    if (env.actionSpace(agent) !== actSpaces.get(agent))
      fail(`actionSpace("${agent}") is a different object after reset(): build spaces once`);
  }
  return finish({ warnings, episodeLength });
}
