import { Rng } from "../../core/rng.js";
import { Box, Discrete } from "../../core/spaces.js";
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from "../../core/types.js";

/** Saved state of a {@link CartPole} (for checkpoints that resume bit-identically). */
export interface CartPoleState {
  state: number[] | null;
  stepsBeyondTerminated: number | null;
  rng: ReturnType<Rng["state"]>;
}

const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;
const f32 = Math.fround;

/**
 * Gymnasium's `CartPole-v1` (classic_control/cartpole.py), same constants and the explicit Euler integrator:
 * gravity 9.8, cart mass 1.0, pole mass 0.1, half-length 0.5, force 10, tau 0.02. Observation
 * `[x, x_dot, theta, theta_dot]` (float32 values), action 0 pushes left and 1 right, reward 1 for every step
 * including the terminating one. Terminates when |theta| > 12 degrees or |x| > 2.4. The 500-step limit comes
 * from the registry (`maxEpisodeSteps: 500`), as in Gymnasium. Reset draws each state variable uniform in
 * [-0.05, 0.05] (`options.low` / `options.high` change the bounds).
 */
export class CartPole implements Env<number[], number> {
  readonly gravity = 9.8;
  readonly massCart = 1.0;
  readonly massPole = 0.1;
  readonly totalMass = this.massPole + this.massCart;
  readonly length = 0.5;
  readonly poleMassLength = this.massPole * this.length;
  readonly forceMag = 10.0;
  readonly tau = 0.02;

  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(2);
  spec?: EnvSpec;

  private rng = new Rng(0);
  private state: number[] | null = null;
  private stepsBeyondTerminated: number | null = null;

  constructor() {
    const high = [X_THRESHOLD * 2, f32(3.4028234663852886e38), THETA_THRESHOLD * 2, f32(3.4028234663852886e38)].map(f32);
    this.observationSpace = new Box(
      high.map((h) => -h),
      high,
    );
  }

  reset(opts: ResetOptions = {}): ResetResult<number[]> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const low = typeof opts.options?.low === "number" ? opts.options.low : -0.05;
    const high = typeof opts.options?.high === "number" ? opts.options.high : 0.05;
    this.state = [0, 0, 0, 0].map(() => this.rng.uniform(low, high));
    this.stepsBeyondTerminated = null;
    return { observation: this.state.map(f32), info: {} };
  }

  step(action: number): StepResult<number[]> {
    if (!this.actionSpace.contains(action)) throw new RangeError(`CartPole: action must be 0 or 1, got ${String(action)}`);
    if (this.state === null) throw new Error("CartPole: call reset() before step()");
    let [x, xDot, theta, thetaDot] = this.state;
    const force = action === 1 ? this.forceMag : -this.forceMag;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + this.poleMassLength * thetaDot ** 2 * sin) / this.totalMass;
    const thetaAcc = (this.gravity * sin - cos * temp) / (this.length * (4.0 / 3.0 - (this.massPole * cos ** 2) / this.totalMass));
    const xAcc = temp - (this.poleMassLength * thetaAcc * cos) / this.totalMass;
    // Euler, in Gymnasium's order.
    x = x + this.tau * xDot;
    xDot = xDot + this.tau * xAcc;
    theta = theta + this.tau * thetaDot;
    thetaDot = thetaDot + this.tau * thetaAcc;
    this.state = [x, xDot, theta, thetaDot];

    const terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
    let reward: number;
    if (!terminated) reward = 1.0;
    else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0;
      reward = 1.0;
    } else {
      // Gymnasium warns here: stepping a terminated episode is undefined behaviour; it returns 0.
      this.stepsBeyondTerminated++;
      reward = 0.0;
    }
    return { observation: this.state.map(f32), reward, terminated, truncated: false, info: {} };
  }

  getState(): CartPoleState {
    return { state: this.state && [...this.state], stepsBeyondTerminated: this.stepsBeyondTerminated, rng: this.rng.state() };
  }

  setState(s: CartPoleState): void {
    this.state = s.state && [...s.state];
    this.stepsBeyondTerminated = s.stepsBeyondTerminated;
    this.rng = Rng.fromState(s.rng);
  }

  close(): void {}
}
