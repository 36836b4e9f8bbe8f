import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { extractApis, renderApiMarkdown } from "./extract-api.js";

const root = resolve(__dirname, "..", "..");

// The adapters are public too, as the package's subpath exports (instantid/a1111, instantid/onnx-sdxl, ...).
const subpaths = Object.keys(JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).exports as Record<string, unknown>)
  .filter((key) => ![".", "./package.json", "./internal"].includes(key))
  .map((key) => key.slice(2));
// instantid/testing is built from core/testing.ts; every other subpath is an adapter's index.ts.
const sourceOf = (subpath: string) =>
  subpath === "testing" ? resolve(root, "core/testing.ts") : resolve(root, "adapters", subpath, "index.ts");
// One ts-morph project for the root entry and every subpath: loading one per entry cost most of this file's time.
const [entries, ...subpathEntries] = extractApis(
  [resolve(root, "core/index.ts"), ...subpaths.map(sourceOf)],
  resolve(root, "tsconfig.json"),
);
const entriesOf = new Map(subpaths.map((subpath, i) => [subpath, subpathEntries[i]]));

describe("public API contract", () => {
  it("matches docs/api.md (run `npm run api` after changing the exported API)", () => {
    const committed = readFileSync(resolve(root, "docs/api.md"), "utf8");
    expect(committed).toBe(renderApiMarkdown(entries));
  });

  it("has a doc comment on every exported symbol", () => {
    const undocumented = entries.filter((e) => !e.doc).map((e) => `${e.name} (${e.file})`);
    expect(undocumented, `exports without a doc comment: ${undocumented.join(", ")}`).toEqual([]);
  });

  it("lists the subpath exports", () => expect(subpaths.length).toBeGreaterThan(0));
  it.each(subpaths)("has a doc comment on every symbol exported by instantid/%s", (subpath) => {
    const undocumented = entriesOf
      .get(subpath)!
      .filter((e) => !e.doc)
      .map((e) => `${e.name} (${e.file})`);
    expect(undocumented, `exports without a doc comment: ${undocumented.join(", ")}`).toEqual([]);
  });
});
