import { createReadStream, existsSync, openSync, readdirSync, readFileSync, readSync, closeSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join, resolve, sep } from "node:path";
import { UsageError } from "../io/errors.js";
import { DASHBOARD_PAGE } from "./dashboard-page.js";

/**
 * The dashboard's HTTP server (node:http, no framework). Read-only over a results root laid out as the runner
 * writes it: `<root>/<experiment>/<run-id>/` (committed runs: summary.csv, *.svg) and `<root>/<experiment>/.live/
 * <task>.jsonl` (curves of running or finished trainings). Routes:
 * - `/`: the page (plain HTML and JS, inline SVG charts);
 * - `/api/runs`: experiments, their runs (with summary rows and figure names) and live logs, as JSON;
 * - `/api/live?experiment=E&task=T`: server-sent events, one `data:` message per new line of the task's .jsonl;
 * - `/files/<experiment>/<run-id>/<name>.svg`: a run's figure.
 * Every path from a request is checked to stay inside the root.
 */

export interface DashboardOptions {
  root: string;
  port?: number;
  host?: string;
  /** How often live files are polled for new lines (ms; default 250). */
  pollMs?: number;
}

export interface Dashboard {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const NAME_RE = /^[\w.-]+$/;
const safe = (s: string | null | undefined): s is string => typeof s === "string" && NAME_RE.test(s) && s !== "." && s !== "..";

function parseCsv(text: string): Record<string, string>[] {
  const lines = text
    .trim()
    .split("\n")
    .filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const split = (line: string) => {
    const out: string[] = [];
    let cur = "";
    let q = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (q) {
        if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
        else if (ch === '"') q = false;
        else cur += ch;
      } else if (ch === '"') q = true;
      else if (ch === ",") out.push(cur), (cur = "");
      else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0]);
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [head[i], v])));
}

/** What `/api/runs` returns. */
export function listRuns(root: string) {
  const experiments: {
    name: string;
    runs: { id: string; mtime: number; summary: Record<string, string>[]; figures: string[] }[];
    live: { task: string; mtime: number; size: number }[];
  }[] = [];
  if (!existsSync(root)) return { root, experiments };
  for (const exp of readdirSync(root, { withFileTypes: true })) {
    if (!exp.isDirectory() || exp.name.startsWith(".")) continue;
    const dir = join(root, exp.name);
    const runs = [];
    for (const run of readdirSync(dir, { withFileTypes: true })) {
      if (!run.isDirectory() || run.name.startsWith(".")) continue;
      const rd = join(dir, run.name);
      const files = readdirSync(rd);
      const summary = files.includes("summary.csv") ? parseCsv(readFileSync(join(rd, "summary.csv"), "utf8")) : [];
      runs.push({ id: run.name, mtime: statSync(rd).mtimeMs, summary, figures: files.filter((f) => f.endsWith(".svg")).sort() });
    }
    runs.sort((a, b) => b.mtime - a.mtime || (a.id < b.id ? 1 : -1));
    const liveDir = join(dir, ".live");
    const live = existsSync(liveDir)
      ? readdirSync(liveDir)
          .filter((f) => f.endsWith(".jsonl"))
          .map((f) => {
            const st = statSync(join(liveDir, f));
            return { task: f.slice(0, -".jsonl".length), mtime: st.mtimeMs, size: st.size };
          })
          .sort((a, b) => (a.task < b.task ? -1 : 1))
      : [];
    if (runs.length > 0 || live.length > 0) experiments.push({ name: exp.name, runs, live });
  }
  experiments.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { root, experiments };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

/** Stream the lines of a growing file as server-sent events: everything so far, then what is appended. */
function streamLive(file: string, req: IncomingMessage, res: ServerResponse, pollMs: number): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  res.write(": supplygym live\n\n");
  let offset = 0;
  let rest = "";
  const buf = Buffer.alloc(1 << 16);
  const poll = () => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < offset) (offset = 0), (rest = ""), res.write("event: reset\ndata: {}\n\n"); // truncated: the task started again
    if (size === offset) return;
    const fd = openSync(file, "r");
    try {
      while (offset < size) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
        if (n <= 0) break;
        offset += n;
        rest += buf.subarray(0, n).toString("utf8");
      }
    } finally {
      closeSync(fd);
    }
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    if (lines.length > 0) res.write(`data: [${lines.filter((l) => l.trim() !== "").join(",")}]\n\n`);
  };
  poll();
  const timer = setInterval(poll, pollMs);
  req.on("close", () => clearInterval(timer));
}

/**
 * Start the dashboard. Resolves once it listens; a port in use (or another listen error) rejects with a UsageError
 * saying what to do.
 */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const root = resolve(opts.root);
  const host = opts.host ?? "127.0.0.1";
  const pollMs = opts.pollMs ?? 250;
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (req.method !== "GET") return send(res, 405, "text/plain", "GET only\n");
      if (url.pathname === "/") return send(res, 200, "text/html; charset=utf-8", DASHBOARD_PAGE);
      if (url.pathname === "/api/runs") return send(res, 200, "application/json", JSON.stringify(listRuns(root)));
      if (url.pathname === "/api/live") {
        const exp = url.searchParams.get("experiment");
        const task = url.searchParams.get("task");
        if (!safe(exp) || !safe(task)) return send(res, 400, "text/plain", "experiment and task must be names\n");
        return streamLive(join(root, exp, ".live", `${task}.jsonl`), req, res, pollMs);
      }
      const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+\.svg)$/.exec(url.pathname);
      if (m) {
        const [exp, run, name] = m.slice(1).map(decodeURIComponent);
        if (!safe(exp) || !safe(run) || !safe(name) || exp.startsWith(".") || run.startsWith("."))
          return send(res, 400, "text/plain", "bad path\n");
        const file = join(root, exp, run, name);
        if (!file.startsWith(root + sep) || !existsSync(file)) return send(res, 404, "text/plain", "no such figure\n");
        res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "no-store" });
        createReadStream(file).pipe(res);
        return;
      }
      send(res, 404, "text/plain", "not found\n");
    } catch (err) {
      send(res, 500, "text/plain", `${(err as Error).message}\n`);
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE")
        fail(
          new UsageError(
            `dashboard: port ${opts.port} on ${host} is in use; pass another --port (or --port 0 for any free one), or stop the program using it`,
          ),
        );
      else if (err.code === "EACCES")
        fail(new UsageError(`dashboard: not allowed to listen on port ${opts.port} of ${host}; pass a --port above 1024`));
      else fail(new UsageError(`dashboard: cannot listen on ${host}:${opts.port} (${err.code ?? err.message})`));
    });
    server.listen(opts.port ?? 8350, host, () => ok());
  });
  const addr = server.address() as import("node:net").AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}/`,
    server,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
