import { defineConfig } from "vitest/config";

// Learning tests: a fixed seed must reach a stated return bar. Slow; run with `npm run test:learning`.
export default defineConfig({
  test: {
    include: ["test/learning/**/*.test.ts"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-learning-report.json" },
  },
});
