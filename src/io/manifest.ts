import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The git commit of the checkout (with `-dirty` when it has uncommitted changes), or "unknown". */
export function gitCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: projectRoot, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}

/** Installed versions of the project's runtime dependencies and of Node.js itself. */
export function packageVersions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
    version: string;
    dependencies: Record<string, string>;
  };
  const require = createRequire(join(projectRoot, "package.json"));
  const out: Record<string, string> = { node: process.version, supplygym: pkg.version };
  for (const name of Object.keys(pkg.dependencies)) out[name] = installedVersion(name, require) ?? "not installed";
  return out;
}

/**
 * The version in an installed package's package.json, read from disk: found from the module's resolved entry
 * point (walking up to the package.json that names it) or else in the node_modules folders above the project.
 * Not `require("<name>/package.json")`: packages whose `exports` omit it (such as highs) block that.
 */
export function installedVersion(
  name: string,
  require: NodeJS.Require = createRequire(join(projectRoot, "package.json")),
): string | undefined {
  const candidates: string[] = [];
  try {
    let dir = dirname(require.resolve(name));
    for (;;) {
      candidates.push(join(dir, "package.json"));
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  } catch {
    // Not resolvable through require (ESM-only exports, or missing): try node_modules below.
  }
  for (let dir = projectRoot; ; dir = dirname(dir)) {
    candidates.push(join(dir, "node_modules", name, "package.json"));
    if (dirname(dir) === dir) break;
  }
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      const json = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (json.name === name && typeof json.version === "string") return json.version;
    } catch {
      // An unreadable package.json: keep looking.
    }
  }
  return undefined;
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    platform: `${os.platform()}-${os.arch()}`,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

export interface ManifestInput {
  command: string;
  configFile?: string;
  config: unknown;
  seeds?: number[];
  backend?: string;
  timings: Record<string, number>;
  extra?: Record<string, unknown>;
}

/** The manifest every run directory holds: what ran, on what, with which versions, and how long it took. */
export function buildManifest(input: ManifestInput): Record<string, unknown> {
  return {
    supplygym: packageVersions().supplygym,
    command: input.command,
    config_file: input.configFile,
    config: input.config,
    seeds: input.seeds,
    backend: input.backend,
    git_commit: gitCommit(),
    versions: packageVersions(),
    machine: machine(),
    created_at: new Date().toISOString(),
    timings_s: input.timings,
    ...input.extra,
  };
}
