import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { EventFileWriter } from "./tensorboard.js";

/** One learning-curve point as it is produced; `agent` is set on an independent learner's own curve. */
export interface LivePoint {
  step: number;
  metric: string;
  value: number;
  agent?: string;
}

/** The TensorBoard tag of a point: its metric, with `/<agent>` appended for a per-agent curve. */
export function liveTag(p: LivePoint): string {
  return p.agent === undefined ? p.metric : `${p.metric}/${p.agent}`;
}

/**
 * The live metrics of one training run: `<dir>/<name>.jsonl` (one JSON object per point, NaN as null, appended and
 * written through with `writeSync` after every update, so `tail -f` or a notebook sees them mid-run) and TensorBoard
 * event files in `<dir>/<name>/`. Both are outside any run directory's staging area; they are progress logs, not
 * results (the results are the CSVs of the committed run directory). Opening truncates an earlier log of the same name
 * (a task that runs again starts its curve again).
 */
export class LiveLog {
  readonly jsonl: string;
  readonly events: EventFileWriter;
  private fd: number;

  constructor(dir: string, name: string) {
    this.jsonl = join(dir, `${name}.jsonl`);
    mkdirSync(dirname(this.jsonl), { recursive: true });
    this.fd = openSync(this.jsonl, "w");
    this.events = new EventFileWriter(join(dir, name));
  }

  /** Append the points of one update (all at the same step for TensorBoard's event). */
  append(points: readonly LivePoint[]): void {
    if (points.length === 0) return;
    const text =
      points
        .map((p) =>
          JSON.stringify({
            step: p.step,
            metric: p.metric,
            ...(p.agent === undefined ? {} : { agent: p.agent }),
            value: Number.isFinite(p.value) ? p.value : null,
          }),
        )
        .join("\n") + "\n";
    writeSync(this.fd, text);
    const bySteps = new Map<number, { tag: string; value: number }[]>();
    for (const p of points) {
      let list = bySteps.get(p.step);
      if (!list) bySteps.set(p.step, (list = []));
      list.push({ tag: liveTag(p), value: p.value });
    }
    for (const [step, values] of bySteps) this.events.scalars(step, values);
  }

  close(): void {
    closeSync(this.fd);
    this.events.close();
  }
}
