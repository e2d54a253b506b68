// `npm run notebooks [-- RUN_DIR]`: execute every notebook in notebooks/ headless with the tslab TypeScript kernel
// (jupyter nbconvert) against a run directory, and fail on any cell error. Executed copies go to
// results/notebooks/<run-id>/; the analysed run directory is not modified.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

function fail(message: string): never {
  console.error(`notebooks: ${message}`);
  process.exit(2);
}

function latestRun(experiment: string): string | undefined {
  const dir = join(root, "results", experiment);
  if (!existsSync(dir)) return undefined;
  const runs = readdirSync(dir)
    .filter((d) => !d.startsWith(".") && existsSync(join(dir, d, "summary.csv")))
    .sort();
  return runs.length ? join(dir, runs[runs.length - 1]) : undefined;
}

const arg = process.argv[2];
if (arg === "--help" || arg === "-h") {
  console.log("usage: npm run notebooks [-- RUN_DIR]   (default: the newest run of experiments/default.json)");
  process.exit(0);
}
const runDir = arg ? resolve(arg) : process.env.SUPPLYGYM_RUN_DIR ? resolve(process.env.SUPPLYGYM_RUN_DIR) : latestRun("default");
if (!runDir) fail("no finished run under results/default/: run `npm start` first, or pass a run directory");
if (!existsSync(join(runDir, "metrics.csv"))) fail(`${runDir}: not a run directory (no metrics.csv)`);

const nbconvert = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" });
if (nbconvert.status !== 0) {
  fail("jupyter nbconvert is not installed. On Debian/Ubuntu: apt-get install jupyter-nbconvert python3-ipykernel");
}
// Register the tslab kernel (idempotent) so that notebooks find `tslab` in this checkout.
const tslab = join(root, "node_modules", ".bin", "tslab");
// tslab's installer needs the Python that has Jupyter: Debian's /usr/bin/python3 when present.
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const install = spawnSync(tslab, ["install", "--user", "--python", python, `--binary=${tslab}`], { encoding: "utf8" });
if (install.status !== 0) fail(`could not register the tslab kernel:\n${install.stderr}`);

const outDir = join(root, "results", "notebooks", basename(runDir));
mkdirSync(outDir, { recursive: true });
const notebooks = readdirSync(here)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();
let failed = 0;
for (const nb of notebooks) {
  const t0 = Date.now();
  const r = spawnSync(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600", join(here, nb), "--output-dir", outDir],
    {
      cwd: here,
      encoding: "utf8",
      env: { ...process.env, SUPPLYGYM_RUN_DIR: runDir },
    },
  );
  if (r.status === 0) console.log(`ok    ${nb} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  else {
    failed++;
    console.error(`FAIL  ${nb}\n${r.stderr.split("\n").slice(-25).join("\n")}`);
  }
}
console.log(`${notebooks.length - failed} of ${notebooks.length} notebooks ran against ${runDir}; executed copies in ${outDir}`);
process.exit(failed ? 1 : 0);
