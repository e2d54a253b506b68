import type { Rng } from "./rng.js";

export type SpaceJSON =
  | { type: "Box"; shape: number[]; low: number[]; high: number[] }
  | { type: "Discrete"; n: number; start: number }
  | { type: "MultiDiscrete"; nvec: number[] }
  | { type: "Dict"; spaces: Record<string, SpaceJSON> };

/** A set of valid observations or actions (Gymnasium's `Space`). */
export interface Space<T = unknown> {
  readonly shape: readonly number[];
  sample(rng: Rng): T;
  contains(x: unknown): x is T;
  toJSON(): SpaceJSON;
}

function isNumberArray(x: unknown): x is ArrayLike<number> {
  return Array.isArray(x) || ArrayBuffer.isView(x);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A box in R^n: values are flat `number[]` of length `prod(shape)` (row-major when shape has more than one
 * dimension). Bounds may be infinite; `sample` draws uniform, shifted exponential or normal accordingly.
 */
export class Box implements Space<number[]> {
  readonly shape: readonly number[];
  readonly low: readonly number[];
  readonly high: readonly number[];
  readonly size: number;

  constructor(low: number | readonly number[], high: number | readonly number[], shape?: readonly number[]) {
    const inferred = shape ?? (Array.isArray(low) ? [low.length] : Array.isArray(high) ? [high.length] : undefined);
    if (!inferred) throw new TypeError("Box: give a shape when low and high are both scalars");
    if (inferred.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`Box: bad shape [${inferred}]`);
    this.shape = [...inferred];
    this.size = product(this.shape);
    const expand = (v: number | readonly number[], name: string): number[] => {
      if (typeof v === "number") return new Array<number>(this.size).fill(v);
      if (v.length !== this.size) throw new RangeError(`Box: ${name} has ${v.length} entries, shape [${this.shape}] needs ${this.size}`);
      return [...v];
    };
    this.low = expand(low, "low");
    this.high = expand(high, "high");
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i])) throw new RangeError(`Box: bound ${i} is NaN`);
      if (this.low[i] > this.high[i]) throw new RangeError(`Box: low[${i}]=${this.low[i]} > high[${i}]=${this.high[i]}`);
    }
  }

  isBounded(): boolean {
    return this.low.every(Number.isFinite) && this.high.every(Number.isFinite);
  }

  sample(rng: Rng): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const fl = Number.isFinite(lo);
      const fh = Number.isFinite(hi);
      if (fl && fh) out[i] = rng.uniform(lo, hi);
      else if (fl) out[i] = lo + rng.exponential();
      else if (fh) out[i] = hi - rng.exponential();
      else out[i] = rng.normal();
    }
    return out;
  }

  contains(x: unknown): x is number[] {
    if (!isNumberArray(x) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (typeof v !== "number" || Number.isNaN(v) || v < this.low[i] || v > this.high[i]) return false;
    }
    return true;
  }

  /** Why `x` is not in the box, or `undefined` when it is. */
  explain(x: unknown): string | undefined {
    if (!isNumberArray(x)) return `expected an array of ${this.size} numbers, got ${typeof x}`;
    if (x.length !== this.size) return `expected ${this.size} numbers, got ${x.length}`;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (typeof v !== "number" || Number.isNaN(v)) return `entry ${i} is not a number (${v})`;
      if (v < this.low[i] || v > this.high[i]) return `entry ${i} = ${v} is outside [${this.low[i]}, ${this.high[i]}]`;
    }
    return undefined;
  }

  toJSON(): SpaceJSON {
    return { type: "Box", shape: [...this.shape], low: [...this.low], high: [...this.high] };
  }
}

/** Integers `start, ..., start + n - 1`. */
export class Discrete implements Space<number> {
  readonly shape: readonly number[] = [];

  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Discrete: n must be a positive integer, got ${n}`);
    if (!Number.isInteger(start)) throw new RangeError(`Discrete: start must be an integer, got ${start}`);
  }

  sample(rng: Rng): number {
    return this.start + rng.int(this.n);
  }

  contains(x: unknown): x is number {
    return typeof x === "number" && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  explain(x: unknown): string | undefined {
    return this.contains(x) ? undefined : `expected an integer in [${this.start}, ${this.start + this.n - 1}], got ${String(x)}`;
  }

  toJSON(): SpaceJSON {
    return { type: "Discrete", n: this.n, start: this.start };
  }
}

/** A vector of independent discrete choices, entry i in `[0, nvec[i])`. */
export class MultiDiscrete implements Space<number[]> {
  readonly shape: readonly number[];
  readonly nvec: readonly number[];

  constructor(nvec: readonly number[]) {
    if (nvec.length === 0 || nvec.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new RangeError(`MultiDiscrete: every entry of nvec must be a positive integer, got [${nvec}]`);
    }
    this.nvec = [...nvec];
    this.shape = [nvec.length];
  }

  sample(rng: Rng): number[] {
    return this.nvec.map((n) => rng.int(n));
  }

  contains(x: unknown): x is number[] {
    return (
      isNumberArray(x) && x.length === this.nvec.length && Array.from(x).every((v, i) => Number.isInteger(v) && v >= 0 && v < this.nvec[i])
    );
  }

  explain(x: unknown): string | undefined {
    return this.contains(x) ? undefined : `expected ${this.nvec.length} integers with entry i in [0, nvec[i]) for nvec [${this.nvec}]`;
  }

  toJSON(): SpaceJSON {
    return { type: "MultiDiscrete", nvec: [...this.nvec] };
  }
}

export type DictValue<S extends Record<string, Space>> = { [K in keyof S]: S[K] extends Space<infer T> ? T : never };

/** A record of named sub-spaces; keys keep their insertion order (used by `FlattenObservation`). */
export class Dict<S extends Record<string, Space> = Record<string, Space>> implements Space<DictValue<S>> {
  readonly shape: readonly number[] = [];
  readonly spaces: Readonly<S>;
  readonly keys: readonly (keyof S & string)[];

  constructor(spaces: S) {
    this.spaces = { ...spaces };
    this.keys = Object.keys(spaces) as (keyof S & string)[];
    if (this.keys.length === 0) throw new RangeError("Dict: needs at least one sub-space");
  }

  sample(rng: Rng): DictValue<S> {
    const out: Record<string, unknown> = {};
    for (const k of this.keys) out[k] = this.spaces[k].sample(rng);
    return out as DictValue<S>;
  }

  contains(x: unknown): x is DictValue<S> {
    if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
    const rec = x as Record<string, unknown>;
    if (Object.keys(rec).length !== this.keys.length) return false;
    return this.keys.every((k) => k in rec && this.spaces[k].contains(rec[k]));
  }

  explain(x: unknown): string | undefined {
    if (typeof x !== "object" || x === null || Array.isArray(x)) return `expected an object with keys ${this.keys.join(", ")}`;
    const rec = x as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (!(k in this.spaces)) return `unexpected key "${k}"`;
    for (const k of this.keys) {
      if (!(k in rec)) return `missing key "${k}"`;
      const why = explainSpace(this.spaces[k], rec[k]);
      if (why) return `${k}: ${why}`;
    }
    return undefined;
  }

  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const k of this.keys) spaces[k] = this.spaces[k].toJSON();
    return { type: "Dict", spaces };
  }
}

/** Why `x` is not in `space` (undefined when it is): for error messages. */
export function explainSpace(space: Space, x: unknown): string | undefined {
  const withExplain = space as Space & { explain?: (x: unknown) => string | undefined };
  if (withExplain.explain) return withExplain.explain(x);
  return space.contains(x) ? undefined : `value is not in the space ${JSON.stringify(space.toJSON())}`;
}

/** Rebuild a space from its JSON form. */
export function spaceFromJSON(json: SpaceJSON): Space {
  switch (json.type) {
    case "Box":
      return new Box(json.low.map(nullToInf(-1)), json.high.map(nullToInf(1)), json.shape);
    case "Discrete":
      return new Discrete(json.n, json.start);
    case "MultiDiscrete":
      return new MultiDiscrete(json.nvec);
    case "Dict": {
      const spaces: Record<string, Space> = {};
      for (const [k, v] of Object.entries(json.spaces)) spaces[k] = spaceFromJSON(v);
      return new Dict(spaces);
    }
  }
}

// JSON.stringify writes +-Infinity as null; read it back by the side it bounds.
function nullToInf(sign: 1 | -1) {
  return (v: number | null) => (v === null ? sign * Infinity : v);
}

/** Number of scalars in a flattened value of `space` (Dict flattens its keys in order; Discrete one-hot). */
export function flatDim(space: Space): number {
  if (space instanceof Box) return space.size;
  if (space instanceof Discrete) return space.n;
  if (space instanceof MultiDiscrete) return space.nvec.reduce((a, b) => a + b, 0);
  if (space instanceof Dict) return space.keys.reduce((a, k) => a + flatDim(space.spaces[k]), 0);
  throw new TypeError("flatDim: unsupported space");
}
