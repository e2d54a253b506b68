import type { Command } from "./command.js";
import { UsageError } from "../io/errors.js";
import { parseQueueUrl, serveQueues } from "../experiments/queue.js";
import { onInterrupt, signalExitCode, type InterruptSignal } from "../io/signals.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--lock-seconds S]

Take the tasks of experiments submitted with \`supplygym run <experiment> --queue URL\` and run them, one
worker thread per concurrent task, exactly as a local run does; the results go back to the submitter, which
writes the run directory. Run it from a clone of the submitter's commit (npm ci): a worker refuses (exit 2) a
queue of another code version. It serves queues one after another and waits for new ones until Ctrl-C or
SIGTERM (the task it was running goes back to the queue and another worker takes it).

  --queue URL         the Redis server, e.g. redis://10.0.0.5:6379/0
  --concurrency N     tasks at once (default 1; one per core on a dedicated machine)
  --lock-seconds S    a task whose worker stops answering for S seconds is run by another worker (default 15)

Exit code 2 on bad input, an unreachable Redis (5 s) or a queue of another code version.`;

export const command: Command = {
  name: "worker",
  summary: "take the tasks of queued experiments from Redis and run them (run --queue)",
  help,
  async run(argv) {
    const { positionals, values } = parseCommandArgs(
      "worker",
      argv,
      { queue: { type: "string" }, concurrency: { type: "string" }, "lock-seconds": { type: "string" } },
      help,
    );
    if (positionals.length > 0) throw new UsageError(`worker: unexpected argument "${positionals[0]}"\n\n${help}`);
    if (typeof values.queue !== "string") throw new UsageError(`worker: --queue redis://HOST:PORT[/DB] is required\n\n${help}`);
    const url = parseQueueUrl(values.queue);
    const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
      throw new UsageError(`worker: --concurrency must be an integer from 1 to 256, got "${values.concurrency}"`);
    const lockSeconds = values["lock-seconds"] === undefined ? 15 : Number(values["lock-seconds"]);
    if (!Number.isFinite(lockSeconds) || lockSeconds < 1 || lockSeconds > 3600)
      throw new UsageError(`worker: --lock-seconds must be a number from 1 to 3600, got "${values["lock-seconds"]}"`);
    // The first SIGINT/SIGTERM stops gently (close the queue connections); a second one exits at once.
    let signal: InterruptSignal | undefined;
    let release = () => {};
    const stop = new Promise<void>((resolve) => {
      release = onInterrupt((s) => {
        signal = s;
        process.stderr.write(`\nworker: ${s}: stopping; a running task goes back to the queue for another worker\n`);
        resolve();
      });
    });
    try {
      await serveQueues({ url, concurrency, lockMs: lockSeconds * 1000, stop });
    } finally {
      release();
    }
    return signal ? signalExitCode(signal) : 0;
  },
};
