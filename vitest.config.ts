import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The package checks need the built dist/: `npm run test:package` runs them after `npm run build`.
    exclude: ["test/package/**", "**/node_modules/**"],
    // toEqual on typed arrays and Buffers in one native step instead of an element-by-element walk (seconds per 300 kB).
    setupFiles: ["test/helpers/typed-array-equality.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // In CI a JSON report lets .ci/run print one plain "N passed, N failed" closing line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: process.env.CI ? { json: ".cache/vitest-report.json" } : undefined,
  },
});
