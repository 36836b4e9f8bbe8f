import { describe, expect, it } from "vitest";
import { decodeTorchTensorBase64, encodeTorchTensorBase64 } from "../../../core/checkpoint/tensor-blob.js";
import { encodeTorchSave } from "../../../core/checkpoint/torch-save.js";
import { tensor } from "../../../core/tensor/tensor.js";

describe("encodeTorchTensorBase64", () => {
  it("encodes a 512-d embedding that decodes to the same float32 tensor [512]", async () => {
    const embedding = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) * 20);
    const blob = await encodeTorchTensorBase64(embedding);
    expect(Buffer.from(blob, "base64").subarray(0, 4)).toEqual(Buffer.from("PK\x03\x04", "latin1"));
    expect(await decodeTorchTensorBase64(blob)).toEqual({ shape: [512], data: embedding });
  });

  it("refuses to decode a blob that holds a dict instead of one tensor", async () => {
    const blob = (await encodeTorchSave({ a: tensor([1], [1]) })).toString("base64");
    await expect(decodeTorchTensorBase64(blob)).rejects.toThrow(/not a single tensor/);
  });
});
