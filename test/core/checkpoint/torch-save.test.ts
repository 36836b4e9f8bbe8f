import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TorchCheckpoint } from "../../../core/checkpoint/torch-checkpoint.js";
import { encodeTorchSave, writeTorchSave } from "../../../core/checkpoint/torch-save.js";
import { bufferSource } from "../../../core/checkpoint/byte-source.js";
import { ZipReader } from "../../../core/checkpoint/zip-reader.js";
import { halfToFloat, floatToHalf } from "../../../core/tensor/dtype.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { tempDir } from "../../helpers/shared.js";

const ramp = (n: number, scale = 0.37) => Float32Array.from({ length: n }, (_, i) => (i - n / 2) * scale);

describe("encodeTorchSave", () => {
  it("round-trips a nested state dict through the reader with names joined by dots", async () => {
    const state = {
      image_proj: new Map([
        ["latents", tensor([1, 4, 3], ramp(12))],
        ["proj_in.bias", tensor([3], [1, 2, 3])],
      ]),
      ip_adapter: { "1.to_k_ip.weight": tensor([2, 5], ramp(10, 1.5)) },
    };
    const checkpoint = await TorchCheckpoint.fromBytes(await encodeTorchSave(state));
    expect(checkpoint.names()).toEqual(["image_proj.latents", "image_proj.proj_in.bias", "ip_adapter.1.to_k_ip.weight"]);
    expect(await checkpoint.tensor("image_proj.latents")).toEqual({ shape: [1, 4, 3], data: ramp(12) });
    expect((await checkpoint.tensor("ip_adapter.1.to_k_ip.weight")).data).toEqual(ramp(10, 1.5));
  });

  it("round-trips a single tensor and a 0-d tensor", async () => {
    const single = await TorchCheckpoint.fromBytes(await encodeTorchSave(tensor([512], ramp(512))));
    expect(single.names()).toEqual([""]);
    expect((await single.tensor("")).data).toEqual(ramp(512));
    const scalar = await TorchCheckpoint.fromBytes(await encodeTorchSave(tensor([], [4.5])));
    expect(await scalar.tensor("")).toEqual({ shape: [], data: Float32Array.of(4.5) });
  });

  it("stores float16 and bfloat16 rounded to nearest, widened back on read", async () => {
    const values = Float32Array.of(1, -2.5, 0.1, 65504, 1e-6, 1234.5);
    const half = await TorchCheckpoint.fromBytes(await encodeTorchSave({ w: tensor([6], values) }, { dtype: "F16" }));
    expect(half.info("w").dtype).toBe("F16");
    expect((await half.tensor("w")).data).toEqual(Float32Array.from(values, (v) => halfToFloat(floatToHalf(v))));
    const brain = await TorchCheckpoint.fromBytes(await encodeTorchSave({ w: tensor([6], values) }, { dtype: "BF16" }));
    const read = (await brain.tensor("w")).data;
    expect(read[0]).toBe(1);
    expect(read[1]).toBe(-2.5);
    values.forEach((v, i) => expect(Math.abs(read[i] - v)).toBeLessThanOrEqual(Math.abs(v) / 256));
  });

  it("writes torch's layout: stored records under archive/, data 64-byte aligned, version 3", async () => {
    const bytes = await encodeTorchSave({ a: tensor([3], [1, 2, 3]), b: tensor([2, 2], [1, 2, 3, 4]) });
    const zip = await ZipReader.open(bufferSource(bytes));
    expect([...zip.entries.keys()]).toEqual([
      "archive/data.pkl",
      "archive/byteorder",
      "archive/data/0",
      "archive/data/1",
      "archive/version",
    ]);
    for (const entry of zip.entries.values()) expect(entry.method).toBe(0);
    expect((await zip.dataOffset(zip.entries.get("archive/data/1")!)) % 64).toBe(0);
    expect(new TextDecoder().decode(await zip.read(zip.entries.get("archive/version")!))).toBe("3\n");
    expect(new TextDecoder().decode(await zip.read(zip.entries.get("archive/byteorder")!))).toBe("little");
  });

  it("refuses a tensor whose data does not match its shape", async () => {
    await expect(encodeTorchSave({ bad: { shape: [3], data: new Float32Array(2) } })).rejects.toThrow(/bad has 2 values/);
  });
});

describe("writeTorchSave", () => {
  it("writes a file the reader opens from disk", async () => {
    const path = join(await tempDir(), "state.pt");
    await writeTorchSave(path, { w: tensor([4, 2], ramp(8)) });
    const checkpoint = await TorchCheckpoint.open(path);
    expect((await checkpoint.tensor("w")).data).toEqual(ramp(8));
    await checkpoint.close();
  });

  it("is read back identically to the in-memory encoding", async () => {
    const dir = await tempDir();
    const value = { w: tensor([5], ramp(5)) };
    await writeTorchSave(join(dir, "a.pt"), value);
    await writeFile(join(dir, "b.pt"), await encodeTorchSave(value));
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(join(dir, "a.pt"))).toEqual(await readFile(join(dir, "b.pt")));
  });
});
