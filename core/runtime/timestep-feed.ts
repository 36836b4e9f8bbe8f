import type * as ort from "onnxruntime-node";
import { ortTensor, toOrtTensor, type OrtSession } from "./session.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * The timestep as the UNet declares it: exports differ (optimum's older SDXL UNets take int64 `[batch]`,
 * newer ones a float scalar, torch exports of diffusers float `[1]`). Integer graphs get the value
 * rounded (diffusers' schedulers give whole timesteps to such exports); a rank-0 input gets a scalar.
 */
export function timestepFeed(session: OrtSession, name: string, timestep: Tensor): ort.Tensor {
  const meta = session.inputMetadata.find((m) => m.name === name);
  const declared = meta?.isTensor ? meta : undefined;
  const dims = declared && declared.shape.length === 0 && timestep.data.length === 1 ? [] : [...timestep.shape];
  if (declared?.type === "int64")
    return ortTensor(
      "int64",
      BigInt64Array.from(timestep.data, (v) => BigInt(Math.round(v))),
      dims,
    );
  return dims.length === timestep.shape.length ? toOrtTensor(timestep) : ortTensor("float32", timestep.data, dims);
}
