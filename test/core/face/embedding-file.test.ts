import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEmbeddingFile, writeEmbeddingFile } from "../../../core/face/embedding-file.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { tempDir } from "../../helpers/shared.js";

describe("writeEmbeddingFile / readEmbeddingFile", () => {
  const a = Float32Array.from([0.5, -1.25, 3]);
  const b = Float32Array.from([1, 2, 4]);

  it("stores one face as a [D] safetensors tensor named embedding and reads it back", async () => {
    const path = join(await tempDir(), "e.safetensors");
    await writeEmbeddingFile(path, [a]);
    expect(readSafetensors(await readFile(path)).tensors.get("embedding")?.shape).toEqual([3]);
    expect(await readEmbeddingFile(path)).toEqual([a]);
  });

  it("stores several faces as [N, D], in JSON too", async () => {
    const dir = await tempDir();
    await writeEmbeddingFile(join(dir, "e.safetensors"), [a, b]);
    expect(readSafetensors(await readFile(join(dir, "e.safetensors"))).tensors.get("embedding")?.shape).toEqual([2, 3]);
    await writeEmbeddingFile(join(dir, "e.json"), [a, b]);
    expect(JSON.parse(await readFile(join(dir, "e.json"), "utf8")).embedding).toEqual([
      [0.5, -1.25, 3],
      [1, 2, 4],
    ]);
    expect(await readEmbeddingFile(join(dir, "e.json"))).toEqual([a, b]);
  });

  it("refuses embeddings of different lengths and files without a vector", async () => {
    const dir = await tempDir();
    await expect(writeEmbeddingFile(join(dir, "x.json"), [a, Float32Array.from([1])])).rejects.toBeInstanceOf(InstantIdError);
    await writeFile(join(dir, "bad.json"), JSON.stringify({ other: 1 }));
    expect(((await readEmbeddingFile(join(dir, "bad.json")).catch((e: unknown) => e)) as InstantIdError).code).toBe(ErrorCode.FileCorrupt);
  });
});
