import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { readJsonFile } from "../io/config.js";
import { UsageError } from "../io/errors.js";

/**
 * Plugins: a researcher's own ES modules (TypeScript allowed: tsx is the runtime) whose top-level code calls
 * `registerStrategy`, `registerMetric`, `registerScenario` or `registerAlgorithm` from the package root
 * (`import { registerStrategy } from "supplygym"`). They come from an experiment's `"plugins"` field (paths relative
 * to the experiment file) and from `--plugin FILE` (relative to the working directory), are imported before the
 * experiment is validated (so their names are known to the schema), and again inside every worker thread (the
 * pool passes their paths), because every thread has its own registries.
 */

const loaded = new Set<string>();

/** Absolute paths of the plugins of an experiment file (its `plugins` field, read before validation) and of `--plugin` files. */
export function pluginFiles(experimentFile: string | undefined, cliPlugins: readonly string[] = []): string[] {
  const out: string[] = [];
  if (experimentFile !== undefined) {
    const raw = readJsonFile(experimentFile) as { plugins?: unknown } | null;
    const listed = raw !== null && typeof raw === "object" && Array.isArray(raw.plugins) ? raw.plugins : [];
    listed.forEach((p, i) => {
      // Bad entries (not strings) are reported by the schema when the file is validated.
      if (typeof p !== "string" || p === "") return;
      const abs = resolve(dirname(experimentFile), p);
      if (!isFile(abs)) throw new UsageError(`${experimentFile}: plugins[${i}]: no such file "${p}" (looked for ${abs})`);
      out.push(abs);
    });
  }
  for (const p of cliPlugins) {
    const abs = resolve(p);
    if (!isFile(abs)) throw new UsageError(`--plugin ${p}: no such file (looked for ${abs})`);
    out.push(abs);
  }
  return [...new Set(out)];
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

/**
 * Import each plugin once per thread, in order. A plugin that fails to load or to register (a taken name, a
 * missing field) is a UsageError (exit 2) naming the plugin file and what went wrong.
 */
export async function loadPlugins(files: readonly string[]): Promise<void> {
  for (const file of files) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    try {
      await import(pathToFileURL(file).href);
    } catch (err) {
      const e = err as Error;
      const what = e?.name === "RegistrationError" ? "registration failed" : "failed to load";
      throw new UsageError(`plugin ${file}: ${what}: ${e?.message ?? String(err)}`);
    }
  }
}
