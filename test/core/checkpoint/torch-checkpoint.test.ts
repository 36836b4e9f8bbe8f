import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { PickleWriter } from "../../../core/checkpoint/pickle-writer.js";
import { TorchCheckpoint } from "../../../core/checkpoint/torch-checkpoint.js";
import { encodeTorchSave } from "../../../core/checkpoint/torch-save.js";
import { ZipWriter } from "../../../core/checkpoint/zip-writer.js";
import { InstantIdError } from "../../../core/errors.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { readFile } from "node:fs/promises";

/** A torch archive whose only tensor is a strided view: shape [3, 2], strides [1, 3], offset 1 into 8 floats. */
async function stridedArchive(): Promise<Buffer> {
  const pickle = new PickleWriter().emptyDict().mark().string("view").global("torch._utils", "_rebuild_tensor_v2").mark();
  pickle.mark().string("storage").global("torch", "FloatStorage").string("0").string("cpu").int(8).tuple().binPersId();
  pickle.int(1).intTuple([3, 2]).intTuple([1, 3]).bool(false).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
  pickle.setItems();
  const chunks: Uint8Array[] = [];
  const zip = new ZipWriter(async (chunk) => void chunks.push(chunk));
  await zip.add("strided/data.pkl", [pickle.finish()]);
  await zip.add("strided/data/0", [new Uint8Array(Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7).buffer)]);
  await zip.add("strided/version", [new TextEncoder().encode("3\n")]);
  await zip.finish();
  return Buffer.concat(chunks);
}

async function failure(promise: Promise<unknown>): Promise<InstantIdError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InstantIdError);
    return error as InstantIdError;
  }
  throw new Error("no error was thrown");
}

describe("TorchCheckpoint", () => {
  it("gathers a non-contiguous view into row-major order", async () => {
    const checkpoint = await TorchCheckpoint.fromBytes(await stridedArchive());
    // element [i, j] = storage[1 + i + 3j]
    expect(await checkpoint.tensor("view")).toEqual({ shape: [3, 2], data: Float32Array.of(1, 4, 2, 5, 3, 6) });
  });

  it("rejects a view reaching past its storage", async () => {
    const pickle = new PickleWriter().global("torch._utils", "_rebuild_tensor_v2").mark();
    pickle.mark().string("storage").global("torch", "FloatStorage").string("0").string("cpu").int(2).tuple().binPersId();
    pickle.int(0).intTuple([4]).intTuple([1]).bool(false).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    const chunks: Uint8Array[] = [];
    const zip = new ZipWriter(async (chunk) => void chunks.push(chunk));
    await zip.add("a/data.pkl", [pickle.finish()]);
    await zip.add("a/data/0", [new Uint8Array(8)]);
    await zip.finish();
    const checkpoint = await TorchCheckpoint.fromBytes(Buffer.concat(chunks));
    expect((await failure(checkpoint.tensor(""))).message).toContain("past the end of its storage");
  });

  it("names the missing tensor and lists some that exist", async () => {
    const checkpoint = await TorchCheckpoint.fromBytes(await encodeTorchSave({ a: tensor([1], [1]) }));
    const error = await failure(checkpoint.tensor("b"));
    expect(error.message).toMatch(/no tensor named "b".*a/);
  });

  it("refuses a file that is not a zip archive, and one saved in the legacy format", async () => {
    expect((await failure(TorchCheckpoint.fromBytes(new Uint8Array(100)))).code).toBe("FILE_CORRUPT");
    const legacyMagic = Uint8Array.of(0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e);
    expect((await failure(TorchCheckpoint.fromBytes(legacyMagic))).message).toContain("legacy");
  });

  it("reports a truncated archive as corrupt", async () => {
    const bytes = await encodeTorchSave({ a: tensor([1000], new Float32Array(1000)) });
    const cut = Buffer.concat([bytes.subarray(0, 500), bytes.subarray(bytes.length - 200)]);
    expect((await failure(TorchCheckpoint.fromBytes(cut).then((c) => c.tensor("a")))).code).toBe("FILE_CORRUPT");
  });

  it("opens a file from disk and closes it", async () => {
    const path = join(await tempDir(), "x.pt");
    await writeFile(path, await encodeTorchSave({ a: tensor([2], [3, 4]) }));
    const checkpoint = await TorchCheckpoint.open(path);
    expect(checkpoint.info("a")).toEqual({ name: "a", dtype: "F32", shape: [2] });
    await checkpoint.close();
  });

  it("reports a missing file as MODEL_NOT_FOUND", async () => {
    expect((await failure(TorchCheckpoint.open("/nonexistent/ip-adapter.bin"))).code).toBe("MODEL_NOT_FOUND");
  });
});

describeShared("TorchCheckpoint on the reference checkpoints", "golden/adapter", () => {
  const golden = (name: string) => sharedPath("golden", "adapter", name);

  it("reads every tensor of ip-adapter.bin exactly as the safetensors copy holds it", async () => {
    const checkpoint = await TorchCheckpoint.open(golden("ip-adapter.bin"));
    const expected = readSafetensors(await readFile(golden("ip-adapter.safetensors"))).tensors;
    expect(checkpoint.names().sort()).toEqual([...expected.keys()].sort());
    for (const name of checkpoint.names()) {
      const actual = await checkpoint.tensor(name);
      expect(actual.shape, name).toEqual(expected.get(name)!.shape);
      expect(Buffer.from(actual.data.buffer).equals(Buffer.from(expected.get(name)!.data.buffer)), name).toBe(true);
    }
    await checkpoint.close();
  });

  it("widens the float16 checkpoint to the float32 weights rounded to float16", async () => {
    const checkpoint = await TorchCheckpoint.open(golden("ip-adapter.fp16.bin"));
    const full = readSafetensors(await readFile(golden("ip-adapter.safetensors"))).tensors;
    const latents = await checkpoint.tensor("image_proj.latents");
    expect(checkpoint.info("image_proj.latents").dtype).toBe("F16");
    const reference = full.get("image_proj.latents")!.data;
    latents.data.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThanOrEqual(Math.abs(reference[i]) * 2 ** -11 + 1e-7));
    await checkpoint.close();
  });

  it("refuses malicious.bin, naming os.system's global, without running it", async () => {
    const error = await failure(TorchCheckpoint.open(golden("malicious.bin")));
    expect(error.code).toBe("UNSAFE_CHECKPOINT");
    expect(error.message).toMatch(/posix\.system|os\.system/);
  });
});
