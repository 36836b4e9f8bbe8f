import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// The package checks (npm run test:package) work on the built dist/ (npm run build first), so they stay out of `npm test`.
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, "..", ".."),
    include: ["test/package/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
