import { defineConfig } from "vitest/config";

// Unit, contract and smoke tests: `npm test`. Slow learning runs live in test/learning (`npm run test:learning`).
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["test/learning/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The JSON report is what .ci/run counts ("N passed, N failed").
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
  },
});
