import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InstantIdError } from "../../../core/errors.js";
import { encodeSafetensors, readSafetensors, SafetensorsFile, writeSafetensors } from "../../../core/tensor/safetensors.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

describe("safetensors", () => {
  it("round-trips float32 tensors and metadata through a file", async () => {
    const dir = await tempDir();
    const path = join(dir, "t.safetensors");
    await writeSafetensors(path, { b: tensor([2, 2], [1, 2, 3, 4]), a: tensor([3], [0.5, -1, 1e-8]) }, { format: "test" });
    const { tensors, metadata } = readSafetensors(await readFile(path));
    expect(metadata).toEqual({ format: "test" });
    expect([...tensors.keys()]).toEqual(["a", "b"]);
    expect(Array.from(tensors.get("b")!.data)).toEqual([1, 2, 3, 4]);
    expect(tensors.get("a")!.shape).toEqual([3]);
    const file = await SafetensorsFile.open(path);
    expect(Array.from((await file.tensor("a")).data)).toEqual(Array.from(new Float32Array([0.5, -1, 1e-8])));
    await file.close();
  });

  it("reads tensors one after another into one caller-owned buffer (readInto), refusing a buffer too small", async () => {
    const path = join(await tempDir(), "t.safetensors");
    await writeSafetensors(path, { big: tensor([4], [1, 2, 3, 4]), small: tensor([1], [9]) });
    const file = await SafetensorsFile.open(path);
    const buffer = new Uint8Array(16);
    const big = await file.readInto("big", buffer);
    expect(big.bytes.buffer).toBe(buffer.buffer);
    expect(Array.from(new Float32Array(big.bytes.slice().buffer))).toEqual([1, 2, 3, 4]);
    const small = await file.readInto("small", buffer);
    expect(small.bytes.byteLength).toBe(4);
    expect(Array.from(new Float32Array(small.bytes.slice().buffer))).toEqual([9]);
    await expect(file.readInto("big", new Uint8Array(8))).rejects.toThrow(/cannot hold big/);
    await file.close();
  });

  it("keeps the data section 8-byte aligned", () => {
    const bytes = encodeSafetensors({ x: tensor([1], [1]) });
    expect((8 + Number(bytes.readBigUInt64LE(0))) % 8).toBe(0);
  });

  it("refuses a header that runs past the end of the file", () => {
    const bytes = Buffer.alloc(16);
    bytes.writeBigUInt64LE(1000n, 0);
    expect(() => readSafetensors(bytes)).toThrow(/runs past the end/);
  });

  it("refuses offsets outside the data section", () => {
    const header = Buffer.from(JSON.stringify({ x: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }));
    const bytes = Buffer.concat([Buffer.alloc(8), header, Buffer.alloc(8)]);
    bytes.writeBigUInt64LE(BigInt(header.length), 0);
    expect(() => readSafetensors(bytes)).toThrow(InstantIdError);
    expect(() => readSafetensors(bytes)).toThrow(/outside the 8-byte data section/);
  });

  it("refuses a truncated file opened from disk", async () => {
    const dir = await tempDir();
    const path = join(dir, "bad.safetensors");
    await writeFile(path, encodeSafetensors({ x: tensor([4], [1, 2, 3, 4]) }).subarray(0, 30));
    await expect(SafetensorsFile.open(path)).rejects.toThrow(/not a valid safetensors file/);
  });
});

describeShared("safetensors on reference files", "golden/adapter/cases.safetensors", () => {
  it("reads the golden adapter cases written by the Python safetensors package", async () => {
    const file = await SafetensorsFile.open(sharedPath("golden/adapter/cases.safetensors"));
    const t = await file.tensor("emb_single");
    expect(t.shape).toEqual([1, 1, 512]);
    expect(t.data.every(Number.isFinite)).toBe(true);
    await file.close();
  });
});
