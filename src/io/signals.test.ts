import { describe, expect, it } from "vitest";
import { Lock } from "./lock.js";
import { holdForCleanup, installSignalHandlers, onInterrupt, signalsHandled } from "./signals.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("SIGINT/SIGTERM handling", () => {
  it("is active exactly while something needs the exit handlers (a lock, a staging folder) or a handler is pushed", () => {
    const before = process.listenerCount("SIGTERM");
    installSignalHandlers();
    // nothing to clean up: the default disposition ends a long synchronous computation at once
    expect(signalsHandled()).toBe(false);
    expect(process.listenerCount("SIGTERM")).toBe(before);
    const release = holdForCleanup();
    expect(signalsHandled()).toBe(true);
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    const off = onInterrupt(() => {});
    release();
    release(); // idempotent
    expect(signalsHandled()).toBe(true);
    off();
    expect(signalsHandled()).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), "sg-signals-"));
    const lock = Lock.acquire(join(dir, "x.lock"), { what: "x" });
    expect(signalsHandled()).toBe(true);
    lock.release();
    expect(signalsHandled()).toBe(false);
    expect(process.listenerCount("SIGTERM")).toBe(before);
    rmSync(dir, { recursive: true });
  });
});
