import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointTensors } from "../../../core/convert/checkpoint-files.js";
import type { PlannedTensor, WeightDType } from "../../../core/convert/checkpoint-weights.js";
import { streamTensors } from "../../../core/convert/stream-tensors.js";
import { convertTensorBytes } from "../../../core/convert/tensor-bytes.js";
import { DTYPE_BYTES, type DType } from "../../../core/tensor/dtype.js";
import { tempDir } from "../../helpers/shared.js";

// Tensors of every readable type, in runs of one type, with sizes that cut chunks inside tensors and an empty one.
const TENSORS: readonly { key: string; dtype: DType; count: number }[] = [
  { key: "a", dtype: "F16", count: 301 },
  { key: "b", dtype: "F16", count: 7 },
  { key: "c", dtype: "F32", count: 250 },
  { key: "d", dtype: "F32", count: 0 },
  { key: "e", dtype: "F32", count: 61 },
  { key: "f", dtype: "BF16", count: 513 },
  { key: "g", dtype: "F16", count: 3 },
];

/** A safetensors file of TENSORS (patterned bytes), as diffusers saves it: header, then the tensors back to back. */
async function mixedCheckpoint(): Promise<{ dir: string; bytes: Map<string, Uint8Array> }> {
  const dir = await tempDir("instantid-stream-");
  const header: Record<string, unknown> = {};
  const bytes = new Map<string, Uint8Array>();
  let offset = 0;
  for (const { key, dtype, count } of TENSORS) {
    const data = Uint8Array.from({ length: count * DTYPE_BYTES[dtype] }, (_, i) => (i * 37 + key.charCodeAt(0) * 11) & 0x7f);
    bytes.set(key, data);
    header[key] = { dtype, shape: [count], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  await writeFile(join(dir, "diffusion_pytorch_model.safetensors"), Buffer.concat([length, Buffer.from(json), ...bytes.values()]));
  return { dir, bytes };
}

describe("streamTensors", () => {
  for (const dtype of ["fp16", "fp32"] as const satisfies readonly WeightDType[]) {
    it(
      `reads runs of one type in chunks cut inside tensors and writes each tensor converted to ${dtype} where the plan puts it, ` +
        `reporting each once, in order`,
      async () => {
        const { dir, bytes } = await mixedCheckpoint();
        const checkpoint = await CheckpointTensors.open(dir);
        try {
          const size = dtype === "fp16" ? 2 : 4;
          let offset = 0;
          const plan: PlannedTensor[] = TENSORS.map(({ key, count }) => {
            const tensor = { key, shape: [count], offset, length: count * size };
            offset += tensor.length;
            return tensor;
          });
          const placed: string[] = [];
          const path = join(dir, "out.data");
          await streamTensors(path, plan, checkpoint, dtype, (t) => placed.push(t.key), 64);
          expect(placed).toEqual(TENSORS.map((t) => t.key));
          const written = await readFile(path);
          expect(written.byteLength).toBe(offset);
          for (const tensor of plan) {
            const expected = new Uint8Array(tensor.length);
            convertTensorBytes(bytes.get(tensor.key)!.slice(), TENSORS.find((t) => t.key === tensor.key)!.dtype, dtype, expected);
            expect(Buffer.compare(written.subarray(tensor.offset, tensor.offset + tensor.length), expected), tensor.key).toBe(0);
          }
        } finally {
          await checkpoint.close();
        }
      },
    );
  }

  it("stops at the tensor whose report throws (a cancellation), with no read left running", async () => {
    const { dir } = await mixedCheckpoint();
    const checkpoint = await CheckpointTensors.open(dir);
    const plan: PlannedTensor[] = [];
    let offset = 0;
    for (const { key, count } of TENSORS) {
      plan.push({ key, shape: [count], offset, length: count * 4 });
      offset += count * 4;
    }
    const placed: string[] = [];
    const stop = (t: PlannedTensor) => {
      placed.push(t.key);
      if (t.key === "c") throw new Error("cancelled");
    };
    await expect(streamTensors(join(dir, "out.data"), plan, checkpoint, "fp32", stop, 64)).rejects.toThrow("cancelled");
    await checkpoint.close();
    expect(placed).toEqual(["a", "b", "c"]);
  });
});
