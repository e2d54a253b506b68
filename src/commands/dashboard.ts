import { existsSync, statSync } from "node:fs";
import { UsageError } from "../io/errors.js";
import { onInterrupt } from "../io/signals.js";
import { parseCommandArgs } from "./args.js";
import type { Command } from "./command.js";
import { startDashboard } from "./dashboard-server.js";

const help = `usage: supplygym dashboard [results-dir] [--port P] [--host H]

Serve a local page that lists the runs under results-dir (default results/), shows the live learning
curves of running tasks (from <experiment>/.live/*.jsonl, updated by server-sent events) and each
finished run's summary table and figures. Read-only; stop it with Ctrl-C.

  results-dir   the results root (an experiment's "output"; default results)
  --port P      port to listen on (default 8350; 0: any free port)
  --host H      address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 exposes it to the network)`;

export const command: Command = {
  name: "dashboard",
  summary: "serve a local page with live learning curves and finished runs' summaries",
  help,
  async run(argv) {
    const { positionals, values } = parseCommandArgs("dashboard", argv, { port: { type: "string" }, host: { type: "string" } }, help);
    if (positionals.length > 1)
      throw new UsageError(`dashboard: expected at most one results directory, got ${positionals.length}\n\n${help}`);
    const root = positionals[0] ?? "results";
    if (positionals[0] !== undefined && (!existsSync(root) || !statSync(root).isDirectory()))
      throw new UsageError(`dashboard: ${root}: no such directory`);
    const port = values.port === undefined ? 8350 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`dashboard: --port must be an integer in 0..65535, got "${values.port}"`);
    const dash = await startDashboard({ root, port, host: values.host });
    console.log(`dashboard: serving ${root} at ${dash.url} (Ctrl-C stops it)`);
    // Ctrl-C or SIGTERM closes the server and exits 0 (a second signal exits at once: io/signals.ts).
    await new Promise<void>((ok) => {
      const off = onInterrupt(() => {
        off();
        void dash.close().then(ok);
      });
    });
    return 0;
  },
};
