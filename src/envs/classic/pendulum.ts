import { Rng } from "../../core/rng.js";
import { Box } from "../../core/spaces.js";
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from "../../core/types.js";

export interface PendulumState {
  th: number;
  thDot: number;
  rng: ReturnType<Rng["state"]>;
}

const f32 = Math.fround;

function angleNormalize(x: number): number {
  // Python's ((x + pi) % (2 pi)) - pi, with a floored modulo.
  const twoPi = 2 * Math.PI;
  const m = (x + Math.PI) % twoPi;
  return (m < 0 ? m + twoPi : m) - Math.PI;
}

/**
 * Gymnasium's `Pendulum-v1` (classic_control/pendulum.py): swing a pendulum up and keep it upright. Torque in
 * [-2, 2] (clipped inside `step`, as Gymnasium does), max speed 8, dt 0.05, g 10 (`options: { g }` changes it),
 * m = l = 1. Observation `[cos th, sin th, th_dot]`; reward `-(angle_normalize(th)^2 + 0.1 th_dot^2 + 0.001 u^2)`;
 * never terminates; the 200-step limit comes from the registry. Reset draws th in [-pi, pi], th_dot in [-1, 1].
 */
export class Pendulum implements Env<number[], number[]> {
  readonly maxSpeed = 8;
  readonly maxTorque = 2.0;
  readonly dt = 0.05;
  readonly m = 1.0;
  readonly l = 1.0;
  readonly observationSpace = new Box([-1, -1, -8], [1, 1, 8]);
  readonly actionSpace = new Box([-2], [2]);
  spec?: EnvSpec;

  private rng = new Rng(0);
  private th = 0;
  private thDot = 0;
  private started = false;

  constructor(readonly g = 10.0) {
    if (!Number.isFinite(g)) throw new RangeError(`Pendulum: g must be a finite number, got ${g}`);
  }

  reset(opts: ResetOptions = {}): ResetResult<number[]> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.th = this.rng.uniform(-Math.PI, Math.PI);
    this.thDot = this.rng.uniform(-1, 1);
    this.started = true;
    return { observation: this.obs(), info: {} };
  }

  step(action: number[]): StepResult<number[]> {
    if (!this.started) throw new Error("Pendulum: call reset() before step()");
    const a = action[0];
    if (typeof a !== "number" || Number.isNaN(a)) throw new RangeError(`Pendulum: action must be [torque], got ${JSON.stringify(action)}`);
    const u = Math.min(this.maxTorque, Math.max(-this.maxTorque, f32(a)));
    const { th, thDot, g, m, l, dt } = this;
    const costs = angleNormalize(th) ** 2 + 0.1 * thDot ** 2 + 0.001 * u ** 2;
    let newThDot = thDot + (((3 * g) / (2 * l)) * Math.sin(th) + (3.0 / (m * l ** 2)) * u) * dt;
    newThDot = Math.min(this.maxSpeed, Math.max(-this.maxSpeed, newThDot));
    this.th = th + newThDot * dt;
    this.thDot = newThDot;
    return { observation: this.obs(), reward: -costs, terminated: false, truncated: false, info: {} };
  }

  private obs(): number[] {
    return [f32(Math.cos(this.th)), f32(Math.sin(this.th)), f32(this.thDot)];
  }

  getState(): PendulumState {
    return { th: this.th, thDot: this.thDot, rng: this.rng.state() };
  }

  setState(s: PendulumState): void {
    this.th = s.th;
    this.thDot = s.thDot;
    this.started = true;
    this.rng = Rng.fromState(s.rng);
  }

  close(): void {}
}
