import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  renameTogether,
  tempPathFor,
  writeAtomically,
  writeFileAtomic,
  writeFilesTogether,
  writeFully,
  writeStreamAtomic,
} from "../../../core/io/atomic.js";
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

describe("files written as one set", () => {
  it("writes every file of the set, creating folders, and leaves no temp file", async () => {
    const dir = await tempDir();
    await writeFilesTogether([
      { path: join(dir, "out-1.png"), data: new Uint8Array([1, 2]) },
      { path: join(dir, "out-1.json"), data: "{}" },
      { path: join(dir, "sub", "out-2.png"), data: "two" },
    ]);
    expect((await readdir(dir)).sort()).toEqual(["out-1.json", "out-1.png", "sub"]);
    expect(await readFile(join(dir, "sub", "out-2.png"), "utf8")).toBe("two");
  });

  it("touches nothing when a file of the set cannot be written: an earlier file keeps its old content", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "out-1.png"), "old");
    await writeFile(join(dir, "blocker"), "a file where a folder must go");
    const error = await writeFilesTogether([
      { path: join(dir, "out-1.png"), data: "new" },
      { path: join(dir, "blocker", "out-2.png"), data: "new" },
    ]).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toMatch(/ENOTDIR|EEXIST/);
    expect(await readFile(join(dir, "out-1.png"), "utf8")).toBe("old");
    expect((await readdir(dir)).sort()).toEqual(["blocker", "out-1.png"]);
  });

  it("removes the files already placed and every temp when a rename fails (a folder in the way)", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "out-2.png", "inside"), { recursive: true });
    const temps = [join(dir, ".a.tmp"), join(dir, ".b.tmp"), join(dir, ".c.tmp")];
    for (const temp of temps) await writeFile(temp, "new");
    const files = [
      { temp: temps[0], path: join(dir, "out-1.png") },
      { temp: temps[1], path: join(dir, "out-2.png") },
      { temp: temps[2], path: join(dir, "out-3.png") },
    ];
    const error = await renameTogether(files).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException & { dest?: string }).dest).toBe(join(dir, "out-2.png"));
    expect(await readdir(dir)).toEqual(["out-2.png"]);
  });
});
