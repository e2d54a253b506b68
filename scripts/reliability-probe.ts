// Reliability probe: runs the supplygym CLI as child processes on tiny experiment configs in a temporary
// directory and classifies how every case ends (docs/reliability.md "Probe").
//
//   npx tsx scripts/reliability-probe.ts [--quick] [--out FILE] [--cli PATH/src/cli.ts] [--jobs N]
//                                        [--only input,fault,ledger,market] [--grep REGEX] [--keep] [--list]
//   npx tsx scripts/reliability-probe.ts --diff BEFORE.json AFTER.json
//
// Case classes: input (bad inputs for every command: missing and invalid files, wrong types, names that
// would escape their folder, extreme counts), fault (SIGTERM/SIGKILL and resume, concurrent processes on one
// experiment, --out, models or checkpoint folder, ENOSPC, EROFS, EACCES, EISDIR, EPIPE), ledger (tamperings
// against `ledger verify`, unkeyed and keyed), market (generated and edge markets through `equilibrium`).
// Outcomes: pass (expected success), clean (the expected refusal: exit 2, or 1 for a tampered ledger, with a
// `supplygym:` message naming the field, no stack trace, nothing left behind), unclear (refused cleanly but the
// message does not name the field or file), leftover (staging, temp or lock files, empty or unwanted folders,
// files outside the case folder), wrong (exit 0 where it should fail, Inf/NaN in a CSV, results that differ
// from an uninterrupted run), crash (exit 1, a stack trace, death by a signal), hang (timeout), n/a (the
// command or flag does not exist in the checkout probed, or the machine cannot set the fault up).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createHash, randomBytes } from "node:crypto";
import { Rng } from "../src/core/rng.js";
import { randomMarket } from "../src/market/generate.js";

type Klass = "input" | "fault" | "ledger" | "market";
type Outcome = "pass" | "clean" | "unclear" | "leftover" | "wrong" | "crash" | "hang" | "n/a";
const OUTCOMES: Outcome[] = ["pass", "clean", "unclear", "leftover", "wrong", "crash", "hang", "n/a"];
const CLASSES: Klass[] = ["input", "fault", "ledger", "market"];

interface Verdict {
  outcome: Outcome;
  exit?: number | null;
  signal?: string | null;
  ms?: number;
  message?: string;
  leftovers?: string[];
  note?: string;
  /** The end of stderr, for outcomes other than pass and clean. */
  tail?: string;
}

interface CaseDef {
  id: string;
  klass: Klass;
  command: string;
  title: string;
  /** Included in --quick. */
  quick: boolean;
  /** Flags the case needs (n/a when `<command> --help` does not list them). */
  flags?: string[];
  /** Other commands it needs. */
  commands?: string[];
  exec(c: Ctx): Promise<Verdict>;
}

interface Res {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

interface Ctx {
  id: string;
  /** The case's folder; everything the case may touch lies in it. */
  dir: string;
  /** The working directory of the CLI (dir/w). */
  w: string;
  timeoutMs: number;
}

// ---------------------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const here = dirname(fileURLToPath(import.meta.url));
const thisRepo = resolve(here, "..");

if (flag("--diff")) {
  const i = argv.indexOf("--diff");
  diff(argv[i + 1], argv[i + 2]);
  process.exit(0);
}
if (flag("--help") || flag("-h")) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), "utf8")
      .split("\nimport ")[0]
      .replace(/^\/\/ ?/gm, ""),
  );
  process.exit(0);
}

const QUICK = flag("--quick");
const CLI = resolve(value("--cli") ?? join(thisRepo, "src/cli.ts"));
const ROOT = resolve(dirname(CLI), "..");
const JOBS = Number(value("--jobs") ?? 2);
const ONLY = value("--only")?.split(",") as Klass[] | undefined;
const GREP = value("--grep") ? new RegExp(value("--grep")!) : undefined;
const KEEP = flag("--keep");
const OUT = resolve(value("--out") ?? join("results", "reliability-probe", `${QUICK ? "quick" : "full"}-${basename(ROOT)}.json`));
const BAD_TIMEOUT = Number(value("--timeout") ?? (QUICK ? 40 : 60)) * 1000;
const LOADER = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const TMP = mkdtempSync(join(tmpdir(), "sg-probe-"));
chmodSync(TMP, 0o755);
const FX = join(TMP, "fx");
const CASES = join(TMP, "c");
const OUTSIDE = join(TMP, "outside");
for (const d of [FX, CASES, OUTSIDE]) mkdirSync(d, { mode: 0o755 });
const mounts = new Set<string>();
process.on("exit", () => {
  for (const m of mounts) spawnSync("umount", ["-l", m]);
  if (!KEEP) rmSync(TMP, { recursive: true, force: true });
});
process.on("SIGINT", () => process.exit(130));

// ---------------------------------------------------------------------------------------------------------
// Running the CLI

interface RunOpts {
  cwd: string;
  timeoutMs?: number;
  asNobody?: boolean;
  /** Called with every chunk of stderr; may signal the child. */
  onStderr?: (all: string, child: ChildProcess) => void;
  onStdout?: (all: string, child: ChildProcess) => void;
}

/** `npx supplygym` runs bin/supplygym.js (tsx registered there); a checkout without it runs src/cli.ts under tsx. */
const BIN = join(ROOT, "bin", "supplygym.js");
function nodeArgs(args: string[]): string[] {
  return ["--max-old-space-size=2048", ...(existsSync(BIN) ? [BIN] : ["--import", LOADER, CLI]), ...args];
}

function start(args: string[], o: RunOpts): { child: ChildProcess; done: Promise<Res> } {
  const t0 = performance.now();
  const [cmd, cmdArgs] = o.asNobody
    ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", process.execPath, ...nodeArgs(args)]]
    : [process.execPath, nodeArgs(args)];
  const child = spawn(cmd, cmdArgs as string[], {
    cwd: o.cwd,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  child.stdout!.on("data", (d) => {
    stdout += d;
    o.onStdout?.(stdout, child);
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
    o.onStderr?.(stderr, child);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, "SIGKILL");
  }, o.timeoutMs ?? BAD_TIMEOUT);
  const done = new Promise<Res>((ok) =>
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      ok({ code, signal, stdout, stderr, ms: performance.now() - t0, timedOut });
    }),
  );
  return { child, done };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}

const run = (args: string[], o: RunOpts) => start(args, o).done;

/** A shell pipeline `supplygym ARGS | READER`; the exit code is the CLI's (PIPESTATUS[0]). */
async function runPiped(args: string[], reader: string, o: RunOpts): Promise<Res> {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = `${[process.execPath, ...nodeArgs(args)].map(q).join(" ")} | ${reader}; echo "probe-exit=\${PIPESTATUS[0]}" >&2`;
  const t0 = performance.now();
  const child = spawn("bash", ["-c", line], { cwd: o.cwd, env: { ...process.env, FORCE_COLOR: "0" }, detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, "SIGKILL");
  }, o.timeoutMs ?? BAD_TIMEOUT);
  await new Promise((ok) => child.on("close", ok));
  clearTimeout(timer);
  const m = /probe-exit=(\d+)\n/.exec(stderr);
  const code = m ? Number(m[1]) : null;
  const signal = code !== null && code > 128 ? `exit ${code}` : null;
  return { code, signal, stdout, stderr: stderr.replace(/probe-exit=\d+\n/, ""), ms: performance.now() - t0, timedOut };
}

// ---------------------------------------------------------------------------------------------------------
// Judging

const STACK = /\n\s+at .+[:(]\d+|^\s+at .+:\d+:\d+/m;

/** Every path under `dir` (relative, folders with a trailing /). */
function listTree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(join(dir, prefix));
  } catch {
    return out;
  }
  for (const n of names) {
    const rel = prefix ? `${prefix}/${n}` : n;
    let st;
    try {
      st = statSync(join(dir, rel));
    } catch {
      out.push(rel);
      continue;
    }
    if (st.isDirectory()) {
      out.push(`${rel}/`);
      out.push(...listTree(dir, rel));
    } else out.push(rel);
  }
  return out;
}

const isEmptyDir = (p: string) => {
  try {
    return statSync(p).isDirectory() && readdirSync(p).length === 0;
  } catch {
    return false;
  }
};

/** Files no finished or cleanly stopped process may leave: staging, temp and lock files, empty folders. */
function debris(dir: string, paths: string[]): string[] {
  return paths.filter((p) => {
    const name = basename(p.replace(/\/$/, ""));
    if (/^\.tmp-/.test(name) || /\.tmp$/.test(name) || /\.lock$/.test(name) || /\.break$/.test(name)) return true;
    return p.endsWith("/") && isEmptyDir(join(dir, p)) && !/^(w\/)?((ro|mnt)\/)?$/.test(p);
  });
}

function firstLine(s: string): string {
  return (
    s
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.slice(0, 300) ?? ""
  );
}

/** The line of a stack trace that says what was thrown. */
function errorLine(s: string): string {
  return (s.split("\n").find((l) => /Error|error:|ENO|EACC|EISDIR/.test(l)) ?? firstLine(s)).trim().slice(0, 200);
}

function outsideWrites(id: string): string[] {
  const p = join(OUTSIDE, id);
  return existsSync(p) ? [`OUTSIDE ${p}`] : [];
}

/**
 * Classify one invocation. `exit` is the expected exit code: 2 (a refusal), 1 (a tampered ledger) or 0.
 * For a refusal every new path is a leftover; for a success only debris is.
 */
function judge(
  r: Res,
  exit: 0 | 1 | 2,
  opts: { mentions?: RegExp; created?: string[]; dir?: string; id?: string; csvDir?: string; nanCsvs?: RegExp } = {},
): Verdict {
  const base: Verdict = { outcome: "pass", exit: r.code, signal: r.signal, ms: Math.round(r.ms), message: firstLine(r.stderr) };
  const created = opts.created ?? [];
  const outside = opts.id ? outsideWrites(opts.id) : [];
  if (r.timedOut) return { ...base, outcome: "hang", note: `no exit within ${Math.round(r.ms / 1000)} s` };
  if (r.signal) return { ...base, outcome: "crash", note: `died by ${r.signal}` };
  if (STACK.test(r.stderr)) return { ...base, outcome: "crash", note: `stack trace: ${errorLine(r.stderr)}`, tail: r.stderr.slice(-1500) };
  if (exit === 0) {
    if (r.code !== 0) return { ...base, outcome: r.code === 2 ? "wrong" : "crash", note: `expected success, got exit ${r.code}` };
    const left = [...debris(opts.dir ?? "", created), ...outside];
    if (left.length > 0) return { ...base, outcome: "leftover", leftovers: left };
    if (opts.csvDir) {
      const bad = nonFinite(opts.csvDir, opts.nanCsvs);
      if (bad.length > 0) return { ...base, outcome: "wrong", note: bad.slice(0, 3).join("; ") };
    }
    return base;
  }
  if (r.code === 0) {
    const bad = opts.csvDir ? nonFinite(opts.csvDir, /./) : [];
    return { ...base, outcome: "wrong", note: `exit 0, expected ${exit}${bad.length ? `; ${bad[0]}` : ""}`, leftovers: created };
  }
  if (r.code !== exit) {
    // exit 1 for a refusal is an internal error; exit 2 for a tampered ledger is a refusal that misnames the cause
    return { ...base, outcome: r.code === 1 ? "crash" : "unclear", note: `exit ${r.code}, expected ${exit}` };
  }
  const left = [...created, ...outside];
  if (left.length > 0) return { ...base, outcome: "leftover", leftovers: left.slice(0, 8) };
  if (!/supplygym|ledger|line \d/.test(r.stderr) || (opts.mentions && !opts.mentions.test(r.stderr)))
    return { ...base, outcome: "unclear", note: opts.mentions ? `message does not match ${opts.mentions}` : "no message" };
  return { ...base, outcome: "clean" };
}

/** Cells of CSVs under `dir` that are Infinity (always) or NaN (files matching `nanFiles`). */
function nonFinite(dir: string, nanFiles?: RegExp): string[] {
  const bad: string[] = [];
  for (const p of listTree(dir)) {
    if (!p.endsWith(".csv")) continue;
    const text = readFileSync(join(dir, p), "utf8");
    const lines = text.split("\n");
    const header = lines[0].split(",");
    lines.slice(1).forEach((l, i) => {
      l.split(",").forEach((cell, j) => {
        if (/^[-+]?(Inf|Infinity)$/i.test(cell) || (nanFiles?.test(p) && /^NaN$/i.test(cell)))
          bad.push(`${p} row ${i + 1} ${header[j] ?? j} = ${cell}`);
      });
    });
  }
  return bad;
}

const TIMING = /(^|[_/])(time|elapsed|seconds|duration|wall|sps)([_/]|$)|steps_per_second|_s$/i;

/** The CSVs of a run directory with timing columns and rows removed, keyed by file. */
function csvContents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of listTree(dir)
    .filter((p) => p.endsWith(".csv"))
    .sort()) {
    const lines = readFileSync(join(dir, p), "utf8").split("\n");
    const header = lines[0].split(",");
    const keep = header.map((h) => !TIMING.test(h));
    out[p] = lines
      .filter((l, i) => i === 0 || !l.split(",").some((c) => TIMING.test(c) && /[a-z]/i.test(c) && !/^[-+\d.e]+$/i.test(c)))
      .map((l) =>
        l
          .split(",")
          .filter((_, j) => keep[j] ?? true)
          .join(","),
      )
      .join("\n");
  }
  return out;
}

function sameCsvs(a: string, b: string): string | undefined {
  const x = csvContents(a);
  const y = csvContents(b);
  const files = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  for (const f of files) {
    if (x[f] === undefined || y[f] === undefined) return `${f} only in one run`;
    if (x[f] !== y[f]) {
      const lx = x[f].split("\n");
      const ly = y[f].split("\n");
      const i = lx.findIndex((l, k) => l !== ly[k]);
      return `${f} differs at line ${i + 1}`;
    }
  }
  return undefined;
}

const runDirOf = (stdout: string) => /run directory: (.+)/.exec(stdout)?.[1]?.trim();

// ---------------------------------------------------------------------------------------------------------
// Inputs: tiny configs derived from the probed checkout's own experiment files

const exp = (f: string) => JSON.parse(readFileSync(join(ROOT, "experiments", f), "utf8"));
type J = Record<string, any>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

const ppo = { name: "ppo", hyperparameters: { numSteps: 16, numMinibatches: 2, updateEpochs: 1 } };
const marketExp = (): J => ({
  name: "tinym",
  scenario: "market",
  env: { id: "MarketBiddingParallel-v0", options: { episodeLength: 4 } },
  conditions: [
    { name: "analytic", learned: [] },
    { name: "one", learned: ["A[1][1]"], algorithm: clone(ppo) },
  ],
  training: { totalSteps: 32, numEnvs: 1 },
  seeds: [0],
  evaluation: { episodes: 1 },
  backend: "cpu",
});
const contractsExp = (): J => {
  const e = exp("contracts-paper.json");
  return {
    name: "tinyc",
    scenario: "contracts",
    env: e.env,
    conditions: [
      { name: "analytic", learned: [] },
      { name: "retailer", learned: ["retailer"], algorithm: clone(ppo) },
    ],
    training: { totalSteps: 32, numEnvs: 1 },
    seeds: [0],
    evaluation: { episodes: 1 },
    backend: "cpu",
  };
};
const hubsExp = (): J => ({
  name: "tinyh",
  scenario: "hubs",
  env: { id: "HubTrading-v0", options: { hubs: 3, periods: 3, scenarioSeed: 0 } },
  conditions: [
    { name: "analytic", learned: [] },
    { name: "one", learned: ["H0"], algorithm: clone(ppo) },
  ],
  training: { totalSteps: 32, numEnvs: 1 },
  seeds: [0],
  evaluation: { episodes: 1 },
  backend: "cpu",
});
const trainCfg = (): J => ({
  experiment: "tr",
  env: "CartPole-v1",
  algorithm: "ppo",
  totalSteps: 256,
  seed: 1,
  numEnvs: 2,
  checkpointEvery: 1,
  backend: "cpu",
  hyperparameters: { numSteps: 64, numMinibatches: 2, updateEpochs: 1 },
});
const eqCfg = (): J => ({ ...exp("kaihara-paper.json"), name: "eq" });
const forecastCfg = (): J => ({
  experiment: "fc",
  seed: 1,
  horizon: 3,
  trainPeriods: 48,
  demand: { type: "synthetic", periods: 72, spec: { base: 100, seasonal: { period: 12, amplitude: 0.3 } }, mlpTrainingSeries: 2 },
  forecasters: ["naive", "holt-winters", { type: "mlp", epochs: 5, seed: 7 }],
  figureHorizon: 1,
});
const negotiateCfg = (): J => ({ ...exp("contracts-paper.json"), name: "neg" });
const negotiateBare = (): J => {
  const c = exp("contracts-paper.json").env.options.config;
  return { experiment: "negb", retailer: c.retailer, subcontractors: c.subcontractors };
};
const hubsCfg = (): J => ({ ...exp("hubs-semiconductor.json"), name: "hb" });
const reviewHubsCfg = (): J => ({ ...hubsCfg(), name: "hbr", review: { k: 0.01, minHistory: 2, unreviewed: { rejectAfter: 1000 } } });
const sensCfg = (): J => {
  const base = existsSync(join(ROOT, "experiments/contracts-sensitivity.json")) ? exp("contracts-sensitivity.json") : {};
  return {
    ...base,
    name: "sens",
    instances: 2,
    subcontractors: [3],
    demandPositions: [0.5],
    tactics: ["linear"],
    retailerCosts: [3],
    deadlines: [5],
  };
};
/** A market experiment whose tasks take a few seconds each, for signals mid-run. */
const slowExp = (name = "slow"): J => ({
  ...marketExp(),
  name,
  conditions: [
    { name: "analytic", learned: [] },
    { name: "one", learned: ["A[1][1]"], algorithm: clone(ppo) },
    { name: "two", learned: ["A[0][0]"], algorithm: clone(ppo) },
  ],
  training: { totalSteps: 2400, numEnvs: 1 },
  seeds: [0, 1],
});
const slowTrain = (): J => ({ ...trainCfg(), experiment: "trs", totalSteps: 8192 });

const set = (o: J, path: string, v: unknown): J => {
  const keys = path.split(".");
  let x = o;
  for (const k of keys.slice(0, -1)) x = x[/^\d+$/.test(k) ? Number(k) : k];
  x[keys.at(-1)!] = v;
  return o;
};
const withPath = (make: () => J, path: string, v: unknown) => () => set(make(), path, v);

// ---------------------------------------------------------------------------------------------------------
// What the probed checkout offers

const helpOf = new Map<string, string | null>();
async function loadHelp(commands: string[]): Promise<void> {
  await pool(commands, 2, async (cmd) => {
    const r = await run([cmd, "--help"], { cwd: TMP, timeoutMs: 60_000 });
    helpOf.set(cmd, r.code === 0 ? r.stdout : null);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures (built once; cases copy what they change)

const fx = {
  marketRun: join(FX, "market-run"),
  models: join(FX, "models"),
  hubsRun: join(FX, "hubs-run"),
  hubsKeyed: join(FX, "hubs-keyed"),
  reviewRun: join(FX, "review-run"),
  key: join(FX, "ledger.key"),
  slowRef: "",
  trainRef: "",
  tinyRef: "",
  ok: {} as Record<string, boolean>,
};

async function buildFixtures(): Promise<void> {
  writeFileSync(fx.key, randomBytes(32));
  const w = join(FX, "w");
  mkdirSync(w);
  const write = (f: string, o: unknown) => writeFileSync(join(w, f), JSON.stringify(o, null, 1));
  write("market.json", marketExp());
  write("hubs.json", hubsCfg());
  write("review.json", reviewHubsCfg());
  write("slow.json", slowExp());
  write("train.json", slowTrain());
  write("twice.json", {
    ...marketExp(),
    name: "twice",
    seeds: [0, 1],
    conditions: [{ name: "analytic", learned: [] }, marketExp().conditions[1]],
  });
  const jobs: [string, string[], (r: Res) => void][] = [
    ["marketRun", ["run", "market.json", "--out", fx.marketRun, "--models", fx.models, "--workers", "1", "--no-figures"], () => {}],
    ["hubsRun", ["hubs", "hubs.json", "--out", fx.hubsRun], () => {}],
    ["hubsKeyed", ["hubs", "hubs.json", "--out", fx.hubsKeyed, "--ledger-key", fx.key], () => {}],
    ["reviewRun", ["hubs", "review.json", "--out", fx.reviewRun], () => {}],
    [
      "slowRef",
      ["run", "slow.json", "--out", join(FX, "slow-ref"), "--workers", "1", "--no-figures"],
      () => (fx.slowRef = join(FX, "slow-ref")),
    ],
    [
      "tinyRef",
      ["run", "twice.json", "--out", join(FX, "twice-ref"), "--workers", "1", "--no-figures"],
      () => (fx.tinyRef = join(FX, "twice-ref")),
    ],
    [
      "trainRef",
      ["train", "train.json", "--out", join(FX, "train-ref"), "--models-root", join(FX, "train-models")],
      () => (fx.trainRef = join(FX, "train-ref")),
    ],
  ];
  await pool(jobs, JOBS, async ([name, args, after]) => {
    const r = await run(args, { cwd: w, timeoutMs: 300_000 });
    fx.ok[name] = r.code === 0;
    if (r.code === 0) after(r);
    else console.error(`probe: fixture ${name} failed (exit ${r.code}): ${firstLine(r.stderr)}`);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Case builders

const cases: CaseDef[] = [];
const ids = new Set<string>();
function add(c: Omit<CaseDef, "id"> & { id?: string }): void {
  let id = (c.id ?? `${c.klass}:${c.command}:${c.title}`).replace(/\s+/g, "-").replace(/[^\w.:=[\]-]/g, "_");
  while (ids.has(id)) id += "+";
  ids.add(id);
  cases.push({ ...c, id } as CaseDef);
}

type Files = Record<string, unknown>;
function writeFiles(w: string, files: Files): void {
  for (const [f, v] of Object.entries(files)) {
    mkdirSync(dirname(join(w, f)), { recursive: true });
    if (v instanceof Buffer) writeFileSync(join(w, f), v);
    else writeFileSync(join(w, f), typeof v === "string" ? v : JSON.stringify(v, null, 1));
  }
}

/**
 * A refusal: `files` are written into the working folder, the CLI runs with `args` (ABS is replaced by a path
 * outside the case folder), and it must exit `exit` (2) naming `mentions`, leaving nothing new.
 */
function refusal(
  klass: Klass,
  command: string,
  title: string,
  o: {
    files?: Files | (() => Files);
    args: string[] | ((c: Ctx) => string[]);
    mentions?: RegExp;
    quick?: boolean;
    flags?: string[];
    commands?: string[];
    exit?: 1 | 2;
    setup?: (c: Ctx) => void;
    timeoutMs?: number;
  },
): void {
  add({
    klass,
    command,
    title,
    quick: o.quick ?? false,
    flags: o.flags,
    commands: o.commands,
    async exec(c) {
      const files = typeof o.files === "function" ? o.files() : (o.files ?? {});
      writeFiles(c.w, resolveAbs(files, c.id));
      o.setup?.(c);
      const before = new Set(listTree(c.dir));
      const args = (typeof o.args === "function" ? o.args(c) : o.args).map((a) => a.replace("ABS", join(OUTSIDE, c.id)));
      const r = await run(args, { cwd: c.w, timeoutMs: o.timeoutMs ?? c.timeoutMs });
      const created = listTree(c.dir).filter((p) => !before.has(p));
      return judge(r, o.exit ?? 2, { mentions: o.mentions, created, dir: c.dir, id: c.id });
    },
  });
}

/** Replace the string "ABS" in config values by an absolute path outside the case folder. */
function resolveAbs(files: Files, id: string): Files {
  const abs = join(OUTSIDE, id);
  const walk = (v: unknown): unknown => {
    if (v === "ABS") return abs;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && !(v instanceof Buffer)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return Object.fromEntries(Object.entries(files).map(([f, v]) => [f, walk(v)]));
}

/** An expected success, judged for debris and non-finite CSV cells. */
function success(
  klass: Klass,
  command: string,
  title: string,
  o: { files?: Files | (() => Files); args: string[] | ((c: Ctx) => string[]); quick?: boolean; flags?: string[]; nan?: RegExp },
): void {
  add({
    klass,
    command,
    title,
    quick: o.quick ?? false,
    flags: o.flags,
    async exec(c) {
      writeFiles(c.w, typeof o.files === "function" ? o.files() : (o.files ?? {}));
      const before = new Set(listTree(c.dir));
      const r = await run(typeof o.args === "function" ? o.args(c) : o.args, { cwd: c.w, timeoutMs: 180_000 });
      const created = listTree(c.dir).filter((p) => !before.has(p));
      return judge(r, 0, { created, dir: c.dir, csvDir: c.w, nanCsvs: o.nan });
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// (a) bad inputs

interface FileCommand {
  command: string;
  make: () => J;
  /** The config field that names its output folder. */
  nameField: string;
  extraArgs?: (c: Ctx) => string[];
  /** Further fields that become paths. */
  pathFields?: string[];
}
const fileCommands: FileCommand[] = [
  { command: "run", make: marketExp, nameField: "name", pathFields: ["conditions.0.name"] },
  { command: "evaluate", make: marketExp, nameField: "name", extraArgs: () => ["--models", fx.models] },
  { command: "exploit", make: marketExp, nameField: "name", extraArgs: () => ["--budget", "4"] },
  { command: "train", make: trainCfg, nameField: "experiment" },
  { command: "equilibrium", make: eqCfg, nameField: "name" },
  { command: "forecast", make: forecastCfg, nameField: "experiment" },
  { command: "negotiate", make: negotiateCfg, nameField: "name" },
  {
    command: "hubs",
    make: hubsCfg,
    nameField: "name",
    pathFields: ["hubs.0.id", "resources.0.id", "hubs.0.products.0.id"],
  },
  { command: "contracts-sensitivity", make: sensCfg, nameField: "name" },
];
const BAD_NAMES: [string, string][] = [
  ["..", ".."],
  ["abs", "ABS"],
  ["dotdot-slash", "../escape"],
  ["slash", "a/b"],
  ["dot", "."],
];

for (const fc of fileCommands) {
  const { command, make } = fc;
  const extra = (c: Ctx) => fc.extraArgs?.(c) ?? [];
  refusal("input", command, "missing file", {
    args: (c) => [command, "missing.json", ...extra(c)],
    mentions: /missing\.json/,
    quick: true,
  });
  refusal("input", command, "invalid JSON", {
    files: { "bad.json": '{ "name": ' },
    args: (c) => [command, "bad.json", ...extra(c)],
    mentions: /bad\.json/,
    quick: true,
  });
  refusal("input", command, "empty file", {
    files: { "empty.json": "" },
    args: (c) => [command, "empty.json", ...extra(c)],
    mentions: /empty\.json/,
  });
  refusal("input", command, "JSON array", {
    files: { "arr.json": [] },
    args: (c) => [command, "arr.json", ...extra(c)],
    mentions: /arr\.json/,
  });
  refusal("input", command, "JSON null", {
    files: { "null.json": "null" },
    args: (c) => [command, "null.json", ...extra(c)],
    mentions: /null\.json/,
  });
  refusal("input", command, "unknown key", {
    files: () => ({ "cfg.json": { ...make(), bogusKey: 1 } }),
    args: (c) => [command, "cfg.json", ...extra(c)],
    mentions: /bogusKey/,
    quick: true,
  });
  refusal("input", command, "wrong type of the name", {
    files: () => ({ "cfg.json": set(make(), fc.nameField, 42) }),
    args: (c) => [command, "cfg.json", ...extra(c)],
    mentions: new RegExp(fc.nameField),
  });
  refusal("input", command, "config is a folder", {
    files: { "dir/x": "" },
    args: (c) => [command, "dir", ...extra(c)],
    mentions: /dir/,
  });
  refusal("input", command, "unknown flag", {
    files: () => ({ "cfg.json": make() }),
    args: (c) => [command, "cfg.json", "--bogus-flag", ...extra(c)],
    mentions: /bogus-flag/,
  });
  refusal("input", command, "two positionals", {
    files: () => ({ "cfg.json": make(), "cfg2.json": make() }),
    args: (c) => [command, "cfg.json", "cfg2.json", ...extra(c)],
  });
  refusal("input", command, "--out is an existing folder (..)", {
    files: () => ({ "cfg.json": make() }),
    args: (c) => [command, "cfg.json", "--out", "..", ...extra(c)],
    quick: command === "equilibrium",
  });
  for (const field of [fc.nameField, ...(fc.pathFields ?? [])]) {
    for (const [label, bad] of BAD_NAMES) {
      const quick = label === ".." || (label === "abs" && field === fc.nameField && (command === "run" || command === "equilibrium"));
      const fieldRe = new RegExp(field.replace(/\.(\d+)\./g, "\\[$1\\]\\.").replace(/\.(\d+)$/, "\\[$1\\]"));
      refusal("input", command, `${field}=${label}`, {
        files: () => ({ "cfg.json": set(make(), field, bad) }),
        args: (c) => [command, "cfg.json", ...extra(c)],
        mentions: fieldRe,
        quick,
      });
    }
  }
}
refusal("input", "train", "file name .. without an experiment field", {
  files: () => {
    const t = trainCfg();
    delete t.experiment;
    return { "..json": t };
  },
  args: ["train", "..json"],
  mentions: /experiment/,
  quick: true,
});
refusal("input", "negotiate", "bare config experiment=..", {
  files: () => ({ "cfg.json": set(negotiateBare(), "experiment", "..") }),
  args: ["negotiate", "cfg.json"],
  mentions: /experiment/,
  quick: true,
});
refusal("input", "negotiate", "bare config experiment=ABS", {
  files: () => ({ "cfg.json": set(negotiateBare(), "experiment", "ABS") }),
  args: ["negotiate", "cfg.json"],
  mentions: /experiment/,
});
for (const [scenario, make] of [
  ["contracts", contractsExp],
  ["hubs", hubsExp],
] as const) {
  refusal("input", "run", `${scenario} scenario name=..`, {
    files: () => ({ "cfg.json": set(make(), "name", "..") }),
    args: ["run", "cfg.json"],
    mentions: /name/,
  });
  refusal("input", "run", `${scenario} scenario condition name=../escape`, {
    files: () => ({ "cfg.json": set(make(), "conditions.0.name", "../escape") }),
    args: ["run", "cfg.json"],
    mentions: /conditions\[0\]\.name/,
  });
}

// Extreme counts and budgets: exit 2 before any work, naming the field.
const learned = (e: J) => e.conditions[1].algorithm.hyperparameters;
/** The market experiment with one PPO hyperparameter of the learned condition set to `value`. */
const withHyper = (field: string, value: unknown) => (): J => {
  const e = marketExp();
  learned(e)[field] = value;
  return e;
};
const extremes: [string, string, () => J, string[], RegExp, boolean][] = [
  ["run", "seeds.count 1e9", () => ({ ...marketExp(), seeds: { count: 1e9 } }), [], /seeds/, true],
  ["run", "seeds 1e9 values", () => ({ ...marketExp(), seeds: [1e12] }), [], /seeds/, false],
  ["run", "seeds negative", () => ({ ...marketExp(), seeds: [-1] }), [], /seeds/, false],
  ["run", "seeds 1.5", () => ({ ...marketExp(), seeds: [1.5] }), [], /seeds/, false],
  ["run", "training.totalSteps 1e12", () => ({ ...marketExp(), training: { totalSteps: 1e12, numEnvs: 1 } }), [], /totalSteps/, true],
  ["run", "totalSteps below one batch", () => ({ ...marketExp(), training: { totalSteps: 10, numEnvs: 1 } }), [], /totalSteps/, true],
  ["run", "totalSteps 0", () => ({ ...marketExp(), training: { totalSteps: 0, numEnvs: 1 } }), [], /totalSteps/, false],
  ["run", "numEnvs 1e6", () => ({ ...marketExp(), training: { totalSteps: 32, numEnvs: 1e6 } }), [], /numEnvs/, false],
  ["run", "learningRate 1e308", withHyper("learningRate", 1e308), [], /learningRate/, true],
  ["run", "learningRate 1e999 (Infinity)", withHyper("learningRate", "INF"), [], /learningRate/, false],
  ["run", "numSteps 1e9", withHyper("numSteps", 1e9), [], /numSteps/, true],
  ["run", "updateEpochs 1e12", withHyper("updateEpochs", 1e12), [], /updateEpochs/, false],
  ["run", "numMinibatches 0", withHyper("numMinibatches", 0), [], /numMinibatches/, false],
  ["run", "numMinibatches above the batch", withHyper("numMinibatches", 1000), [], /numMinibatches/, false],
  ["run", "actorHidden [1e6, 1e6]", withHyper("actorHidden", [1e6, 1e6]), [], /actorHidden/, false],
  ["run", "unknown hyperparameter", withHyper("bogusRate", 1), [], /bogusRate/, false],
  ["run", "evaluation.episodes 1e9", () => ({ ...marketExp(), evaluation: { episodes: 1e9 } }), [], /episodes/, true],
  ["run", "episodeLength 1e9", withPath(marketExp, "env.options.episodeLength", 1e9), [], /episodeLength/, true],
  [
    "run",
    "101 conditions",
    () => ({ ...marketExp(), conditions: Array.from({ length: 101 }, (_, i) => ({ name: `c${i}`, learned: [] })) }),
    [],
    /conditions/,
    false,
  ],
  ["run", "--workers 1e6", marketExp, ["--workers", "1e6"], /--workers/, true],
  ["run", "--workers 0", marketExp, ["--workers", "0"], /--workers/, false],
  ["run", "--backend bogus", marketExp, ["--backend", "bogus"], /backend/, false],
  ["run", "unknown env id", withPath(marketExp, "env.id", "Nope-v0"), [], /env/, false],
  ["run", "unknown agent", withPath(marketExp, "conditions.1.learned", ["A[9][9]"]), [], /A\[9\]\[9\]|learned/, false],
  ["run", "unknown algorithm", withPath(marketExp, "conditions.1.algorithm.name", "nope"), [], /algorithm/, false],
  ["run", "missing plugin", () => ({ ...marketExp(), plugins: ["nope.ts"] }), [], /nope\.ts/, false],
  ["run", "hubs env hubs 1e6", withPath(hubsExp, "env.options.hubs", 1e6), [], /hubs/, true],
  ["run", "hubs env periods 1e8", withPath(hubsExp, "env.options.periods", 1e8), [], /periods/, true],
  ["run", "contracts deadline 1e9", withPath(contractsExp, "env.options.config.negotiation.deadline", 1e9), [], /deadline/, false],
  ["run", "contracts demand 1e308", withPath(contractsExp, "env.options.config.retailer.demand", 1e308), [], /demand/, false],
  ["run", "--queue not a URL", marketExp, ["--queue", "notaurl"], /queue/, false],
  ["evaluate", "seeds.count 1e9", () => ({ ...marketExp(), seeds: { count: 1e9 } }), ["--models", "M"], /seeds/, true],
  ["evaluate", "--models missing", marketExp, ["--models", "nosuch"], /nosuch|models/, true],
  ["evaluate", "evaluation.episodes 1e9", () => ({ ...marketExp(), evaluation: { episodes: 1e9 } }), ["--models", "M"], /episodes/, false],
  ["exploit", "--budget 1e12", marketExp, ["--budget", "1e12"], /budget/, true],
  ["exploit", "--budget 0", marketExp, ["--budget", "0"], /budget/, false],
  ["exploit", "--method bogus", marketExp, ["--method", "bogus"], /method/, false],
  ["exploit", "--condition ../x", marketExp, ["--condition", "../x"], /condition/, true],
  ["exploit", "--agents ..", marketExp, ["--agents", ".."], /agent/, false],
  [
    "exploit",
    "exploitability.budget 1e12",
    () => ({ ...marketExp(), exploitability: { method: "search", budget: 1e12 } }),
    [],
    /budget/,
    false,
  ],
  ["exploit", "seeds.count 1e9", () => ({ ...marketExp(), seeds: { count: 1e9 } }), [], /seeds/, false],
  ["train", "totalSteps 1e12", () => ({ ...trainCfg(), totalSteps: 1e12 }), [], /totalSteps/, true],
  ["train", "totalSteps below one batch", () => ({ ...trainCfg(), totalSteps: 10 }), [], /totalSteps/, true],
  ["train", "learningRate 1e308", withPath(trainCfg, "hyperparameters.learningRate", 1e308), [], /learningRate/, true],
  ["train", "numSteps 1e9", withPath(trainCfg, "hyperparameters.numSteps", 1e9), [], /numSteps/, true],
  ["train", "numEnvs 1e6", () => ({ ...trainCfg(), numEnvs: 1e6 }), [], /numEnvs/, false],
  ["train", "updateEpochs 1e12", withPath(trainCfg, "hyperparameters.updateEpochs", 1e12), [], /updateEpochs/, false],
  ["train", "checkpointEvery 1e12", () => ({ ...trainCfg(), checkpointEvery: 1e12 }), [], /checkpointEvery/, false],
  ["train", "seed 1e20", () => ({ ...trainCfg(), seed: 1e20 }), [], /seed/, false],
  ["train", "unknown env", () => ({ ...trainCfg(), env: "Nope-v0" }), [], /Nope-v0|env/, false],
  ["train", "--resume missing folder", trainCfg, ["--resume", "nosuch"], /nosuch/, true],
  ["train", "--resume /", trainCfg, ["--resume", "/"], /resume|checkpoint|\//, false],
  ["equilibrium", "tatonnement.maxIterations 1e12", withPath(eqCfg, "tatonnement.maxIterations", 1e12), [], /maxIterations/, true],
  ["equilibrium", "tatonnement.step 1e308", withPath(eqCfg, "tatonnement.step", 1e308), [], /step/, false],
  ["equilibrium", "solver.maxIterations 1e12", () => ({ ...eqCfg(), solver: { maxIterations: 1e12 } }), [], /maxIterations/, false],
  ["equilibrium", "budget 1e308", withPath(eqCfg, "market.groups.0.agents.0.budget", 1e308), [], /budget/, false],
  ["equilibrium", "a 1e308", withPath(eqCfg, "market.groups.0.agents.0.a", [1e308, 1e308, 1e308]), [], /\ba\b|groups/, false],
  ["equilibrium", "b 1.5", withPath(eqCfg, "market.groups.0.b", [1.5, 0.5, 0.3]), [], /\bb\b|groups/, true],
  ["equilibrium", "b 0", withPath(eqCfg, "market.groups.0.b", [0, 0.5, 0.3]), [], /\bb\b|groups/, false],
  ["equilibrium", "goods 1e6", withPath(eqCfg, "market.goods", 1e6), [], /goods/, false],
  ["equilibrium", "wrong vector length", withPath(eqCfg, "market.groups.0.b", [0.5]), [], /\bb\b|groups/, false],
  ["equilibrium", "--method bogus", eqCfg, ["--method", "bogus"], /method/, false],
  [
    "forecast",
    "mlp epochs 1e12",
    () => ({ ...forecastCfg(), forecasters: [{ type: "mlp", epochs: 1e12 }] }),
    [],
    /forecasters|epochs/,
    true,
  ],
  ["forecast", "demand.periods 1e9", withPath(forecastCfg, "demand.periods", 1e9), [], /periods/, true],
  ["forecast", "horizon 1e9", () => ({ ...forecastCfg(), horizon: 1e9 }), [], /horizon/, false],
  ["forecast", "trainPeriods above periods", () => ({ ...forecastCfg(), trainPeriods: 1000 }), [], /trainPeriods|periods/, false],
  [
    "forecast",
    "moving-average window 1e9",
    () => ({ ...forecastCfg(), forecasters: [{ type: "moving-average", window: 1e9 }] }),
    [],
    /window|forecasters/,
    false,
  ],
  ["forecast", "mlpTrainingSeries 1e9", withPath(forecastCfg, "demand.mlpTrainingSeries", 1e9), [], /mlpTrainingSeries/, false],
  [
    "forecast",
    "mlp learningRate 1e308",
    () => ({ ...forecastCfg(), forecasters: [{ type: "mlp", learningRate: 1e308 }] }),
    [],
    /learningRate|forecasters/,
    false,
  ],
  ["forecast", "csv demand file missing", () => ({ ...forecastCfg(), demand: { type: "csv", file: "nope.csv" } }), [], /nope\.csv/, false],
  ["negotiate", "--episodes 1e9", negotiateCfg, ["--episodes", "1e9"], /episodes/, true],
  ["negotiate", "--episodes 0", negotiateCfg, ["--episodes", "0"], /episodes/, false],
  ["negotiate", "--seed 1e20", negotiateCfg, ["--seed", "1e20"], /seed/, false],
  ["negotiate", "--condition ../x", negotiateCfg, ["--condition", "../x"], /condition/, true],
  ["negotiate", "deadline 1e9", withPath(negotiateCfg, "env.options.config.negotiation.deadline", 1e9), [], /deadline/, false],
  ["negotiate", "retailer demand 1e308", withPath(negotiateCfg, "env.options.config.retailer.demand", 1e308), [], /demand/, false],
  ["negotiate", "unitCost 1e308", withPath(negotiateCfg, "env.options.config.subcontractors.0.unitCost", 1e308), [], /unitCost/, false],
  [
    "negotiate",
    "10,000 subcontractors",
    () => {
      const e = negotiateCfg();
      const s = e.env.options.config.subcontractors[0];
      e.env.options.config.subcontractors = Array.from({ length: 10_000 }, (_, i) => ({ ...s, id: `S${i}` }));
      return e;
    },
    [],
    /subcontractors/,
    false,
  ],
  ["hubs", "periods 1e8", () => ({ ...hubsCfg(), periods: 1e8 }), [], /periods/, true],
  ["hubs", "marginPerUnit 1e308", withPath(hubsCfg, "hubs.0.products.0.marginPerUnit", 1e308), [], /marginPerUnit/, true],
  ["hubs", "delayCostPerHour 1e308", withPath(hubsCfg, "hubs.0.products.0.delayCostPerHour", 1e308), [], /delayCostPerHour/, false],
  ["hubs", "supply 1e308", withPath(hubsCfg, "hubs.0.supply.chips", 1e308), [], /supply/, false],
  ["hubs", "hoursPerPeriod 1e13", () => ({ ...hubsCfg(), hoursPerPeriod: 1e13 }), [], /hoursPerPeriod/, false],
  ["hubs", "lot 0", withPath(hubsCfg, "resources.0.lot", 0), [], /lot/, false],
  ["hubs", "horizon 1e9", () => ({ ...hubsCfg(), horizon: 1e9 }), [], /horizon/, false],
  [
    "hubs",
    "10,000 hubs",
    () => {
      const e = hubsCfg();
      e.hubs = Array.from({ length: 10_000 }, (_, i) => ({ ...e.hubs[0], id: `H${i}` }));
      e.shortages = { events: [] };
      return e;
    },
    [],
    /hubs/,
    false,
  ],
  ["hubs", "--seed -1", hubsCfg, ["--seed", "-1"], /seed/, false],
  ["hubs", "--ledger-key missing", hubsCfg, ["--ledger-key", "nokey"], /nokey/, false],
  ["contracts-sensitivity", "instances 1e9", () => ({ ...sensCfg(), instances: 1e9 }), [], /instances/, true],
  ["contracts-sensitivity", "subcontractors [1e6]", () => ({ ...sensCfg(), subcontractors: [1e6] }), [], /subcontractors/, false],
  ["contracts-sensitivity", "deadlines [1e9]", () => ({ ...sensCfg(), deadlines: [1e9] }), [], /deadlines/, false],
];
for (const [command, title, make, args, mentions, quick] of extremes) {
  refusal("input", command, title, {
    files: () => ({ "cfg.json": JSON.stringify(make()).replace(/"INF"/g, "1e999") }),
    args: (c) => [
      command,
      "cfg.json",
      ...args.map((a) => (a === "M" ? fx.models : a)),
      ...(command === "evaluate" && !args.includes("--models") ? ["--models", fx.models] : []),
      ...(command === "exploit" && !args.includes("--budget") ? ["--budget", "4"] : []),
    ],
    mentions,
    quick,
    flags: args.filter((a) => a.startsWith("--")),
  });
}

// Commands on run directories and other files.
refusal("input", "compare", "missing run dir", { args: ["compare", "nosuch"], mentions: /nosuch/, quick: true });
refusal("input", "compare", "a file instead of a run dir", { files: { "f.txt": "x" }, args: ["compare", "f.txt"], mentions: /f\.txt/ });
refusal("input", "compare", "empty folder", { files: { "e/.keep": "" }, args: ["compare", "e"], mentions: /\be\b|manifest/ });
refusal("input", "compare", "a hubs run (no metrics)", { args: () => ["compare", fx.hubsRun], mentions: /hubs-run|metrics|manifest/ });
refusal("input", "compare", "--baseline ..", {
  args: () => ["compare", fx.marketRun, "--baseline", ".."],
  mentions: /baseline|\.\./,
  quick: true,
});
refusal("input", "compare", "--out existing folder", { args: () => ["compare", fx.marketRun, "--out", "."], mentions: /exist|\./ });
refusal("input", "table", "missing run dir", { args: ["table", "nosuch"], mentions: /nosuch/, quick: true });
refusal("input", "table", "--format bogus", { args: () => ["table", fx.marketRun, "--format", "bogus"], mentions: /format/ });
refusal("input", "table", "--metrics unknown", {
  args: () => ["table", fx.marketRun, "--metrics", "../x"],
  mentions: /metric|\.\.\/x/,
  quick: true,
});
refusal("input", "table", "--out existing file", {
  files: { "t.tex": "mine" },
  args: () => ["table", fx.marketRun, "--out", "t.tex"],
  mentions: /t\.tex/,
});
refusal("input", "table", "summary.csv missing", {
  setup: (c) => {
    cpSync(fx.marketRun, join(c.w, "r"), { recursive: true });
    rmSync(join(c.w, "r", "summary.csv"));
  },
  args: ["table", "r"],
  mentions: /summary\.csv/,
});
refusal("input", "table", "summary.csv garbage", {
  setup: (c) => {
    cpSync(fx.marketRun, join(c.w, "r"), { recursive: true });
    writeFileSync(join(c.w, "r", "summary.csv"), "a,b\n1\n\u0000\u0001,,,\n");
  },
  args: ["table", "r"],
  mentions: /summary\.csv/,
});
refusal("input", "review", "missing queue", { args: ["review", "list", "--queue", "nosuch.json"], mentions: /nosuch\.json/, quick: true });
refusal("input", "review", "queue invalid JSON", {
  files: { "q.json": "{" },
  args: ["review", "list", "--queue", "q.json"],
  mentions: /q\.json/,
});
refusal("input", "review", "queue of the wrong shape", {
  files: { "q.json": { items: 5 } },
  args: ["review", "list", "--queue", "q.json"],
  mentions: /q\.json|items/,
});
refusal("input", "review", "approve an unknown id", {
  setup: (c) => cpSync(fx.reviewRun, join(c.w, "r"), { recursive: true }),
  args: ["review", "approve", "../x", "--queue", "r/review_queue.json"],
  mentions: /\.\.\/x/,
  quick: true,
});
refusal("input", "review", "approve without an id", {
  setup: (c) => cpSync(fx.reviewRun, join(c.w, "r"), { recursive: true }),
  args: ["review", "approve", "--queue", "r/review_queue.json"],
});
refusal("input", "review", "--status bogus", {
  setup: (c) => cpSync(fx.reviewRun, join(c.w, "r"), { recursive: true }),
  args: ["review", "list", "--status", "bogus", "--queue", "r/review_queue.json"],
  mentions: /status/,
});
refusal("input", "review", "unknown subcommand", { args: ["review", "bogus"], mentions: /bogus/ });
refusal("input", "ledger", "missing file", { args: ["ledger", "verify", "nosuch.jsonl"], mentions: /nosuch\.jsonl/, quick: true });
refusal("input", "ledger", "no file", { args: ["ledger", "verify"] });
refusal("input", "ledger", "unknown subcommand", { args: ["ledger", "bogus"], mentions: /bogus/ });
refusal("input", "ledger", "--head missing", {
  setup: (c) => cpSync(fx.hubsRun, join(c.w, "r"), { recursive: true }),
  args: ["ledger", "verify", "r/ledger.jsonl", "--head", "nohead"],
  mentions: /nohead/,
});
refusal("input", "ledger", "--key missing file", {
  setup: (c) => cpSync(fx.hubsKeyed, join(c.w, "r"), { recursive: true }),
  args: ["ledger", "verify", "r/ledger.jsonl", "--key", "nokey"],
  mentions: /nokey/,
  flags: ["--key"],
});
refusal("input", "ledger", "--key too short", {
  files: { "short.key": "0123456789" },
  setup: (c) => cpSync(fx.hubsKeyed, join(c.w, "r"), { recursive: true }),
  args: ["ledger", "verify", "r/ledger.jsonl", "--key", "short.key"],
  mentions: /short\.key/,
  flags: ["--key"],
});
refusal("input", "hubs", "--ledger-key too short", {
  files: () => ({ "cfg.json": hubsCfg(), "short.key": "0123456789" }),
  args: ["hubs", "cfg.json", "--ledger-key", "short.key"],
  mentions: /short\.key/,
  flags: ["--ledger-key"],
});
refusal("input", "hubs", "--ledger-key inside the run dir", {
  files: () => ({ "cfg.json": hubsCfg() }),
  setup: (c) => {
    mkdirSync(join(c.w, "out"));
    writeFileSync(join(c.w, "out", "k.key"), randomBytes(32));
  },
  args: ["hubs", "cfg.json", "--out", "out/run", "--ledger-key", "out/run/k.key"],
  mentions: /k\.key/,
  flags: ["--ledger-key"],
});
refusal("input", "dashboard", "--port 99999", { args: ["dashboard", "--port", "99999"], mentions: /port/, quick: true, timeoutMs: 20_000 });
refusal("input", "dashboard", "--port abc", { args: ["dashboard", "--port", "abc"], mentions: /port/, timeoutMs: 20_000 });
refusal("input", "dashboard", "--port -1", { args: ["dashboard", "--port", "-1"], mentions: /port/, timeoutMs: 20_000 });
refusal("input", "dashboard", "missing results dir", {
  args: ["dashboard", "nosuch", "--port", "0"],
  mentions: /nosuch/,
  timeoutMs: 20_000,
});
refusal("input", "dashboard", "--host not an address", {
  args: ["dashboard", "--port", "0", "--host", "999.1.1.1"],
  mentions: /999\.1\.1\.1|host/,
  timeoutMs: 20_000,
});
add({
  klass: "input",
  command: "dashboard",
  title: "port in use",
  quick: false,
  async exec(c) {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    const port = (server.address() as { port: number }).port;
    try {
      const before = new Set(listTree(c.dir));
      const r = await run(["dashboard", "--port", String(port)], { cwd: c.w, timeoutMs: 20_000 });
      return judge(r, 2, { mentions: /in use|port/, created: listTree(c.dir).filter((p) => !before.has(p)) });
    } finally {
      server.close();
    }
  },
});
refusal("input", "worker", "no --queue", { args: ["worker"], mentions: /queue/, quick: true, timeoutMs: 30_000 });
refusal("input", "worker", "--queue not a URL", { args: ["worker", "--queue", "notaurl"], mentions: /queue|notaurl/, timeoutMs: 30_000 });
refusal("input", "worker", "--queue unreachable", {
  args: ["worker", "--queue", "redis://127.0.0.1:1"],
  mentions: /127\.0\.0\.1|redis|reach/i,
  quick: true,
  timeoutMs: 30_000,
});
refusal("input", "worker", "--concurrency 1e9", {
  args: ["worker", "--queue", "redis://127.0.0.1:1", "--concurrency", "1e9"],
  mentions: /concurrency/,
  timeoutMs: 30_000,
});
refusal("input", "worker", "--lock-seconds -5", {
  args: ["worker", "--queue", "redis://127.0.0.1:1", "--lock-seconds", "-5"],
  mentions: /lock-seconds/,
  timeoutMs: 30_000,
});
refusal("input", "cli", "unknown command", { args: ["bogus-command"], mentions: /bogus-command/, quick: true, commands: [] });

// Dashboard: paths in URLs must not reach outside the results folder.
for (const [title, path] of [
  ["URL ../ segments", "/files/../../secret.svg"],
  ["URL %2e%2e segments", "/files/%2e%2e/%2e%2e/secret.svg"],
  ["URL encoded slashes in the experiment", "/files/..%2F..%2F/x/secret.svg"],
  ["URL encoded slashes in the figure name", "/files/exp/run/..%2F..%2F..%2Fsecret.svg"],
  ["live stream task ../", "/api/live?experiment=exp&task=..%2F..%2F..%2Fsecret"],
  ["live stream experiment ..", "/api/live?experiment=..&task=secret"],
] as const) {
  add({
    klass: "input",
    command: "dashboard",
    title,
    quick: title === "URL encoded slashes in the figure name",
    async exec(c) {
      const root = join(c.w, "results");
      mkdirSync(join(root, "exp", "run"), { recursive: true });
      writeFileSync(join(root, "exp", "run", "fig.svg"), "<svg/>");
      writeFileSync(join(c.dir, "secret.svg"), "SECRET");
      writeFileSync(join(c.dir, "secret.jsonl"), '{"SECRET":1}\n');
      writeFileSync(join(c.w, "secret.jsonl"), '{"SECRET":1}\n');
      let url = "";
      const s = start(["dashboard", "results", "--port", "0"], {
        cwd: c.w,
        timeoutMs: 30_000,
        onStdout: (all) => (url ||= /(http:\/\/\S+)/.exec(all)?.[1] ?? ""),
      });
      for (let i = 0; i < 200 && !url; i++) await sleep(50);
      if (!url) {
        killGroup(s.child, "SIGKILL");
        const r = await s.done;
        return { outcome: r.timedOut ? "hang" : "crash", message: firstLine(r.stderr), note: "dashboard did not start" };
      }
      const u = new URL(url);
      const got = await httpGet(u.hostname, Number(u.port), path);
      killGroup(s.child, "SIGTERM");
      await s.done;
      const verdict: Verdict = { outcome: "clean", message: `HTTP ${got.status}`, note: got.body.slice(0, 80) };
      if (got.body.includes("SECRET")) return { ...verdict, outcome: "wrong", note: "served a file outside the results folder" };
      if (got.status >= 500) return { ...verdict, outcome: "crash" };
      if (got.status === 200 && !path.startsWith("/api/live")) return { ...verdict, outcome: "wrong" };
      return verdict;
    },
  });
}

function httpGet(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((ok) => {
    const req = request({ host, port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      const t = setTimeout(() => res.destroy(), 1500); // live streams never end
      res.on("close", () => {
        clearTimeout(t);
        ok({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("error", (e) => ok({ status: 0, body: String(e) }));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Expected successes: the probe's configs are valid in the checkout probed.
success("input", "run", "valid market experiment", {
  files: () => ({ "cfg.json": marketExp() }),
  args: ["run", "cfg.json", "--workers", "1", "--no-figures"],
  quick: true,
});
success("input", "run", "valid contracts experiment", {
  files: () => ({ "cfg.json": contractsExp() }),
  args: ["run", "cfg.json", "--workers", "1", "--no-figures"],
});
success("input", "run", "valid hubs experiment", {
  files: () => ({ "cfg.json": hubsExp() }),
  args: ["run", "cfg.json", "--workers", "1", "--no-figures"],
});
success("input", "run", "run --out leaves no empty results folder", {
  files: () => ({ "cfg.json": { ...marketExp(), conditions: [{ name: "analytic", learned: [] }] } }),
  args: ["run", "cfg.json", "--workers", "1", "--no-figures", "--out", "mine"],
});
success("input", "train", "valid train config", { files: () => ({ "cfg.json": trainCfg() }), args: ["train", "cfg.json"], quick: true });
success("input", "equilibrium", "paper market", {
  files: () => ({ "cfg.json": eqCfg() }),
  args: ["equilibrium", "cfg.json"],
  quick: true,
  nan: /equilibrium|agents/,
});
success("input", "forecast", "valid forecast config", { files: () => ({ "cfg.json": forecastCfg() }), args: ["forecast", "cfg.json"] });
success("input", "negotiate", "paper negotiation", { files: () => ({ "cfg.json": negotiateCfg() }), args: ["negotiate", "cfg.json"] });
success("input", "hubs", "semiconductor example", { files: () => ({ "cfg.json": hubsCfg() }), args: ["hubs", "cfg.json"], quick: true });
success("input", "contracts-sensitivity", "two instances", {
  files: () => ({ "cfg.json": sensCfg() }),
  args: ["contracts-sensitivity", "cfg.json"],
});
success("input", "exploit", "search, budget 4", {
  files: () => ({ "cfg.json": { ...marketExp(), conditions: [{ name: "analytic", learned: [] }] } }),
  args: ["exploit", "cfg.json", "--budget", "4", "--agents", "A[1][1]"],
});
success("input", "table", "markdown of a run", { args: () => ["table", fx.marketRun, "--format", "markdown"] });
success("input", "compare", "one run", { args: () => ["compare", fx.marketRun, "--out", "cmp"] });
success("input", "ledger", "verify an intact ledger", { args: () => ["ledger", "verify", join(fx.hubsRun, "ledger.jsonl")], quick: true });
success("input", "review", "list a queue", { args: () => ["review", "list", "--queue", join(fx.reviewRun, "review_queue.json")] });

// ---------------------------------------------------------------------------------------------------------
// (b) faults

/** Start `supplygym ARGS`, send `signal` once stderr (or stdout) matches `when`, wait for the exit. */
async function interrupted(c: Ctx, args: string[], when: RegExp, signal: NodeJS.Signals): Promise<{ r: Res; sent: boolean }> {
  let sent = false;
  const fire = (all: string, child: ChildProcess) => {
    if (!sent && when.test(all)) {
      sent = true;
      child.kill(signal);
    }
  };
  const r = await run(args, { cwd: c.w, timeoutMs: 120_000, onStderr: fire, onStdout: fire });
  return { r, sent };
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  add({
    klass: "fault",
    command: "run",
    title: `${signal} mid-run, then resume`,
    quick: true,
    async exec(c) {
      if (!fx.slowRef) return { outcome: "n/a", note: "reference run failed" };
      writeFiles(c.w, { "slow.json": slowExp() });
      const args = ["run", "slow.json", "--workers", "1", "--no-figures"];
      const { r, sent } = await interrupted(c, args, /\[2\/\d+\] done/, signal);
      if (!sent) return { outcome: "n/a", exit: r.code, note: "finished before the signal" };
      const afterKill = listTree(c.dir);
      let v: Verdict = { outcome: "pass", exit: r.code, signal: r.signal, ms: Math.round(r.ms), message: firstLine(r.stderr) };
      if (signal === "SIGTERM") {
        if (r.timedOut) return { ...v, outcome: "hang" };
        if (r.signal) return { ...v, outcome: "crash", note: "died by SIGTERM: no handler" };
        if (STACK.test(r.stderr))
          return { ...v, outcome: "crash", note: `stack trace: ${errorLine(r.stderr)}`, tail: r.stderr.slice(-1500) };
        const left = debris(c.dir, afterKill);
        if (left.length) v = { ...v, outcome: "leftover", leftovers: left, note: "after SIGTERM" };
      }
      const again = await run(args, { cwd: c.w, timeoutMs: 180_000 });
      const out = runDirOf(again.stdout);
      const j = judge(again, 0, { created: listTree(c.dir), dir: c.dir });
      if (j.outcome !== "pass") return { ...j, note: `resume: ${j.note ?? ""}`, message: firstLine(again.stderr) };
      if (v.outcome !== "pass") return v;
      const d = out ? sameCsvs(out, fx.slowRef) : "no run directory printed";
      if (d) return { ...v, outcome: "wrong", note: `resumed run differs from an uninterrupted one: ${d}` };
      return { ...v, note: `resumed: ${firstLine(again.stderr)}` };
    },
  });
  add({
    klass: "fault",
    command: "train",
    title: `${signal} mid-train, then --resume`,
    quick: signal === "SIGTERM",
    async exec(c) {
      if (!fx.trainRef) return { outcome: "n/a", note: "reference train failed" };
      writeFiles(c.w, { "train.json": slowTrain() });
      const { r, sent } = await interrupted(c, ["train", "train.json", "--models-root", "m"], /update (1[0-9]|[2-9]\d)\//, signal);
      if (!sent) return { outcome: "n/a", exit: r.code, note: "finished before the signal" };
      let v: Verdict = { outcome: "pass", exit: r.code, signal: r.signal, ms: Math.round(r.ms), message: firstLine(r.stderr) };
      if (signal === "SIGTERM") {
        if (r.timedOut) return { ...v, outcome: "hang" };
        if (r.signal) return { ...v, outcome: "crash", note: "died by SIGTERM: no handler" };
        if (STACK.test(r.stderr))
          return { ...v, outcome: "crash", note: `stack trace: ${errorLine(r.stderr)}`, tail: r.stderr.slice(-1500) };
        const left = debris(c.dir, listTree(c.dir));
        if (left.length) v = { ...v, outcome: "leftover", leftovers: left, note: "after SIGTERM" };
      }
      const runs = existsSync(join(c.w, "m", "trs")) ? readdirSync(join(c.w, "m", "trs")).filter((f) => !f.startsWith(".")) : [];
      if (runs.length !== 1) return { ...v, outcome: "wrong", note: `expected one checkpoint folder, found ${runs.length}` };
      const again = await run(["train", "train.json", "--models-root", "m", "--resume", join("m", "trs", runs[0])], {
        cwd: c.w,
        timeoutMs: 180_000,
      });
      const j = judge(again, 0, { created: listTree(c.dir), dir: c.dir });
      if (j.outcome !== "pass") return { ...j, note: `resume: ${j.note ?? ""}`, message: firstLine(again.stderr) };
      if (v.outcome !== "pass") return v;
      const resumed = readdirSync(join(c.w, "results", "trs")).find((f) => f.endsWith("-resumed"));
      if (!resumed) return { ...v, outcome: "wrong", note: "no resumed results folder" };
      const a = csvContents(join(c.w, "results", "trs", resumed))["learning_curve.csv"];
      const b = csvContents(fx.trainRef)["learning_curve.csv"];
      if (a !== b) return { ...v, outcome: "wrong", note: "resumed learning_curve.csv differs from an uninterrupted run" };
      return v;
    },
  });
}

// SIGTERM during a long synchronous computation, before the command has opened anything: it must end within
// 5 s and leave nothing (with a line and exit 143, or by the default disposition when nothing needs cleaning up).
for (const [command, files, args] of [
  ["negotiate", () => ({ "cfg.json": negotiateCfg() }), ["negotiate", "cfg.json", "--episodes", "100000", "--out", "o"]],
  [
    "forecast",
    () => ({
      "cfg.json": {
        ...forecastCfg(),
        forecasters: [{ type: "mlp", epochs: 5000, seed: 7 }],
        demand: { ...forecastCfg().demand, mlpTrainingSeries: 20 },
      },
    }),
    ["forecast", "cfg.json", "--out", "o"],
  ],
] as const) {
  add({
    klass: "fault",
    command,
    title: "SIGTERM during the computation",
    quick: command === "forecast",
    async exec(c) {
      writeFiles(c.w, files());
      const before = new Set(listTree(c.dir));
      const s = start([...args], { cwd: c.w, timeoutMs: 120_000 });
      await sleep(5000);
      const t0 = performance.now();
      s.child.kill("SIGTERM");
      const r = await s.done;
      const waited = performance.now() - t0;
      const left = listTree(c.dir).filter((p) => !before.has(p));
      const v: Verdict = { outcome: "clean", exit: r.code, signal: r.signal, ms: Math.round(waited), message: firstLine(r.stderr) };
      if (r.code === 0) return { ...v, outcome: "n/a", note: "finished before the signal" };
      if (r.timedOut || waited > 5000) return { ...v, outcome: "hang", note: `ended ${(waited / 1000).toFixed(0)} s after SIGTERM` };
      if (STACK.test(r.stderr)) return { ...v, outcome: "crash", note: `stack trace: ${errorLine(r.stderr)}` };
      if (r.signal !== null && r.signal !== "SIGTERM") return { ...v, outcome: "crash", note: `died by ${r.signal}` };
      if (r.signal === null && r.code !== 143) return { ...v, outcome: "crash", note: `exit ${r.code}` };
      if (left.length) return { ...v, outcome: "leftover", leftovers: left };
      return { ...v, note: r.signal ? "ended by the default disposition, nothing to clean up" : undefined };
    },
  });
}
add({
  klass: "fault",
  command: "dashboard",
  title: "SIGTERM stops it",
  quick: false,
  async exec(c) {
    mkdirSync(join(c.w, "results"));
    const s = start(["dashboard", "results", "--port", "0"], { cwd: c.w, timeoutMs: 30_000 });
    await sleep(3000);
    s.child.kill("SIGTERM");
    const r = await s.done;
    return judge(r, 0, { created: [], dir: c.dir });
  },
});

// Concurrency.
const reps = QUICK ? 1 : 3;
for (let rep = 1; rep <= reps; rep++) {
  add({
    klass: "fault",
    command: "run",
    title: `two concurrent runs of one experiment #${rep}`,
    quick: rep === 1,
    async exec(c) {
      if (!fx.tinyRef) return { outcome: "n/a", note: "reference run failed" };
      writeFiles(c.w, {
        "twice.json": {
          ...marketExp(),
          name: "twice",
          seeds: [0, 1],
          conditions: [{ name: "analytic", learned: [] }, marketExp().conditions[1]],
        },
      });
      const args = ["run", "twice.json", "--workers", "1", "--no-figures"];
      const rs = await Promise.all([run(args, { cwd: c.w, timeoutMs: 120_000 }), run(args, { cwd: c.w, timeoutMs: 120_000 })]);
      return concurrentVerdict(c, rs, async () => {
        const third = await run(args, { cwd: c.w, timeoutMs: 120_000 });
        if (third.code !== 0) return `a third run afterwards exits ${third.code}: ${firstLine(third.stderr)}`;
        const d = sameCsvs(runDirOf(third.stdout) ?? "", fx.tinyRef);
        if (d) return `a third run afterwards differs from an uninterrupted run: ${d}`;
        for (const r of rs) {
          const dir = runDirOf(r.stdout);
          if (r.code === 0 && dir) {
            const e = sameCsvs(dir, fx.tinyRef);
            if (e) return `a committed run differs from an uninterrupted run: ${e}`;
          }
        }
        return undefined;
      });
    },
  });
}

/**
 * Two processes raced: each exits 0 or refuses with exit 2 naming the other (no stack trace); at least one
 * finishes; a refusal that says "results left in X" must have X on disk; no debris; `extra` checks the data.
 */
async function concurrentVerdict(c: Ctx, rs: Res[], extra: () => Promise<string | undefined>): Promise<Verdict> {
  const base: Verdict = {
    outcome: "pass",
    exit: null,
    ms: Math.round(Math.max(...rs.map((r) => r.ms))),
    message: rs.map((r) => `exit ${r.code}${r.code ? `: ${firstLine(r.stderr)}` : ""}`).join(" | "),
  };
  if (rs.some((r) => r.timedOut)) return { ...base, outcome: "hang" };
  for (const r of rs) {
    if (r.signal) return { ...base, outcome: "crash", note: `died by ${r.signal}` };
    if (STACK.test(r.stderr) || (r.code !== 0 && r.code !== 2)) return { ...base, outcome: "crash", note: firstLine(r.stderr) };
    const kept = /results left in ([^)]+)\)/.exec(r.stderr)?.[1];
    if (kept && !existsSync(resolve(c.w, kept)))
      return { ...base, outcome: "wrong", note: `says its results are in ${kept}, which is gone` };
  }
  if (!rs.some((r) => r.code === 0)) return { ...base, outcome: "wrong", note: "neither process finished" };
  const kept = rs.map((r) => /results left in ([^)]+)\)/.exec(r.stderr)?.[1]).filter(Boolean) as string[];
  const left = debris(c.dir, listTree(c.dir)).filter((p) => !kept.some((k) => resolve(c.dir, p.replace(/\/$/, "")) === resolve(c.w, k)));
  if (left.length) return { ...base, outcome: "leftover", leftovers: left };
  const problem = await extra();
  if (problem) return { ...base, outcome: "wrong", note: problem };
  return base;
}

add({
  klass: "fault",
  command: "equilibrium",
  title: "two concurrent runs with one --out",
  quick: true,
  async exec(c) {
    writeFiles(c.w, { "cfg.json": eqCfg() });
    const args = ["equilibrium", "cfg.json", "--out", "same"];
    const rs = await Promise.all([run(args, { cwd: c.w }), run(args, { cwd: c.w })]);
    return concurrentVerdict(c, rs, async () => (existsSync(join(c.w, "same", "manifest.json")) ? undefined : "no committed run in --out"));
  },
});
add({
  klass: "fault",
  command: "hubs",
  title: "two concurrent runs with one --out",
  quick: false,
  async exec(c) {
    writeFiles(c.w, { "cfg.json": hubsCfg() });
    const args = ["hubs", "cfg.json", "--out", "same"];
    const rs = await Promise.all([run(args, { cwd: c.w }), run(args, { cwd: c.w })]);
    return concurrentVerdict(c, rs, async () => (existsSync(join(c.w, "same", "ledger.jsonl")) ? undefined : "no committed run in --out"));
  },
});
add({
  klass: "fault",
  command: "run",
  title: "two experiments, one --out",
  quick: false,
  async exec(c) {
    writeFiles(c.w, { "a.json": { ...marketExp(), name: "a" }, "b.json": { ...marketExp(), name: "b" } });
    const rs = await Promise.all(
      ["a", "b"].map((n) => run(["run", `${n}.json`, "--workers", "1", "--no-figures", "--out", "same"], { cwd: c.w, timeoutMs: 120_000 })),
    );
    return concurrentVerdict(c, rs, async () => (existsSync(join(c.w, "same", "metrics.csv")) ? undefined : "no committed run in --out"));
  },
});
add({
  klass: "fault",
  command: "run",
  title: "two experiments, one --models folder",
  quick: true,
  async exec(c) {
    writeFiles(c.w, { "a.json": { ...marketExp(), name: "a" }, "b.json": { ...marketExp(), name: "b" } });
    const rs = await Promise.all(
      ["a", "b"].map((n) =>
        run(["run", `${n}.json`, "--workers", "1", "--no-figures", "--models", "shared"], { cwd: c.w, timeoutMs: 120_000 }),
      ),
    );
    return concurrentVerdict(c, rs, async () => {
      // every committed run's policies must be in the folder and evaluable
      for (const [i, r] of rs.entries()) {
        if (r.code !== 0) continue;
        const n = ["a", "b"][i];
        const e = await run(["evaluate", `${n}.json`, "--models", "shared", "--workers", "1", "--no-figures"], {
          cwd: c.w,
          timeoutMs: 120_000,
        });
        if (e.code !== 0) return `evaluate ${n} with the shared models folder exits ${e.code}: ${firstLine(e.stderr)}`;
      }
      return undefined;
    });
  },
});
add({
  klass: "fault",
  command: "train",
  title: "two concurrent trains of one config",
  quick: false,
  async exec(c) {
    writeFiles(c.w, { "t.json": trainCfg() });
    const rs = await Promise.all([0, 1].map(() => run(["train", "t.json"], { cwd: c.w, timeoutMs: 120_000 })));
    return concurrentVerdict(c, rs, async () => {
      const dirs = readdirSync(join(c.w, "results", "tr")).filter((f) => !f.startsWith("."));
      const ok = rs.filter((r) => r.code === 0).length;
      return dirs.length === ok ? undefined : `${ok} finished but ${dirs.length} result folders`;
    });
  },
});
add({
  klass: "fault",
  command: "train",
  title: "two concurrent --resume of one checkpoint folder",
  quick: true,
  async exec(c) {
    // A long run killed after its third checkpoint, so that both resumes have minutes of work left.
    writeFiles(c.w, { "t.json": { ...slowTrain(), totalSteps: 1_000_000 } });
    const ckpts = () => {
      const d = join(c.w, "m", "trs");
      const run = existsSync(d) ? readdirSync(d).find((f) => !f.startsWith(".")) : undefined;
      return run ? readdirSync(join(d, run)).filter((f) => f.startsWith("step-")).length : 0;
    };
    const first = start(["train", "t.json", "--models-root", "m"], { cwd: c.w, timeoutMs: 180_000 });
    for (let i = 0; i < 1200 && ckpts() < 3; i++) await sleep(100);
    killGroup(first.child, "SIGKILL");
    await first.done;
    if (ckpts() < 3) return { outcome: "n/a", note: "no checkpoints within 120 s" };
    const runs = readdirSync(join(c.w, "m", "trs")).filter((f) => !f.startsWith("."));
    const resume = ["train", "t.json", "--models-root", "m", "--resume", join("m", "trs", runs[0])];
    const a = start(resume, { cwd: c.w, timeoutMs: 180_000 });
    const b = start(resume, { cwd: c.w, timeoutMs: 180_000 });
    // The one that refuses ends first; then the other is stopped with SIGTERM (it saves a checkpoint, exit 143).
    const firstDone = await Promise.race([a.done.then((r) => ({ r, other: b })), b.done.then((r) => ({ r, other: a }))]);
    firstDone.other.child.kill("SIGTERM");
    const second = await firstDone.other.done;
    const rs = [firstDone.r, second];
    const v: Verdict = {
      outcome: "pass",
      ms: Math.round(firstDone.r.ms),
      message: rs.map((r) => `exit ${r.code}${r.code ? `: ${firstLine(r.stderr)}` : ""}`).join(" | "),
    };
    if (rs.some((r) => r.timedOut)) return { ...v, outcome: "hang" };
    if (rs.some((r) => STACK.test(r.stderr) || r.signal)) return { ...v, outcome: "crash" };
    if (firstDone.r.code === 0)
      return { ...v, outcome: "wrong", note: "a resume finished while the other ran (both trained on one checkpoint folder)" };
    if (firstDone.r.code !== 2 || !/in use|pid \d+/.test(firstDone.r.stderr))
      return { ...v, outcome: "unclear", note: "the refusal does not name the other process" };
    if (second.code !== 143) return { ...v, outcome: "wrong", note: `the running resume exits ${second.code} on SIGTERM, expected 143` };
    const left = debris(c.dir, listTree(c.dir));
    if (left.length) return { ...v, outcome: "leftover", leftovers: left };
    return v;
  },
});
add({
  klass: "fault",
  command: "review",
  title: "two concurrent decisions on one queue",
  quick: false,
  async exec(c) {
    if (!fx.ok.reviewRun) return { outcome: "n/a", note: "review fixture failed" };
    cpSync(fx.reviewRun, join(c.w, "r"), { recursive: true });
    const items = JSON.parse(readFileSync(join(c.w, "r", "review_queue.json"), "utf8")).items as { id: string; status: string }[];
    const pending = items.filter((i) => i.status === "pending").map((i) => i.id);
    if (pending.length < 2) return { outcome: "n/a", note: "fewer than two pending items" };
    const rs = await Promise.all(
      pending.slice(0, 2).map((id) => run(["review", "approve", id, "--queue", "r/review_queue.json"], { cwd: c.w, timeoutMs: 60_000 })),
    );
    return concurrentVerdict(c, rs, async () => {
      const after = JSON.parse(readFileSync(join(c.w, "r", "review_queue.json"), "utf8")).items as { id: string; status: string }[];
      const approved = after.filter((i) => pending.slice(0, 2).includes(i.id) && i.status === "approved").length;
      const ok = rs.filter((r) => r.code === 0).length;
      if (approved !== ok) return `${ok} approvals reported, ${approved} recorded in the queue (a decision was lost)`;
      const v = await run(["ledger", "verify", "r/ledger.jsonl"], { cwd: c.w });
      if (v.code !== 0) return `the ledger no longer verifies: ${firstLine(v.stdout + v.stderr)}`;
      const decisions = readFileSync(join(c.w, "r", "ledger.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.includes("review_decision")).length;
      if (decisions !== ok) return `${ok} approvals, ${decisions} review_decision records in the ledger`;
      return undefined;
    });
  },
});
add({
  klass: "fault",
  command: "run",
  title: "lock of a live process on the experiment",
  quick: false,
  async exec(c) {
    writeFiles(c.w, { "cfg.json": { ...marketExp(), conditions: [{ name: "analytic", learned: [] }] } });
    // take the lock the way a running `run` does: start one on a slow experiment and probe while it trains
    writeFiles(c.w, {
      "slow.json": { ...slowExp(), name: "tinym", conditions: [{ name: "analytic", learned: [] }, ...slowExp().conditions.slice(1)] },
    });
    let ready = false;
    const holder = start(["run", "slow.json", "--workers", "1", "--no-figures"], {
      cwd: c.w,
      timeoutMs: 120_000,
      onStderr: (all) => (ready ||= /start\s+task-one/.test(all)),
    });
    for (let i = 0; i < 600 && !ready; i++) await sleep(50);
    const r = await run(["run", "slow.json", "--workers", "1", "--no-figures"], { cwd: c.w, timeoutMs: 120_000 });
    killGroup(holder.child, "SIGKILL");
    await holder.done;
    const v = judge(r, 2, { mentions: /pid \d+|in use|running/ });
    return { ...v, note: v.note ?? (r.code === 0 ? "ran the same experiment at the same time" : undefined) };
  },
});

// ENOSPC, EROFS: tmpfs mounts (root only); EACCES: a read-only folder for the user nobody.
let canMount: boolean | undefined;
function tryMount(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  if (canMount === false) return false;
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { encoding: "utf8" });
  canMount = r.status === 0;
  if (canMount) mounts.add(dir);
  return canMount;
}
function unmount(dir: string): void {
  spawnSync("umount", ["-l", dir]);
  mounts.delete(dir);
}
const remount = (dir: string, opts: string) => spawnSync("mount", ["-o", `remount,${opts}`, dir]).status === 0;

function enospc(
  command: string,
  title: string,
  size: string,
  files: () => Files,
  args: string[],
  quick: boolean,
  rerun?: (c: Ctx) => string[],
) {
  add({
    klass: "fault",
    command,
    title: `ENOSPC: ${title}`,
    quick,
    async exec(c) {
      const mnt = join(c.w, "mnt");
      if (!tryMount(mnt, size)) return { outcome: "n/a", note: "cannot mount a tmpfs (not root, or no CAP_SYS_ADMIN)" };
      try {
        writeFiles(c.w, files());
        const r = await run(args, { cwd: c.w, timeoutMs: 120_000 });
        const inMnt = listTree(mnt);
        let v = judge(r, 2, { mentions: /ENOSPC|no space/i });
        if (v.outcome === "clean") {
          const half = [...inMnt.filter((p) => /\.tmp|\.lock$/.test(p) || p.startsWith(".")), ...debris(mnt, inMnt)];
          if (half.length) v = { ...v, outcome: "leftover", leftovers: [...new Set(half)] };
        }
        if (v.outcome !== "clean" && v.outcome !== "leftover") return v;
        if (!remount(mnt, "size=64m")) return { ...v, note: "could not grow the tmpfs to test the rerun" };
        const again = await run(rerun?.(c) ?? args, { cwd: c.w, timeoutMs: 180_000 });
        if (again.code !== 0)
          return { ...v, outcome: "wrong", note: `the same command after freeing space exits ${again.code}: ${firstLine(again.stderr)}` };
        const left = debris(c.dir, listTree(c.dir));
        if (left.length) return { ...v, outcome: "leftover", leftovers: left, note: "after the rerun" };
        return v;
      } finally {
        unmount(mnt);
      }
    },
  });
}
enospc(
  "equilibrium",
  "--out on a 64 KiB tmpfs",
  "64k",
  () => ({ "cfg.json": eqCfg() }),
  ["equilibrium", "cfg.json", "--out", "mnt/run"],
  true,
);
enospc("hubs", "--out on a 32 KiB tmpfs", "32k", () => ({ "cfg.json": hubsCfg() }), ["hubs", "cfg.json", "--out", "mnt/run"], false);
enospc(
  "run",
  "results and models on a 48 KiB tmpfs",
  "48k",
  () => ({ "cfg.json": { ...slowExp("full"), training: { totalSteps: 64, numEnvs: 1 }, output: "mnt/results" } }),
  ["run", "cfg.json", "--workers", "1", "--no-figures", "--models", "mnt/models"],
  true,
);
enospc(
  "train",
  "checkpoints on a 48 KiB tmpfs",
  "48k",
  () => ({ "cfg.json": { ...trainCfg(), totalSteps: 2048 } }),
  ["train", "cfg.json", "--models-root", "mnt"],
  false,
  (c) => {
    const runs = existsSync(join(c.w, "mnt", "tr"))
      ? readdirSync(join(c.w, "mnt", "tr")).filter(
          (f) => !f.startsWith(".") && readdirSync(join(c.w, "mnt", "tr", f)).some((x) => x.startsWith("step-")),
        )
      : [];
    return runs.length === 1
      ? ["train", "cfg.json", "--models-root", "mnt", "--resume", join("mnt", "tr", runs[0])]
      : ["train", "cfg.json", "--models-root", "mnt"];
  },
);
add({
  klass: "fault",
  command: "equilibrium",
  title: "EROFS: --out on a read-only file system",
  quick: false,
  async exec(c) {
    const mnt = join(c.w, "mnt");
    if (!tryMount(mnt, "1m")) return { outcome: "n/a", note: "cannot mount a tmpfs" };
    try {
      remount(mnt, "ro");
      writeFiles(c.w, { "cfg.json": eqCfg() });
      const r = await run(["equilibrium", "cfg.json", "--out", "mnt/run"], { cwd: c.w });
      return judge(r, 2, { mentions: /EROFS|read-only/i });
    } finally {
      unmount(mnt);
    }
  },
});
const nobodyOk = process.getuid?.() === 0 && spawnSync("setpriv", ["--version"]).status === 0;
function eacces(command: string, title: string, files: () => Files, prep: (c: Ctx) => void, args: string[], quick: boolean) {
  add({
    klass: "fault",
    command,
    title: `EACCES: ${title}`,
    quick,
    async exec(c) {
      if (!nobodyOk) return { outcome: "n/a", note: "needs root to run the CLI as nobody (root ignores chmod)" };
      writeFiles(c.w, files());
      for (const d of [c.dir, c.w]) chmodSync(d, 0o777);
      prep(c);
      const before = new Set(listTree(c.dir));
      const r = await run(args, { cwd: c.w, asNobody: true });
      return judge(r, 2, { mentions: /EACCES|permission/i, created: listTree(c.dir).filter((p) => !before.has(p)), dir: c.dir });
    },
  });
}
eacces(
  "equilibrium",
  "--out in a read-only folder",
  () => ({ "cfg.json": eqCfg() }),
  (c) => {
    mkdirSync(join(c.w, "ro"));
    chmodSync(join(c.w, "ro"), 0o555);
  },
  ["equilibrium", "cfg.json", "--out", "ro/run"],
  true,
);
eacces(
  "run",
  "results root in a read-only folder",
  () => ({ "cfg.json": { ...marketExp(), output: "ro/results" } }),
  (c) => {
    mkdirSync(join(c.w, "ro"));
    chmodSync(join(c.w, "ro"), 0o555);
  },
  ["run", "cfg.json", "--workers", "1", "--no-figures", "--models", "m"],
  false,
);
eacces(
  "hubs",
  "unreadable config",
  () => ({ "cfg.json": hubsCfg() }),
  (c) => chmodSync(join(c.w, "cfg.json"), 0o000),
  ["hubs", "cfg.json"],
  false,
);
eacces(
  "train",
  "models root in a read-only folder",
  () => ({ "cfg.json": trainCfg() }),
  (c) => {
    mkdirSync(join(c.w, "ro"));
    chmodSync(join(c.w, "ro"), 0o555);
  },
  ["train", "cfg.json", "--models-root", "ro/m"],
  false,
);

// EISDIR / ENOTDIR.
refusal("fault", "ledger", "EISDIR: verify a folder", {
  files: { "d/x": "" },
  args: ["ledger", "verify", "d"],
  mentions: /\bd\b.*directory|directory/,
  quick: true,
});
refusal("fault", "ledger", "EISDIR: --key is a folder", {
  files: { "d/x": "" },
  setup: (c) => cpSync(fx.hubsKeyed, join(c.w, "r"), { recursive: true }),
  args: ["ledger", "verify", "r/ledger.jsonl", "--key", "d"],
  mentions: /\bd\b/,
  flags: ["--key"],
});
refusal("fault", "hubs", "EISDIR: --ledger-key is a folder", {
  files: () => ({ "cfg.json": hubsCfg(), "d/x": "" }),
  args: ["hubs", "cfg.json", "--ledger-key", "d"],
  mentions: /\bd\b/,
  flags: ["--ledger-key"],
});
refusal("fault", "review", "EISDIR: --queue is a folder", {
  files: { "d/x": "" },
  args: ["review", "list", "--queue", "d"],
  mentions: /\bd\b/,
});
refusal("fault", "table", "EISDIR: --out is a folder", {
  files: { "d/x": "" },
  args: () => ["table", fx.marketRun, "--out", "d"],
  mentions: /\bd\b/,
});
refusal("fault", "equilibrium", "ENOTDIR: --out under a file", {
  files: () => ({ "cfg.json": eqCfg(), f: "x" }),
  args: ["equilibrium", "cfg.json", "--out", "f/run"],
  mentions: /\bf\b|ENOTDIR|not a directory/,
});

// EPIPE: the reader closes the pipe at once (`| true`) or after one line (`| head -1`).
for (const [command, args, reader, commits, quick] of [
  ["equilibrium", ["equilibrium", "cfg.json", "--out", "o"], "true", true, true],
  ["equilibrium", ["equilibrium", "cfg.json", "--out", "o"], "head -1", true, false],
  ["hubs", ["hubs", "cfg.json", "--out", "o"], "true", true, true],
  ["hubs", ["hubs", "cfg.json", "--out", "o"], "head -1", true, false],
  ["run", ["run", "cfg.json", "--workers", "1", "--no-figures", "--out", "o"], "true", true, false],
  ["negotiate", ["negotiate", "cfg.json", "--out", "o"], "true", true, false],
  ["table", ["table", "FXRUN"], "true", false, false],
  ["review", ["review", "list", "--queue", "FXQUEUE"], "true", false, false],
  ["ledger", ["ledger", "verify", "FXLEDGER"], "true", false, false],
  ["cli", ["--help"], "true", false, false],
] as const) {
  add({
    klass: "fault",
    command,
    title: `EPIPE: | ${reader}`,
    quick,
    commands: command === "cli" ? [] : undefined,
    async exec(c) {
      const cfg: Record<string, () => J> = { equilibrium: eqCfg, hubs: hubsCfg, run: marketExp, negotiate: negotiateCfg };
      if (cfg[command]) writeFiles(c.w, { "cfg.json": cfg[command]() });
      const a = args.map((x) =>
        x === "FXRUN"
          ? fx.marketRun
          : x === "FXQUEUE"
            ? join(fx.reviewRun, "review_queue.json")
            : x === "FXLEDGER"
              ? join(fx.hubsRun, "ledger.jsonl")
              : x,
      );
      const r = await runPiped(a, reader, { cwd: c.w, timeoutMs: 120_000 });
      const v: Verdict = { outcome: "pass", exit: r.code, ms: Math.round(r.ms), message: firstLine(r.stderr) };
      if (r.timedOut) return { ...v, outcome: "hang" };
      if (STACK.test(r.stderr)) return { ...v, outcome: "crash", note: `stack trace: ${errorLine(r.stderr)}`, tail: r.stderr.slice(-1500) };
      if (r.code !== 0 && r.code !== 2) return { ...v, outcome: "crash", note: `exit ${r.code}` };
      if (r.code === 2 && !/EPIPE|closed/.test(r.stderr)) return { ...v, outcome: "unclear", note: "exit 2 without saying why" };
      if (commits && !existsSync(join(c.w, "o", "manifest.json"))) return { ...v, outcome: "wrong", note: "results were not committed" };
      const left = debris(c.dir, listTree(c.dir));
      if (left.length) return { ...v, outcome: "leftover", leftovers: left };
      return v;
    },
  });
}

// Stale leftovers of dead processes are swept by the next run.
add({
  klass: "fault",
  command: "run",
  title: "stale staging and lock of a dead process are swept",
  quick: false,
  async exec(c) {
    writeFiles(c.w, { "cfg.json": { ...marketExp(), conditions: [{ name: "analytic", learned: [] }] } });
    const first = await run(["run", "cfg.json", "--workers", "1", "--no-figures"], { cwd: c.w, timeoutMs: 120_000 });
    if (first.code !== 0) return { outcome: "crash", note: `first run exits ${first.code}: ${firstLine(first.stderr)}` };
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    const expDir = join(c.w, "results", "tinym");
    const store = readdirSync(expDir).find((f) => /^\.partial-[0-9a-f]+$/.test(f));
    mkdirSync(
      join(
        expDir,
        `.tmp-20260101-000000-000-${dead}-h${hostname()
          .replace(/[^A-Za-z0-9]/g, "_")
          .slice(0, 32)}`,
      ),
      { recursive: true },
    );
    mkdirSync(join(expDir, `.tmp-20260101-000000-001-${dead}`), { recursive: true });
    writeFileSync(join(expDir, `.tmp-20260101-000000-001-${dead}`, "metrics.csv"), "half");
    if (store)
      writeFileSync(join(expDir, `${store}.lock`), JSON.stringify({ pid: Number(dead), host: hostname(), started_at: "x", command: "x" }));
    const r = await run(["run", "cfg.json", "--workers", "1", "--no-figures"], { cwd: c.w, timeoutMs: 120_000 });
    return judge(r, 0, { created: listTree(c.dir), dir: c.dir });
  },
});

function hostname(): string {
  return spawnSync("hostname", { encoding: "utf8" }).stdout.trim();
}

// ---------------------------------------------------------------------------------------------------------
// (c) ledger tamperings

const canon = (v: unknown): string => {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
    .join(",")}}`;
};
const sha = (prev: string, seq: number, record: unknown) => createHash("sha256").update(canon({ prev, record, seq })).digest("hex");
const GENESIS = "0".repeat(64);

interface LedgerFiles {
  lines: string[];
  head: J | undefined;
  manifest: J | undefined;
}
/** Rebuild every hash from line `from` on (unkeyed), like a forger who can write the run folder. */
function rechain(lines: string[], from = 1): string[] {
  const out = lines.slice(0, from - 1);
  let prev = from === 1 ? GENESIS : JSON.parse(lines[from - 2]).hash;
  for (let i = from - 1; i < lines.length; i++) {
    const e = JSON.parse(lines[i]);
    const seq = i + 1;
    const hash = sha(prev, seq, e.record);
    out.push(canon({ hash, prev, record: e.record, seq }));
    prev = hash;
  }
  return out;
}
const lastHash = (lines: string[]) => (lines.length ? JSON.parse(lines.at(-1)!).hash : GENESIS);
const anchorHead = (f: LedgerFiles) => {
  if (f.head) f.head = { ...f.head, count: f.lines.length, hash: lastHash(f.lines) };
};
const anchorManifest = (f: LedgerFiles) => {
  if (f.manifest?.ledger) f.manifest.ledger = { ...f.manifest.ledger, records: f.lines.length, head: lastHash(f.lines) };
};
const modifyRecord = (line: string) => {
  const e = JSON.parse(line);
  e.record.quantity = (e.record.quantity ?? 0) + 1;
  e.record.note = "edited";
  return canon(e);
};

type Tamper = [title: string, f: (x: LedgerFiles) => void, expect: 0 | 1, quick: boolean];
const tamperings: Tamper[] = [
  ["modify a record", (x) => void (x.lines[4] = modifyRecord(x.lines[4])), 1, true],
  [
    "modify and rehash the rest of the chain",
    (x) => {
      x.lines[4] = modifyRecord(x.lines[4]);
      x.lines = rechain(x.lines, 5);
    },
    1,
    false,
  ],
  [
    "modify, rehash, rewrite the head file",
    (x) => {
      x.lines[4] = modifyRecord(x.lines[4]);
      x.lines = rechain(x.lines, 5);
      anchorHead(x);
    },
    1,
    true,
  ],
  [
    "consistent rewrite of ledger, head and manifest (documented limit: passes)",
    (x) => {
      x.lines[4] = modifyRecord(x.lines[4]);
      x.lines = rechain(x.lines, 5);
      anchorHead(x);
      anchorManifest(x);
    },
    0,
    false,
  ],
  ["remove a middle record", (x) => void x.lines.splice(5, 1), 1, true],
  ["remove the last record", (x) => void x.lines.pop(), 1, false],
  [
    "remove the last record and fix the head file",
    (x) => {
      x.lines.pop();
      anchorHead(x);
    },
    1,
    true,
  ],
  ["insert a copy of a record", (x) => void x.lines.splice(3, 0, x.lines[2]), 1, true],
  [
    "insert a forged record and rehash",
    (x) => {
      const e = JSON.parse(x.lines[2]);
      x.lines.splice(3, 0, canon({ ...e, record: { ...e.record, id: "FORGED" } }));
      x.lines = rechain(x.lines, 4);
    },
    1,
    false,
  ],
  [
    "reorder two records",
    (x) => {
      [x.lines[3], x.lines[4]] = [x.lines[4], x.lines[3]];
    },
    1,
    true,
  ],
  ["truncate mid-line", (x) => void (x.lines[x.lines.length - 1] = x.lines.at(-1)!.slice(0, 40)), 1, true],
  ["truncate to empty", (x) => void (x.lines = []), 1, false],
  [
    "extra key in sorted position",
    (x) => {
      const e = JSON.parse(x.lines[4]);
      x.lines[4] = canon({ ...e, approvedBy: "mallory" });
    },
    1,
    true,
  ],
  ["extra key at the end", (x) => void (x.lines[4] = x.lines[4].replace(/}$/, ',"zzz":1}')), 1, false],
  ["missing key", (x) => void (x.lines[4] = x.lines[4].replace(/,"seq":\d+/, "")), 1, false],
  ["duplicate key", (x) => void (x.lines[4] = x.lines[4].replace(/^\{/, '{"seq":999,')), 1, false],
  ["whitespace after a colon", (x) => void (x.lines[4] = x.lines[4].replace('":', '": ')), 1, true],
  ["trailing space", (x) => void (x.lines[4] = x.lines[4] + " "), 1, false],
  ["CRLF line ending", (x) => void (x.lines[4] = x.lines[4] + "\r"), 1, false],
  ["blank line inserted", (x) => void x.lines.splice(4, 0, ""), 1, false],
  [
    "key order",
    (x) => {
      const e = JSON.parse(x.lines[4]);
      x.lines[4] = JSON.stringify({ seq: e.seq, record: e.record, prev: e.prev, hash: e.hash });
    },
    1,
    true,
  ],
  ["number formatting (40 -> 40.0)", (x) => void (x.lines[0] = x.lines[0].replace(/"quantity":40\b/, '"quantity":40.0')), 1, false],
  ["unicode escape for a letter", (x) => void (x.lines[0] = x.lines[0].replace(/"seller":"A"/, '"seller":"\\u0041"')), 1, false],
  ["head count edited", (x) => void (x.head && (x.head.count += 1)), 1, true],
  ["head hash edited", (x) => void (x.head && (x.head.hash = "f".repeat(64))), 1, false],
  ["head file invalid JSON", (x) => void (x.head = "{" as unknown as J), 1, false],
  ["head file removed (manifest still anchors)", (x) => void (x.head = undefined), 0, false],
  [
    "head and manifest removed (unanchored)",
    (x) => {
      x.head = undefined;
      x.manifest = undefined;
    },
    1,
    false,
  ],
  ["manifest head edited", (x) => void (x.manifest?.ledger && (x.manifest.ledger.head = "e".repeat(64))), 1, false],
];

function tamperCase(
  title: string,
  source: () => string,
  f: (x: LedgerFiles) => void,
  expect: 0 | 1,
  quick: boolean,
  keyArgs: (c: Ctx) => string[],
  flags?: string[],
) {
  add({
    klass: "ledger",
    command: "ledger",
    title,
    quick,
    flags,
    async exec(c) {
      const src = source();
      if (!existsSync(join(src, "ledger.jsonl"))) return { outcome: "n/a", note: "no ledger fixture" };
      const r = join(c.w, "r");
      cpSync(src, r, { recursive: true });
      const text = readFileSync(join(r, "ledger.jsonl"), "utf8");
      const x: LedgerFiles = {
        lines: text.split("\n").filter((l, i, a) => i < a.length - 1 || l !== ""),
        head: existsSync(join(r, "ledger.jsonl.head")) ? JSON.parse(readFileSync(join(r, "ledger.jsonl.head"), "utf8")) : undefined,
        manifest: JSON.parse(readFileSync(join(r, "manifest.json"), "utf8")),
      };
      const truncated = title.startsWith("truncate mid-line");
      f(x);
      writeFileSync(join(r, "ledger.jsonl"), x.lines.join("\n") + (x.lines.length && !truncated ? "\n" : ""));
      if (x.head === undefined) rmSync(join(r, "ledger.jsonl.head"), { force: true });
      else writeFileSync(join(r, "ledger.jsonl.head"), typeof x.head === "string" ? x.head : JSON.stringify(x.head) + "\n");
      if (x.manifest === undefined) rmSync(join(r, "manifest.json"));
      else writeFileSync(join(r, "manifest.json"), JSON.stringify(x.manifest, null, 2));
      const before = new Set(listTree(c.dir));
      const res = await run(["ledger", "verify", "r/ledger.jsonl", ...keyArgs(c)], { cwd: c.w, timeoutMs: 30_000 });
      // verify reports on stdout or stderr; judge both
      const merged = { ...res, stderr: `${res.stderr}\n${res.stdout}` };
      return judge(merged, expect, {
        mentions: expect === 1 ? /line \d+|anchor|head|manifest|not valid|truncat/i : undefined,
        created: listTree(c.dir).filter((p) => !before.has(p)),
      });
    },
  });
}
for (const [title, f, expect, quick] of tamperings)
  tamperCase(
    `unkeyed: ${title}`,
    () => fx.hubsRun,
    f,
    expect,
    quick,
    () => [],
  );
// Keyed: the forger has no key; every rewrite must fail under --key.
const keyArgs = () => ["--key", fx.key];
for (const [title, f, , quick] of tamperings) {
  if (/head file invalid|head file removed|unanchored|number formatting|unicode/.test(title)) continue;
  tamperCase(
    `keyed: ${title.replace(" (documented limit: passes)", "")}`,
    () => fx.hubsKeyed,
    f,
    /head file removed/.test(title) ? 0 : 1,
    quick,
    keyArgs,
    ["--key"],
  );
}
tamperCase(
  "keyed: downgrade (rehash with SHA-256, drop the mac marker), verified with --key",
  () => fx.hubsKeyed,
  (x) => {
    x.lines[4] = modifyRecord(x.lines[4]);
    x.lines = rechain(x.lines, 1);
    anchorHead(x);
    if (x.head) delete x.head.mac;
    anchorManifest(x);
  },
  1,
  true,
  keyArgs,
  ["--key"],
);
tamperCase(
  "keyed: cut the last records, fix head and manifest (no new hash needed)",
  () => fx.hubsKeyed,
  (x) => {
    x.lines.splice(-3);
    anchorHead(x);
    anchorManifest(x);
  },
  1,
  true,
  keyArgs,
  ["--key"],
);
tamperCase(
  "keyed: intact, with its key",
  () => fx.hubsKeyed,
  () => {},
  0,
  true,
  keyArgs,
  ["--key"],
);
add({
  klass: "ledger",
  command: "ledger",
  title: "keyed: intact, without --key (must ask for it)",
  quick: false,
  flags: ["--key"],
  async exec(c) {
    if (!fx.ok.hubsKeyed) return { outcome: "n/a", note: "keyed fixture failed" };
    const r = await run(["ledger", "verify", join(fx.hubsKeyed, "ledger.jsonl")], { cwd: c.w, timeoutMs: 30_000 });
    return judge({ ...r, stderr: r.stderr + r.stdout }, 2, { mentions: /key/ });
  },
});
add({
  klass: "ledger",
  command: "ledger",
  title: "keyed: intact, wrong key",
  quick: false,
  flags: ["--key"],
  async exec(c) {
    if (!fx.ok.hubsKeyed) return { outcome: "n/a", note: "keyed fixture failed" };
    writeFileSync(join(c.w, "other.key"), randomBytes(32));
    const r = await run(["ledger", "verify", join(fx.hubsKeyed, "ledger.jsonl"), "--key", "other.key"], { cwd: c.w, timeoutMs: 30_000 });
    return judge({ ...r, stderr: r.stderr + r.stdout }, 1, { mentions: /line \d+|key/ });
  },
});
add({
  klass: "ledger",
  command: "ledger",
  title: "unkeyed ledger verified with --key",
  quick: false,
  flags: ["--key"],
  async exec(c) {
    const r = await run(["ledger", "verify", join(fx.hubsRun, "ledger.jsonl"), "--key", fx.key], { cwd: c.w, timeoutMs: 30_000 });
    return judge({ ...r, stderr: r.stderr + r.stdout }, 1, { mentions: /line \d+|key/ });
  },
});
add({
  klass: "ledger",
  command: "ledger",
  title: "signed head verified with --public-key",
  quick: false,
  flags: ["--public-key"],
  async exec(c) {
    const r = await run(["ledger", "verify", join(fx.hubsRun, "ledger.jsonl"), "--public-key", fx.key], { cwd: c.w, timeoutMs: 30_000 });
    return judge(r, 0, {});
  },
});
add({
  klass: "ledger",
  command: "review",
  title: "decision on a tampered ledger is refused",
  quick: true,
  async exec(c) {
    if (!fx.ok.reviewRun) return { outcome: "n/a", note: "review fixture failed" };
    cpSync(fx.reviewRun, join(c.w, "r"), { recursive: true });
    const lines = readFileSync(join(c.w, "r", "ledger.jsonl"), "utf8").split("\n");
    lines[1] = modifyRecord(lines[1]);
    writeFileSync(join(c.w, "r", "ledger.jsonl"), lines.join("\n"));
    const q0 = readFileSync(join(c.w, "r", "review_queue.json"), "utf8");
    const id = (JSON.parse(q0).items as { id: string; status: string }[]).find((i) => i.status === "pending")?.id;
    if (!id) return { outcome: "n/a", note: "no pending item" };
    const r = await run(["review", "approve", id, "--queue", "r/review_queue.json"], { cwd: c.w, timeoutMs: 30_000 });
    const v = judge(r, 2, { mentions: /ledger|line \d/ });
    if (readFileSync(join(c.w, "r", "review_queue.json"), "utf8") !== q0) return { ...v, outcome: "wrong", note: "the queue changed" };
    return v;
  },
});

// ---------------------------------------------------------------------------------------------------------
// (d) markets through `equilibrium`

interface MarketCase {
  title: string;
  spec: J;
  quick: boolean;
}
const marketCases: MarketCase[] = [];
{
  const rng = new Rng(16);
  const n = QUICK ? 20 : 100;
  for (let i = 0; i < n; i++) {
    const opts = { groups: 2 + rng.int(2), agentsPerGroup: 1 + rng.int(3), goods: 1 + rng.int(4) };
    marketCases.push({
      title: `generated #${i} (${opts.groups}x${opts.agentsPerGroup}x${opts.goods})`,
      spec: randomMarket(rng, opts) as unknown as J,
      quick: true,
    });
  }
  const paper = () => clone(eqCfg().market) as J;
  const edge = (title: string, f: (m: J) => void, quick = false) => {
    const m = paper();
    f(m);
    marketCases.push({ title, spec: m, quick });
  };
  const allB = (m: J, v: number) => m.groups.forEach((g: J) => (g.b = g.b.map(() => v)));
  edge("b 0.001 everywhere", (m) => allB(m, 0.001), true);
  edge("b 0.01 everywhere", (m) => allB(m, 0.01));
  edge("b 0.99 everywhere", (m) => allB(m, 0.99));
  edge("b 0.999 everywhere", (m) => allB(m, 0.999), true);
  edge("b 0.9999 in one group", (m) => (m.groups[0].b = m.groups[0].b.map(() => 0.9999)));
  edge("b mixed 0.001 / 0.999", (m) =>
    m.groups.forEach((g: J, k: number) => (g.b = g.b.map((_: number, j: number) => ((j + k) % 2 ? 0.999 : 0.001)))),
  );
  edge("outside supply beta 0.01", (m) => (m.outsideSupply.beta = m.outsideSupply.beta.map(() => 0.01)), true);
  edge("outside supply beta 50", (m) => (m.outsideSupply.beta = m.outsideSupply.beta.map(() => 50)));
  edge("outside demand beta -0.01", (m) => (m.outsideDemand.beta = m.outsideDemand.beta.map(() => -0.01)), true);
  edge("outside demand beta -50", (m) => (m.outsideDemand.beta = m.outsideDemand.beta.map(() => -50)));
  edge("outside demand alpha 1e-6", (m) => (m.outsideDemand.alpha = m.outsideDemand.alpha.map(() => 1e-6)));
  edge("outside demand alpha 1e9", (m) => (m.outsideDemand.alpha = m.outsideDemand.alpha.map(() => 1e9)));
  edge("budgets 1e-6", (m) => m.groups.forEach((g: J) => g.agents.forEach((a: J) => (a.budget = 1e-6))));
  edge("budgets 1e9", (m) => m.groups.forEach((g: J) => g.agents.forEach((a: J) => (a.budget = 1e9))));
  edge("productivity a 1e-3", (m) => m.groups.forEach((g: J) => g.agents.forEach((a: J) => (a.a = a.a.map(() => 1e-3)))));
  edge("productivity a 1e4", (m) => m.groups.forEach((g: J) => g.agents.forEach((a: J) => (a.a = a.a.map(() => 1e4)))));
  edge("b 0.999 with beta -50 and 50", (m) => {
    allB(m, 0.999);
    m.outsideSupply.beta = m.outsideSupply.beta.map(() => 50);
    m.outsideDemand.beta = m.outsideDemand.beta.map(() => -50);
  });
}

let refSolver: ((spec: J) => { ok: boolean; prices?: number[]; error?: string }) | undefined;
async function loadReference(): Promise<void> {
  const m = await import(pathToFileURL(join(ROOT, "src/market/index.ts")).href);
  refSolver = (spec) => {
    try {
      const eq = new m.EquilibriumSolver(spec).solve();
      return { ok: true, prices: Array.from(eq.prices as ArrayLike<number>) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  };
}

for (const mc of marketCases) {
  add({
    klass: "market",
    command: "equilibrium",
    title: mc.title,
    quick: mc.quick,
    async exec(c) {
      writeFiles(c.w, { "m.json": { name: "m", market: mc.spec, method: "newton" } });
      const ref = refSolver!(mc.spec);
      const r = await run(["equilibrium", "m.json", "--out", "o"], { cwd: c.w, timeoutMs: 120_000 });
      const note = ref.ok ? "Newton (cold start) solves it" : `Newton fails: ${ref.error?.slice(0, 120)}`;
      if (!ref.ok) {
        if (r.code === 0) {
          const bad = nonFinite(join(c.w, "o"), /equilibrium|agents/);
          return {
            ...judge(r, 0, { created: [], dir: c.dir }),
            ...(bad.length ? { outcome: "wrong", note: bad[0] } : { note: `${note}; solved anyway` }),
          };
        }
        return { ...judge(r, 2, { mentions: /m\.json|market/ }), note };
      }
      const v = judge(r, 0, { created: listTree(c.dir), dir: c.dir, csvDir: join(c.w, "o"), nanCsvs: /equilibrium|agents/ });
      if (v.outcome !== "pass") return { ...v, note: `${note}; ${v.note ?? ""}` };
      const rows = readFileSync(join(c.w, "o", "equilibrium.csv"), "utf8")
        .trim()
        .split("\n");
      const col = rows[0].split(",").indexOf("price");
      const prices = rows.slice(1).map((l) => Number(l.split(",")[col]));
      const off = prices.findIndex((p, i) => Math.abs(p - ref.prices![i]) > 1e-6 * Math.max(1, Math.abs(ref.prices![i])));
      if (prices.length !== ref.prices!.length || off >= 0)
        return { ...v, outcome: "wrong", note: `prices differ from Newton's at market ${off}: ${prices[off]} vs ${ref.prices![off]}` };
      return { ...v, note };
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Running the cases

async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, n) }, async () => {
      while (next < items.length) await f(items[next++]);
    }),
  );
}

interface Row extends Verdict {
  id: string;
  klass: Klass;
  command: string;
  title: string;
}

async function main(): Promise<void> {
  let selected = cases.filter((c) => (!QUICK || c.quick) && (!ONLY || ONLY.includes(c.klass)) && (!GREP || GREP.test(c.id)));
  if (flag("--list")) {
    for (const c of selected) console.log(c.id);
    console.log(`${selected.length} cases`);
    return;
  }
  const t0 = performance.now();
  const commit = spawnSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim();
  console.error(`probe: ${selected.length} cases against ${CLI} (${commit}), ${JOBS} at a time, in ${TMP}`);
  const commands = [...new Set(cases.map((c) => c.command).filter((c) => c !== "cli"))];
  await loadHelp(commands);
  if (selected.some((c) => c.klass === "market")) await loadReference();
  const needsFx = selected.some((c) => c.klass !== "market");
  if (needsFx) await buildFixtures();
  console.error(`probe: fixtures ready after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const rows: Row[] = [];
  let done = 0;
  // faults that race two processes run alone, after the rest
  const heavy = (c: CaseDef) => c.klass === "fault" && /concurrent|two |SIG|ENOSPC|lock of/.test(c.title);
  const order = [...selected.filter((c) => !heavy(c)), ...selected.filter(heavy)];
  selected = order;
  const execOne = async (c: CaseDef) => {
    const row: Row = { id: c.id, klass: c.klass, command: c.command, title: c.title, outcome: "n/a" };
    const help = c.command === "cli" ? "" : helpOf.get(c.command);
    const missing = [
      ...(help === null || help === undefined ? [`command ${c.command}`] : []),
      ...(c.flags ?? []).filter((f) => help && !help.includes(f)).map((f) => `flag ${f}`),
      ...(c.commands ?? []).filter((x) => !helpOf.get(x)),
    ];
    if (missing.length) Object.assign(row, { outcome: "n/a", note: `not in this checkout: ${missing.join(", ")}` });
    else {
      const dir = join(CASES, c.id.replace(/[^\w.-]/g, "_").slice(0, 120));
      mkdirSync(join(dir, "w"), { recursive: true });
      try {
        Object.assign(row, await c.exec({ id: c.id, dir, w: join(dir, "w"), timeoutMs: BAD_TIMEOUT }));
      } catch (err) {
        Object.assign(row, { outcome: "n/a", note: `probe error: ${(err as Error).stack?.split("\n").slice(0, 2).join(" ")}` });
      }
      if (!KEEP) rmSync(dir, { recursive: true, force: true });
    }
    rows.push(row);
    done++;
    const mark = row.outcome === "pass" || row.outcome === "clean" ? " " : "!";
    console.error(
      `${mark} [${done}/${selected.length}] ${row.outcome.padEnd(8)} ${c.id}${row.note ? `  (${row.note.slice(0, 140)})` : ""}`,
    );
  };
  await pool(
    order.filter((c) => !heavy(c)),
    JOBS,
    execOne,
  );
  await pool(order.filter(heavy), Math.max(1, Math.floor(JOBS / 2)), execOne);
  rows.sort((a, b) => selected.indexOf(cases.find((c) => c.id === a.id)!) - selected.indexOf(cases.find((c) => c.id === b.id)!));
  const seconds = (performance.now() - t0) / 1000;
  const report = {
    cli: CLI,
    commit,
    quick: QUICK,
    started: new Date(Date.now() - seconds * 1000).toISOString(),
    seconds: Math.round(seconds),
    counts: countTable(rows),
    cases: rows,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(report, null, 1) + "\n");
  console.log(formatTable(report.counts));
  const failing = rows.filter((r) => !["pass", "clean", "n/a"].includes(r.outcome));
  if (failing.length) {
    console.log(`\nfailing (${failing.length}):`);
    for (const r of failing) console.log(`  ${r.outcome.padEnd(8)} ${r.id}: ${r.note ?? r.message ?? ""}`.slice(0, 220));
  }
  console.log(`\n${rows.length} cases in ${seconds.toFixed(0)} s; per-case results: ${relative(process.cwd(), OUT)}`);
}

function countTable(rows: { klass: Klass; outcome: Outcome }[]): Record<string, Record<string, number>> {
  const t: Record<string, Record<string, number>> = {};
  for (const k of [...CLASSES, "total"]) t[k] = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const r of rows) {
    t[r.klass][r.outcome]++;
    t.total[r.outcome]++;
  }
  return t;
}

function formatTable(t: Record<string, Record<string, number>>): string {
  const head = ["class", ...OUTCOMES, "cases"];
  const lines = [head.map((h, i) => (i === 0 ? h.padEnd(7) : h.padStart(8))).join(" ")];
  for (const [k, counts] of Object.entries(t)) {
    const n = Object.values(counts).reduce((a, b) => a + b, 0);
    lines.push([k.padEnd(7), ...OUTCOMES.map((o) => String(counts[o]).padStart(8)), String(n).padStart(8)].join(" "));
  }
  return lines.join("\n");
}

function diff(a: string, b: string): void {
  const x = JSON.parse(readFileSync(a, "utf8"));
  const y = JSON.parse(readFileSync(b, "utf8"));
  console.log(`before: ${x.commit} (${x.cases.length} cases)\n${formatTable(x.counts)}\n`);
  console.log(`after: ${y.commit} (${y.cases.length} cases)\n${formatTable(y.counts)}\n`);
  const before = new Map<string, Row>(x.cases.map((r: Row) => [r.id, r]));
  console.log("changed outcomes:");
  for (const r of y.cases as Row[]) {
    const p = before.get(r.id);
    if (p && p.outcome !== r.outcome) console.log(`  ${p.outcome.padEnd(8)} -> ${r.outcome.padEnd(8)} ${r.id}`);
  }
}

await main();
