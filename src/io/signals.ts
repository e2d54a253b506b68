/**
 * SIGINT (Ctrl-C) and SIGTERM (kill, systemd, a queue's shutdown) are handled alike. While the process holds
 * something the `exit` handlers must clean up (a staging folder of a RunDir, a lock: both call
 * `holdForCleanup`), either signal exits with one line, 130 or 143, through `process.exit`, so that the `exit`
 * handlers run: staging folders are removed (RunDir) and locks released (Lock); finished work already saved
 * (partial stores, checkpoints) stays. A command that can stop more gently (finish the current update, save a
 * checkpoint) pushes its own handler with `onInterrupt`; a second signal while that handler runs exits at once.
 *
 * While it holds nothing (e.g. `negotiate` or `forecast` computing before they open their run directory), the
 * signals keep the operating system's default: the process ends at once, also inside a long synchronous
 * computation, where a JavaScript handler would only run after the computation (Ctrl-C ignored for minutes)
 * and would then find nothing to clean up.
 */
export type InterruptSignal = "SIGINT" | "SIGTERM";
type Handler = (signal: InterruptSignal, count: number) => void;

const handlers: Handler[] = [];
/** Whether the CLI asked for the handlers (installSignalHandlers); a library user keeps node's defaults. */
let wanted = false;
let listening = false;
/** Resources that need the exit handlers (held staging folders and locks). */
let holds = 0;
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

const onSigint = () => dispatch("SIGINT");
const onSigterm = () => dispatch("SIGTERM");

/** Listen exactly while there is something to clean up or a handler to call. */
function sync(): void {
  const need = wanted && (holds > 0 || handlers.length > 0);
  if (need && !listening) {
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
  } else if (!need && listening) {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
  listening = need;
}

let defaultMessage = "nothing half-written is left; finished results are kept";

/**
 * Handle SIGINT/SIGTERM as described above (idempotent); `message` is the line printed on an immediate stop.
 * The CLI calls it once; `run` calls it again with its own message.
 */
export function installSignalHandlers(message?: string): void {
  if (message !== undefined) defaultMessage = message;
  wanted = true;
  sync();
}

/** Handle the first SIGINT/SIGTERM with `handler` until the returned function is called. */
export function onInterrupt(handler: Handler): () => void {
  wanted = true;
  handlers.push(handler);
  sync();
  return () => {
    const i = handlers.lastIndexOf(handler);
    if (i >= 0) handlers.splice(i, 1);
    sync();
  };
}

/**
 * Declare something the exit handlers must clean up (RunDir and Lock call it); a signal then exits through
 * them. Returns the release (idempotent).
 */
export function holdForCleanup(): () => void {
  holds++;
  sync();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds--;
    sync();
  };
}

/** Whether SIGINT/SIGTERM are handled now (for tests). */
export function signalsHandled(): boolean {
  return listening;
}
