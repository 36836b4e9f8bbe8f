import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pages = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f)),
];

/** Relative link targets of a markdown page (images included), without anchors; code skipped. */
function relativeLinks(page: string): string[] {
  const text = readFileSync(join(root, page), "utf8")
    .replace(/```[\s\S]*?```/g, "")
    .replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1].split("#")[0]).filter((target) => target && !/^[a-z]+:/i.test(target));
}

describe("documentation links", () => {
  it("every relative link in README.md and docs/*.md points to a file or folder of the repository", () => {
    const broken = pages.flatMap((page) =>
      relativeLinks(page)
        .filter((t) => !existsSync(resolve(root, dirname(page), t)))
        .map((t) => `${page} -> ${t}`),
    );
    expect(broken).toEqual([]);
  });

  it("docs/README.md links every page in docs/", () => {
    const linked = new Set(relativeLinks("docs/README.md").map((t) => relative(join(root, "docs"), resolve(root, "docs", t))));
    const unlinked = pages
      .filter((p) => p.startsWith("docs/") && p !== "docs/README.md")
      .map((p) => p.slice("docs/".length))
      .filter((p) => !linked.has(p));
    expect(unlinked).toEqual([]);
  });
});
