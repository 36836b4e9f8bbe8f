import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { publint } from "publint";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/shared.js";
import { packPackage, root, run, type Packed } from "./pack.js";

let packed: Packed;
beforeAll(async () => {
  packed = await packPackage();
});

describe("the published tarball", () => {
  it("holds the built entries, the docs, the README and the LICENSE, and no source maps or benchmarks", () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "package.json",
        "dist/index.js",
        "dist/index.cjs",
        "dist/index.d.ts",
        "dist/index.d.cts",
        "dist/cli.js",
        "docs/getting-started.md",
      ]),
    );
    expect(packed.files.filter((file) => file.endsWith(".map") || /^dist\/.*bench/.test(file))).toEqual([]);
  });

  it("has types that resolve for every entry under node10, node16 (CJS and ESM) and bundler (are the types wrong: no problems)", () => {
    // attw exits non-zero on any problem and prints the table that says which.
    const table = run(join(root, "node_modules", ".bin", "attw"), [packed.tarball, "--format", "table-flipped"]);
    expect(table).toContain("No problems found");
  });

  it("passes publint with no errors, warnings or suggestions", async () => {
    const dir = await tempDir("instantid-publint-");
    await mkdir(join(dir, "package"));
    run("tar", ["-xzf", packed.tarball, "-C", dir]);
    // pack: false lints the unpacked tarball as it is, the exact set of published files.
    const { messages } = await publint({ pkgDir: join(dir, "package"), pack: false, strict: true });
    expect(messages).toEqual([]);
  });
});
