import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { TorchCheckpoint } from "./torch-checkpoint.js";
import { encodeTorchSave } from "./torch-save.js";

/**
 * base64 of `torch.save(tensor)` for a float32 vector or tensor: the form sd-webui-controlnet's
 * `ipadapter_input` expects (InstantID: the raw 512-d face embedding).
 *
 * @example
 * unit.ipadapter_input = [await encodeTorchTensorBase64(face.embedding)];
 */
export async function encodeTorchTensorBase64(value: Float32Array | Tensor): Promise<string> {
  const tensor: Tensor = value instanceof Float32Array ? { shape: [value.length], data: value } : value;
  return (await encodeTorchSave(tensor)).toString("base64");
}

/** Reads a base64 `torch.save(tensor)` blob back (e.g. `/controlnet/detect`'s `tensor` field) as float32. */
export async function decodeTorchTensorBase64(base64: string): Promise<Tensor> {
  const checkpoint = await TorchCheckpoint.fromBytes(Buffer.from(base64, "base64"), "base64 torch tensor");
  try {
    if (!checkpoint.names().includes("")) {
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `The base64 blob holds ${checkpoint.names().length} named tensors, not a single tensor; pass the output of torch.save(tensor)`,
      );
    }
    return await checkpoint.tensor("");
  } finally {
    await checkpoint.close();
  }
}
