import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..", "..");

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(folder, file));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
}

function relativeTargets(file: string): string[] {
  return importsOf(file)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => relative(root, resolve(root, file, "..", spec)));
}

describe("module boundaries", () => {
  // The package builds each of these as an entry of its own, so every adapter shares one copy of the core.
  const coreEntries = ["core/index.js", "core/internal.js", "core/testing.js"];

  it("adapters reach the core only through its entries: core/index.ts, core/internal.ts and core/testing.ts", () => {
    const deep = sourceFiles("adapters").flatMap((file) =>
      relativeTargets(file)
        .filter((target) => target.startsWith("core/") && !coreEntries.includes(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(deep, "import these from core/index.js (public) or core/internal.js instead").toEqual([]);
  });

  it("the examples use the public API only: the package root, instantid/testing and the adapters' entries", () => {
    const internal = sourceFiles("examples").flatMap((file) =>
      relativeTargets(file)
        .filter(
          (target) =>
            (target.startsWith("core/") && !["core/index.js", "core/testing.js"].includes(target)) ||
            /^adapters\/[^/]+\/(?!index\.js$)/.test(target),
        )
        .map((target) => `${file} -> ${target}`),
    );
    expect(internal).toEqual([]);
  });

  it("the core never imports an adapter", () => {
    const upward = sourceFiles("core").flatMap((file) =>
      relativeTargets(file)
        .filter((target) => target.startsWith("adapters/"))
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });
});
