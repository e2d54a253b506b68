import type { Command } from "./commands/command.js";
import { UsageError } from "./io/errors.js";
import { environmentError } from "./io/fs-errors.js";
import { installSignalHandlers } from "./io/signals.js";

// Lazy, so that a command loads only what it needs (the market solver does not pay for TensorFlow.js).
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.js")).command,
  evaluate: async () => (await import("./commands/evaluate.js")).command,
  compare: async () => (await import("./commands/compare.js")).command,
  table: async () => (await import("./commands/table.js")).command,
  equilibrium: async () => (await import("./commands/equilibrium.js")).command,
  exploit: async () => (await import("./commands/exploit.js")).command,
  forecast: async () => (await import("./commands/forecast.js")).command,
  negotiate: async () => (await import("./commands/negotiate.js")).command,
  "contracts-sensitivity": async () => (await import("./commands/contracts-sensitivity.js")).command,
  ledger: async () => (await import("./commands/ledger.js")).command,
  review: async () => (await import("./commands/review.js")).command,
  hubs: async () => (await import("./commands/hubs.js")).command,
  train: async () => (await import("./commands/train.js")).command,
  dashboard: async () => (await import("./commands/dashboard.js")).command,
  worker: async () => (await import("./commands/worker.js")).command,
};

export function usage(): string {
  return [
    "usage: supplygym <command> [options]",
    "",
    "commands:",
    ...Object.keys(commands).map((n) => `  ${n}`),
    "",
    "Run `supplygym <command> --help` for a command's options.",
  ].join("\n");
}

async function summaries(): Promise<string> {
  const lines = ["usage: supplygym <command> [options]", "", "commands:"];
  for (const load of Object.values(commands)) {
    const c = await load();
    lines.push(`  ${c.name.padEnd(13)} ${c.summary}`);
  }
  lines.push("", "Run `supplygym <command> --help` for a command's options.");
  return lines.join("\n");
}

/** Run the CLI; returns the exit code (0 ok, 1 internal error, 2 bad input or usage). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      console.log(await summaries());
      return name === undefined ? 2 : 0;
    }
    const load = commands[name];
    if (!load) throw new UsageError(`unknown command "${name}"\n\n${usage()}`);
    const command = await load();
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(command.help);
      return 0;
    }
    return await command.run(rest);
  } catch (err) {
    const usage = err instanceof UsageError ? err : environmentError(err);
    if (usage) {
      console.error(`supplygym: ${usage.message}`);
      return usage.exitCode;
    }
    console.error(err);
    return 1;
  }
}

/**
 * Process-level guards of the `supplygym` executable: SIGINT/SIGTERM exit through the exit handlers (staging
 * removed, locks released); a closed stdout (`supplygym ... | head -1`) ends the process with one line on
 * stderr and exit 2 instead of an EPIPE stack trace (whatever was committed before stays committed).
 */
export function installProcessGuards(): void {
  installSignalHandlers();
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") {
      process.stderr.write("supplygym: standard output was closed by the reader (EPIPE); output stopped\n");
      process.exit(2);
    }
    throw err;
  });
}

const invokedDirectly = process.argv[1] !== undefined && /cli\.[tj]s$/.test(process.argv[1]);
if (invokedDirectly) {
  installProcessGuards();
  process.exitCode = await main(process.argv.slice(2));
}
