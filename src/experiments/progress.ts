import cliProgress from "cli-progress";

/**
 * One combined progress display for all tasks of a run. On a TTY: a single cli-progress bar whose position is
 * the sum of every task's progress, with the count of finished tasks and the running ones. Otherwise (CI,
 * files, pipes): plain lines, one when a task starts and one when it finishes.
 */
export interface Progress {
  start(key: string): void;
  update(key: string, fraction: number): void;
  finish(key: string, note?: string): void;
  /** A line of text outside the bar (e.g. "resuming: 3 of 6 tasks already done"). */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  /** Tasks already done (resumed); they count as finished from the start. */
  done?: number;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Force the TTY bar on or off (default: the stream's isTTY). */
  tty?: boolean;
  /** Hide everything. */
  quiet?: boolean;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const total = opts.total;
  let done = opts.done ?? 0;
  const running = new Map<string, number>();
  if (opts.quiet) return { start() {}, update() {}, finish() {}, log() {}, stop() {} };
  const position = () => done + [...running.values()].reduce((a, b) => a + b, 0);
  const runningText = () => [...running.keys()].map((k) => k.replace(/^task-/, "")).join(", ");

  if (opts.tty ?? Boolean(stream.isTTY)) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WriteStream,
        format: "{bar} {percentage}% | {done}/{tasks} tasks | eta {eta_formatted} | {running}",
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    const scale = 1000; // the bar counts thousandths of a task
    bar.start(total * scale, Math.round(done * scale), { done, tasks: total, running: "" });
    const refresh = () => bar.update(Math.round(position() * scale), { done, tasks: total, running: runningText() });
    return {
      start(key) {
        running.set(key, 0);
        refresh();
      },
      update(key, f) {
        running.set(key, Math.min(1, Math.max(0, f)));
        refresh();
      },
      finish(key) {
        running.delete(key);
        done++;
        refresh();
      },
      log(line) {
        bar.stop();
        stream.write(line + "\n");
        bar.start(total * scale, Math.round(position() * scale), { done, tasks: total, running: runningText() });
      },
      stop() {
        bar.stop();
      },
    };
  }

  const started = new Map<string, number>();
  const width = String(total).length;
  return {
    start(key) {
      running.set(key, 0);
      started.set(key, Date.now());
      stream.write(`[${String(done).padStart(width)}/${total}] start  ${key}\n`);
    },
    update(key, f) {
      running.set(key, f);
    },
    finish(key, note) {
      running.delete(key);
      done++;
      const secs = ((Date.now() - (started.get(key) ?? Date.now())) / 1000).toFixed(1);
      stream.write(`[${String(done).padStart(width)}/${total}] done   ${key} (${secs} s${note ? `, ${note}` : ""})\n`);
    },
    log(line) {
      stream.write(line + "\n");
    },
    stop() {},
  };
}
