import { readdirSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Benchmark } from "./benchmark.js";

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

describe("test/bench/benchmarks.ts", () => {
  it("lists every benchmark exported by a test/bench/*.bench.ts file, so one table shows them all", async () => {
    const { benchmarks } = await import("./benchmarks.js");
    const files = readdirSync(resolve(root, "test/bench")).filter((f) => f.endsWith(".bench.ts"));
    const isBenchmark = (v: unknown): v is Benchmark => typeof v === "object" && v !== null && typeof (v as Benchmark).run === "function" && typeof (v as Benchmark).available === "function";
    const missing: string[] = [];
    for (const file of files) {
      const exported = Object.values(await import(`./${file.replace(/\.ts$/, ".js")}`)).flatMap((v) => (Array.isArray(v) ? v : [v]));
      for (const bench of exported.filter(isBenchmark)) if (!benchmarks.includes(bench)) missing.push(`${bench.name} (${file})`);
    }
    expect(missing).toEqual([]);
  });
});
