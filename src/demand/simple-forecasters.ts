import { BaseForecaster } from "./forecaster.js";

/** Ring buffer of the last `size` observations. */
class Window {
  readonly data: Float64Array;
  /** Index of the next write; data[(next - 1 + size) % size] is the latest. */
  next = 0;
  count = 0;
  constructor(readonly size: number) {
    this.data = new Float64Array(size);
  }
  clear(): void {
    this.next = 0;
    this.count = 0;
  }
  push(y: number): void {
    this.data[this.next] = y;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
  }
  /** The value `back` periods ago (1 = latest). */
  ago(back: number): number {
    return this.data[(this.next - back + this.size * 2) % this.size];
  }
}

/** yhat_{t+h} = y_t: the last value. */
export class NaiveForecaster extends BaseForecaster {
  readonly name = "naive";
  readonly minHistory = 1;
  private last = 0;
  constructor(horizon = 3) {
    super(horizon);
  }
  protected init(history: readonly number[]): void {
    this.last = history[history.length - 1];
  }
  protected update(y: number): void {
    this.last = y;
  }
  protected predict(out: Float64Array): void {
    out.fill(this.last);
  }
}

/** yhat_{t+h} = y_{t+h-m*ceil(h/m)}: the same period of the last season. */
export class SeasonalNaiveForecaster extends BaseForecaster {
  readonly name = "seasonal-naive";
  readonly minHistory: number;
  private readonly win: Window;
  constructor(
    readonly period: number,
    horizon = 3,
  ) {
    super(horizon);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`seasonal-naive: period must be a positive integer, got ${period}`);
    this.minHistory = period;
    this.win = new Window(period);
  }
  protected init(history: readonly number[]): void {
    this.win.clear();
    for (let i = history.length - this.period; i < history.length; i++) this.win.push(history[i]);
  }
  protected update(y: number): void {
    this.win.push(y);
  }
  protected predict(out: Float64Array): void {
    const m = this.period;
    for (let h = 1; h <= out.length; h++) out[h - 1] = this.win.ago(m * Math.ceil(h / m) - h + 1);
  }
  protected override params() {
    return { period: this.period };
  }
}

/** yhat_{t+h} = mean of the last `window` values. */
export class MovingAverageForecaster extends BaseForecaster {
  readonly name = "moving-average";
  readonly minHistory: number;
  private readonly win: Window;
  constructor(
    readonly window = 4,
    horizon = 3,
  ) {
    super(horizon);
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`moving-average: window must be a positive integer, got ${window}`);
    this.minHistory = window;
    this.win = new Window(window);
  }
  protected init(history: readonly number[]): void {
    this.win.clear();
    for (let i = history.length - this.window; i < history.length; i++) this.win.push(history[i]);
  }
  protected update(y: number): void {
    this.win.push(y);
  }
  protected predict(out: Float64Array): void {
    // Summed afresh each time (the window is short): no drift of a running sum over long episodes.
    let sum = 0;
    for (let i = 0; i < this.win.count; i++) sum += this.win.data[i];
    out.fill(sum / this.win.count);
  }
  protected override params() {
    return { window: this.window };
  }
}
