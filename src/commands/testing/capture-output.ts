import { afterEach, beforeEach, vi } from "vitest";

/**
 * For command tests: registers hooks that, around every test of the calling file or block, collect the lines a
 * command prints with console.error (`errors`) and console.log (`logs`) and drop its progress output on stderr.
 * The arrays are emptied before each test (the same array objects throughout).
 */
export function captureCommandOutput(): { errors: string[]; logs: string[] } {
  const out = { errors: [] as string[], logs: [] as string[] };
  beforeEach(() => {
    out.errors.length = 0;
    out.logs.length = 0;
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void out.errors.push(a.join(" ")));
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.logs.push(a.join(" ")));
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());
  return out;
}
