import { spawnSync } from "node:child_process";
import { symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "tsup";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/shared.js";

const root = resolve(import.meta.dirname, "..", "..", "..");

// Every native addon (onnxruntime's binding, sharp's libvips) is mapped through process.dlopen: record each one.
const RECORD_DLOPEN = `
const loaded = [];
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) { loaded.push(filename); return dlopen.call(this, module, filename, ...rest); };
globalThis.nativeAddonsLoaded = loaded;
`;

let dir = "";

/** Runs `code` in a fresh Node (ESM or CommonJS) in the bundle folder; returns the native addons it mapped. */
function nativeAddonsAfter(code: string, format: "esm" | "cjs"): string[] {
  const script = `${code}\nconsole.log(JSON.stringify(globalThis.nativeAddonsLoaded));`;
  const wrapped = format === "esm" ? script : `(async () => {\n${script}\n})();`;
  const run = spawnSync(
    process.execPath,
    ["--require", "./record-dlopen.cjs", "--input-type", format === "esm" ? "module" : "commonjs", "-e", wrapped],
    { cwd: dir, encoding: "utf8" },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as string[];
}

// The entries are bundled from the sources (ESM and CJS, each with the core inlined), so the test runs the code under test.
beforeAll(async () => {
  dir = await tempDir("instantid-native-");
  await build({
    entry: {
      index: join(root, "core/index.ts"),
      internal: join(root, "core/internal.ts"),
      a1111: join(root, "adapters/a1111/index.ts"),
      comfyui: join(root, "adapters/comfyui/index.ts"),
    },
    format: ["esm", "cjs"],
    shims: true,
    outDir: dir,
    target: "node20",
    platform: "node",
    silent: true,
    config: false,
    external: ["onnxruntime-node", "sharp", "zod", "protobufjs"],
  });
  await symlink(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  await writeFile(join(dir, "record-dlopen.cjs"), RECORD_DLOPEN);
});

describe("native libraries load on first use, not on import", () => {
  const entries = ["a1111", "comfyui", "index", "internal"];

  it("importing the a1111, comfyui and core entries, public and internal (ESM) maps neither onnxruntime nor sharp", () => {
    expect(nativeAddonsAfter(entries.map((entry) => `await import("./${entry}.js");`).join("\n"), "esm")).toEqual([]);
  });

  it("requiring the a1111, comfyui and core entries, public and internal (CommonJS) maps neither onnxruntime nor sharp", () => {
    expect(nativeAddonsAfter(entries.map((entry) => `require("./${entry}.cjs");`).join("\n"), "cjs")).toEqual([]);
  });

  // The probe itself: the functions that need the libraries do load them, each its own, in both module formats.
  it.each([
    ["esm", `const core = await import("./internal.js");`],
    ["cjs", `const core = require("./internal.cjs");`],
  ] as const)("encodePng loads sharp, then toOrtTensor loads onnxruntime, when they run (%s)", (format, load) => {
    const script = `${load}
      await core.encodePng({ width: 1, height: 1, data: new Uint8Array(3) });
      const afterPng = [...globalThis.nativeAddonsLoaded];
      core.toOrtTensor({ shape: [1], data: new Float32Array(1) });
      globalThis.nativeAddonsLoaded = [afterPng, globalThis.nativeAddonsLoaded];`;
    const [afterPng, afterTensor] = nativeAddonsAfter(script, format) as unknown as [string[], string[]];
    expect(afterPng.some((file) => /sharp/.test(file))).toBe(true);
    expect(afterPng.some((file) => /onnxruntime/.test(file))).toBe(false);
    expect(afterTensor.some((file) => /onnxruntime/.test(file))).toBe(true);
  });
});
