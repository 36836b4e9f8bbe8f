import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const root = resolve(__dirname, "..", "..");
// Biome wraps code at 140 columns (biome.jsonc); it leaves strings, regular expressions and comments as written,
// so they are wrapped by hand, and this is the bound they keep.
const LIMIT = 160;

it(`keeps every line of the TypeScript sources within ${LIMIT} columns (generated files aside)`, () => {
  const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((file) => file && !file.includes("/generated/"));
  const long = files.flatMap((file) =>
    readFileSync(resolve(root, file), "utf8")
      .split("\n")
      .flatMap((line, i) => (line.length > LIMIT ? [`${file}:${i + 1} (${line.length} columns)`] : [])),
  );
  expect(long).toEqual([]);
});
