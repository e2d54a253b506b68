import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { UsageError } from "../io/errors.js";

import { BACKENDS, type BackendName } from "./backends.js";

export { BACKENDS, type BackendName };

let chosen: BackendName | undefined;
const require = createRequire(import.meta.url);

/**
 * Try to register the native backend. The danfojs-node override may install a package *named*
 * `@tensorflow/tfjs-node` that is really plain `@tensorflow/tfjs`, so importing it proves nothing: we only trust
 * the backend registry afterwards.
 */
async function tryTensorflow(): Promise<boolean> {
  try {
    await import("@tensorflow/tfjs-node" as string);
  } catch {
    return false;
  }
  if (tf.findBackendFactory("tensorflow") === null) return false;
  try {
    return await tf.setBackend("tensorflow");
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // In Node the .wasm binaries are read from the package's dist folder (no fetch from a CDN).
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(dist.endsWith("/") ? dist : `${dist}/`);
    return await tf.setBackend("wasm");
  } catch {
    return false;
  }
}

/** How to install the native backend (README.md, "Backends"). */
export const TENSORFLOW_INSTALL =
  'the native TensorFlow.js backend (@tensorflow/tfjs-node) is not installed. To use it where its download works: remove the "@tensorflow/tfjs-node" entry from "overrides" in package.json, then run npm install @tensorflow/tfjs-node@4.22.0 (README.md, section Backends); or choose --backend wasm or cpu';

/**
 * Check that a forced backend can be loaded, before any work starts: a UsageError (exit 2) naming `where` and,
 * for `tensorflow`, how to install it. The check loads the backend in this process without activating it.
 */
export async function requireBackend(backend: BackendName, where: string): Promise<void> {
  if (backend === "cpu") return;
  const ok = backend === "tensorflow" ? await loadsTensorflow() : await loadsWasm();
  if (!ok)
    throw new UsageError(
      `${where}: backend "${backend}" could not be loaded: ${backend === "tensorflow" ? TENSORFLOW_INSTALL : "@tensorflow/tfjs-backend-wasm did not load"}`,
    );
}

async function loadsTensorflow(): Promise<boolean> {
  try {
    await import("@tensorflow/tfjs-node" as string);
  } catch {
    return false;
  }
  return tf.findBackendFactory("tensorflow") !== null;
}

async function loadsWasm(): Promise<boolean> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    return tf.findBackendFactory("wasm") !== null;
  } catch {
    return false;
  }
}

export interface BackendOptions {
  /** Force one backend; it is an error when it cannot be loaded. Default: the fastest that loads. */
  backend?: BackendName;
}

/**
 * Choose and activate the TensorFlow.js backend once per process: `tensorflow` (native tfjs-node) when installed
 * and it registers the `tensorflow` backend, else `wasm`, else `cpu`. The only place that calls `tf.setBackend`.
 * Calling again with another forced backend switches (tests use this); without one it keeps the current choice.
 */
export async function initBackend(opts: BackendOptions = {}): Promise<BackendName> {
  tf.enableProdMode();
  if (opts.backend !== undefined) {
    if (!BACKENDS.includes(opts.backend)) throw new RangeError(`backend must be one of ${BACKENDS.join(", ")}, got "${opts.backend}"`);
    if (chosen === opts.backend) return chosen;
    const ok =
      opts.backend === "tensorflow" ? await tryTensorflow() : opts.backend === "wasm" ? await tryWasm() : await tf.setBackend("cpu");
    if (!ok)
      throw new UsageError(
        `TensorFlow.js backend "${opts.backend}" could not be loaded` + (opts.backend === "tensorflow" ? `: ${TENSORFLOW_INSTALL}` : ""),
      );
    await tf.ready();
    chosen = opts.backend;
    return chosen;
  }
  if (chosen !== undefined) return chosen;
  if (await tryTensorflow()) chosen = "tensorflow";
  else if (await tryWasm()) chosen = "wasm";
  else {
    await tf.setBackend("cpu");
    chosen = "cpu";
  }
  await tf.ready();
  return chosen;
}

/** The backend chosen by {@link initBackend} (for logs and manifests), or undefined before it ran. */
export function backendName(): BackendName | undefined {
  return chosen;
}

export function isBackendName(x: unknown): x is BackendName {
  return typeof x === "string" && (BACKENDS as readonly string[]).includes(x);
}
