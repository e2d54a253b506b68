import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { installedVersion, packageVersions } from "./manifest.js";

describe("packageVersions", () => {
  it("records every runtime dependency's installed version, highs included (its exports block package.json)", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const v = packageVersions();
    for (const name of Object.keys(pkg.dependencies)) expect(v[name], name).toMatch(/^\d+\.\d+\.\d+/);
    const highs = JSON.parse(readFileSync(new URL("../../node_modules/highs/package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(v.highs).toBe(highs.version);
    expect(installedVersion("no-such-package-supplygym")).toBeUndefined();
  });
});
