import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempPathFor, writeAtomically, writeFileAtomic, writeFully, writeStreamAtomic } from "../../../core/io/atomic.js";
import { tempDir } from "../../helpers/shared.js";

describe("atomic writes", () => {
  it("writes the whole file, creating its folder, and leaves no temp file", async () => {
    const dir = await tempDir();
    const path = join(dir, "sub", "out.json");
    await writeFileAtomic(path, "first");
    await writeFileAtomic(path, new Uint8Array([0x6e, 0x65, 0x77]));
    expect(await readFile(path, "utf8")).toBe("new");
    expect(await readdir(join(dir, "sub"))).toEqual(["out.json"]);
  });

  it("keeps the old content and removes the temp file when the writer fails", async () => {
    const dir = await tempDir();
    const path = join(dir, "model.onnx");
    await writeFile(path, "old");
    const error = await writeAtomically(path, async (temp) => {
      await writeFile(temp, "half");
      throw new Error("disk full");
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("disk full");
    expect(await readFile(path, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["model.onnx"]);
  });

  it("removes the temp file when the rename fails (a folder is in the way)", async () => {
    const dir = await tempDir();
    const path = join(dir, "taken");
    await mkdir(join(path, "inside"), { recursive: true });
    await expect(writeFileAtomic(path, "data")).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["taken"]);
  });

  it("streams chunks through a handle and returns what the writer returned", async () => {
    const dir = await tempDir();
    const path = join(dir, "weights.bin");
    const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array(70_000).fill(9), new Uint8Array([4])];
    const written = await writeStreamAtomic(path, async (file) => {
      for (const chunk of chunks) await writeFully(file, chunk);
      return chunks.length;
    });
    expect(written).toBe(3);
    expect(new Uint8Array(await readFile(path))).toEqual(Uint8Array.from(chunks.flatMap((c) => [...c])));
    expect(await readdir(dir)).toEqual(["weights.bin"]);
  });

  it("keeps a stream's target untouched when filling fails midway", async () => {
    const dir = await tempDir();
    const path = join(dir, "weights.bin");
    await writeFile(path, "old");
    await expect(
      writeStreamAtomic(path, async (file) => {
        await writeFully(file, new Uint8Array(10));
        throw new Error("cancelled");
      }),
    ).rejects.toThrow("cancelled");
    expect(await readFile(path, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["weights.bin"]);
  });

  it("names temp files hidden, beside the target, and never twice the same", () => {
    const a = tempPathFor("/models/unet.onnx");
    expect(a).toMatch(/^\/models\/\.unet\.onnx\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(tempPathFor("/models/unet.onnx")).not.toBe(a);
  });
});
