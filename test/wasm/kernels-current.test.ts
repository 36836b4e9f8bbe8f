import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileWat, kernelModuleSource, WASM_KERNELS } from "./compile-wat.js";

describe("the WebAssembly kernels", () => {
  for (const kernel of WASM_KERNELS) {
    it(`${kernel.module} holds what wat2wasm makes of ${kernel.source} today (else run npm run wasm)`, async () => {
      const bytes = await compileWat(kernel.source);
      expect(await readFile(kernel.module, "utf8")).toBe(kernelModuleSource(kernel, bytes));
    });
  }

  it("refuses a text source that does not validate, naming the problem", async () => {
    const dir = await mkdtemp(join(tmpdir(), "instantid-wat-"));
    try {
      const path = join(dir, "bad.wat");
      await writeFile(path, '(module (func (export "f") (result i32) (f32.const 1)))');
      await expect(compileWat(path)).rejects.toThrow(/type mismatch/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
