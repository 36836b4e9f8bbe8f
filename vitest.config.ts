import { defineConfig } from "vitest/config";

/** Test files that replace a module (vi.mock): they need a module registry of their own. */
const OWN_MODULES = ["test/core/convert/link-fallback.test.ts"];
const PACKAGE_CHECKS = "test/package/**";

export default defineConfig({
  test: {
    // toEqual on typed arrays and Buffers in one native step instead of an element-by-element walk (seconds per 300 kB).
    setupFiles: ["test/helpers/typed-array-equality.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine, so files ran one
    // after another while that worker waited on servers, child processes and file I/O. Two workers overlap those
    // waits; ONNX Runtime's operator threads sleep when idle (core/runtime/session.ts), so two sessions share the cores.
    maxWorkers: 2,
    // In CI a JSON report lets .ci/run print one plain "N passed, N failed" closing line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: process.env.CI ? { json: ".cache/vitest-report.json" } : undefined,
    projects: [
      {
        extends: true,
        test: {
          name: "shared modules",
          include: ["test/**/*.test.ts"],
          // The package checks need the built dist/: `npm run test:package` runs them after `npm run build`.
          exclude: [PACKAGE_CHECKS, ...OWN_MODULES, "**/node_modules/**"],
          // A worker imports the SDK once for all its files instead of once per file: importing was half of the
          // suite's time (116 s of 224). So a test file must leave no state behind (environment, timers, mocks).
          isolate: false,
        },
      },
      { extends: true, test: { name: "own modules", include: OWN_MODULES } },
    ],
  },
});
