import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every project file `from` reaches through static and dynamic relative imports. */
function importGraph(from: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(from)) return seen;
  const source = readFileSync(from, "utf8");
  const specifiers = [...source.matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
  seen.set(from, specifiers);
  for (const spec of specifiers) if (spec.startsWith(".")) importGraph(resolve(dirname(from), spec.replace(/\.js$/, ".ts")), seen);
  return seen;
}

describe("npm run bench entry (bundled into dist/bench.js)", () => {
  it("reaches no vitest import and no test helper that locates files from its own source path", () => {
    const offenders = [...importGraph(resolve(root, "test/bench/main.ts"))]
      .filter(([file, specs]) => specs.includes("vitest") || relative(root, file).startsWith("test/helpers/shared"))
      .map(([file]) => relative(root, file));
    expect(offenders, "the bench bundle runs from dist/: find ../shared from the working directory or INSTANTID_SHARED").toEqual([]);
  });
});
