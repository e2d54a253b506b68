import { Box, Dict, Discrete, MultiDiscrete, type Space } from "../core/spaces.js";
import type { Env, ResetOptions, ResetResult, StepResult } from "../core/types.js";
import { Wrapper } from "./wrapper.js";

/**
 * The Box that `flatten(space, x)` maps into: Dict sub-spaces concatenated in key order (recursively), Box entries
 * as they are, Discrete and MultiDiscrete one-hot (as `flatDim`).
 */
export function flattenSpace(space: Space): Box {
  const low: number[] = [];
  const high: number[] = [];
  const visit = (s: Space): void => {
    if (s instanceof Box) {
      low.push(...s.low);
      high.push(...s.high);
    } else if (s instanceof Discrete) {
      for (let i = 0; i < s.n; i++) low.push(0), high.push(1);
    } else if (s instanceof MultiDiscrete) {
      for (const n of s.nvec) for (let i = 0; i < n; i++) low.push(0), high.push(1);
    } else if (s instanceof Dict) {
      for (const k of s.keys) visit(s.spaces[k]);
    } else throw new TypeError("flattenSpace: unsupported space (Box, Discrete, MultiDiscrete, Dict)");
  };
  visit(space);
  return new Box(low, high, [low.length]);
}

/** Flatten a value of `space` into a flat number[] (see {@link flattenSpace}). */
export function flatten(space: Space, x: unknown): number[] {
  const out: number[] = [];
  const visit = (s: Space, v: unknown, path: string): void => {
    if (s instanceof Box) {
      const arr = v as ArrayLike<number>;
      if (!arr || arr.length !== s.size) throw new RangeError(`flatten: ${path || "value"} should have ${s.size} numbers`);
      for (let i = 0; i < arr.length; i++) out.push(arr[i]);
    } else if (s instanceof Discrete) {
      for (let i = 0; i < s.n; i++) out.push(i === (v as number) - s.start ? 1 : 0);
    } else if (s instanceof MultiDiscrete) {
      const arr = v as ArrayLike<number>;
      s.nvec.forEach((n, j) => {
        for (let i = 0; i < n; i++) out.push(i === arr[j] ? 1 : 0);
      });
    } else if (s instanceof Dict) {
      const rec = v as Record<string, unknown>;
      if (typeof rec !== "object" || rec === null) throw new RangeError(`flatten: ${path || "value"} should be an object`);
      for (const k of s.keys) {
        if (!(k in rec)) throw new RangeError(`flatten: missing key ${path ? `${path}.` : ""}${k}`);
        visit(s.spaces[k], rec[k], path ? `${path}.${k}` : k);
      }
    } else throw new TypeError("flatten: unsupported space");
  };
  visit(space, x, "");
  return out;
}

/** Names of the flat entries (`prices[0]`, `forecast.point[2]`, `phase`) in the order `flatten` writes them. */
export function flatNames(space: Space): string[] {
  const names: string[] = [];
  const visit = (s: Space, path: string): void => {
    if (s instanceof Box) {
      if (s.size === 1 && s.shape.length <= 1) names.push(path);
      else for (let i = 0; i < s.size; i++) names.push(`${path}[${i}]`);
    } else if (s instanceof Discrete) {
      for (let i = 0; i < s.n; i++) names.push(`${path}=${s.start + i}`);
    } else if (s instanceof MultiDiscrete) {
      s.nvec.forEach((n, j) => {
        for (let i = 0; i < n; i++) names.push(`${path}[${j}]=${i}`);
      });
    } else if (s instanceof Dict) {
      for (const k of s.keys) visit(s.spaces[k], path ? `${path}.${k}` : k);
    }
  };
  visit(space, "");
  return names;
}

/** Observations flattened to one Box (Gymnasium's `FlattenObservation`); Dict keys in their declared order. */
export class FlattenObservation<A> extends Wrapper<number[], A, unknown, A> {
  override readonly observationSpace: Box;

  constructor(env: Env<unknown, A>) {
    super(env);
    this.observationSpace = flattenSpace(env.observationSpace);
  }

  override reset(opts?: ResetOptions): ResetResult<number[]> {
    const r = this.env.reset(opts);
    return { observation: flatten(this.env.observationSpace, r.observation), info: r.info };
  }

  override step(action: A): StepResult<number[]> {
    const r = this.env.step(action);
    return { ...r, observation: flatten(this.env.observationSpace, r.observation) };
  }
}
