import type { Command } from "./commands/command.js";
import { UsageError } from "./io/errors.js";

// Lazy, so that a command loads only what it needs (the market solver does not pay for TensorFlow.js).
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.js")).command,
  evaluate: async () => (await import("./commands/evaluate.js")).command,
  compare: async () => (await import("./commands/compare.js")).command,
  equilibrium: async () => (await import("./commands/equilibrium.js")).command,
  forecast: async () => (await import("./commands/forecast.js")).command,
  negotiate: async () => (await import("./commands/negotiate.js")).command,
  ledger: async () => (await import("./commands/ledger.js")).command,
  review: async () => (await import("./commands/review.js")).command,
  hubs: async () => (await import("./commands/hubs.js")).command,
  train: async () => (await import("./commands/train.js")).command,
  dashboard: async () => (await import("./commands/dashboard.js")).command,
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
    if (err instanceof UsageError) {
      console.error(`supplygym: ${err.message}`);
      return err.exitCode;
    }
    console.error(err);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /cli\.[tj]s$/.test(process.argv[1]);
if (invokedDirectly) {
  process.exitCode = await main(process.argv.slice(2));
}
