import { readdirSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Benchmark } from "./benchmark.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every project file `from` reaches through static and dynamic relative imports, with its source. */
function importGraph(from: string, seen = new Map<string, string>()): Map<string, string> {
  if (seen.has(from)) return seen;
  const source = readFileSync(from, "utf8");
  seen.set(from, source);
  for (const [, spec] of source.matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)) {
    if (spec.startsWith(".")) importGraph(resolve(dirname(from), spec.replace(/\.js$/, ".ts")), seen);
  }
  return seen;
}

// test/helpers/shared.ts finds ../shared from its own source path (import.meta.url), which is wrong once bundled into .cache/bench/.
const SOURCE_PATH_HELPERS = /import\s*\{([^}]*)\}\s*from\s*["'][./]*helpers\/shared\.js["']/g;
const usesSourcePathHelper = (source: string) =>
  [...source.matchAll(SOURCE_PATH_HELPERS)].some(([, names]) => /\b(sharedPath|sharedRoot|describeShared)\b/.test(names));

describe("npm run bench entry (bundled into .cache/bench/main.js)", () => {
  it("reaches no vitest import and no test helper that locates ../shared from its own source path", () => {
    const offenders = [...importGraph(resolve(root, "test/bench/main.ts"))]
      .filter(([, source]) => /from\s+["']vitest["']/.test(source) || usesSourcePathHelper(source))
      .map(([file]) => relative(root, file));
    expect(offenders, "the bench bundle runs from .cache/bench/: find ../shared from the working directory or INSTANTID_SHARED").toEqual(
      [],
    );
  });

  it("also bundles the SDK as .cache/bench/index.js, which benches that measure in a fresh process import", () => {
    const importers = readdirSync(resolve(root, "test/bench")).filter((f) =>
      readFileSync(resolve(root, "test/bench", f), "utf8").includes('new URL("./index.js", import.meta.url)'),
    );
    expect(importers).toContain("convert.bench.ts");
    const script: string = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).scripts.bench;
    expect(script).toMatch(/--entry\.main test\/bench\/main\.ts --entry\.index core\/index\.ts .*--out-dir \.cache\/bench /);
  });
});

describe("test/bench/benchmarks.ts", () => {
  it("lists every benchmark exported by a test/bench/*.bench.ts file, so one table shows them all", async () => {
    const { benchmarks } = await import("./benchmarks.js");
    const files = readdirSync(resolve(root, "test/bench")).filter((f) => f.endsWith(".bench.ts"));
    const isBenchmark = (v: unknown): v is Benchmark =>
      typeof v === "object" && v !== null && typeof (v as Benchmark).run === "function" && typeof (v as Benchmark).available === "function";
    const missing: string[] = [];
    for (const file of files) {
      const exported = Object.values(await import(`./${file.replace(/\.ts$/, ".js")}`)).flatMap((v) => (Array.isArray(v) ? v : [v]));
      for (const bench of exported.filter(isBenchmark)) if (!benchmarks.includes(bench)) missing.push(`${bench.name} (${file})`);
    }
    expect(missing).toEqual([]);
  });
});
