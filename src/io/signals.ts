/**
 * SIGINT (Ctrl-C) and SIGTERM (kill, systemd, a queue's shutdown) are handled alike. By default either exits at
 * once with one line, 130 or 143, through `process.exit`, so that the `exit` handlers run: staging folders are
 * removed (RunDir) and locks released (Lock); finished work already saved (partial stores, checkpoints) stays.
 * A command that can stop more gently (finish the current update, save a checkpoint) pushes its own handler
 * with `onInterrupt`; a second signal while that handler runs exits at once.
 */
export type InterruptSignal = "SIGINT" | "SIGTERM";
type Handler = (signal: InterruptSignal, count: number) => void;

const handlers: Handler[] = [];
let installed = false;
let count = 0;

export function signalExitCode(signal: InterruptSignal): number {
  return signal === "SIGINT" ? 130 : 143;
}

function dispatch(signal: InterruptSignal): void {
  count++;
  const h = handlers[handlers.length - 1];
  if (h && count === 1) {
    h(signal, count);
    return;
  }
  process.stderr.write(`\nsupplygym: ${signal}: stopped${defaultMessage ? `; ${defaultMessage}` : ""}\n`);
  process.exit(signalExitCode(signal));
}

let defaultMessage = "nothing half-written is left; finished results are kept";

/** Install the SIGINT/SIGTERM listeners (idempotent); `message` is the line printed on an immediate stop. */
export function installSignalHandlers(message?: string): void {
  if (message !== undefined) defaultMessage = message;
  if (installed) return;
  installed = true;
  process.on("SIGINT", () => dispatch("SIGINT"));
  process.on("SIGTERM", () => dispatch("SIGTERM"));
}

/** Handle the first SIGINT/SIGTERM with `handler` until the returned function is called. */
export function onInterrupt(handler: Handler): () => void {
  installSignalHandlers();
  handlers.push(handler);
  return () => {
    const i = handlers.lastIndexOf(handler);
    if (i >= 0) handlers.splice(i, 1);
  };
}
