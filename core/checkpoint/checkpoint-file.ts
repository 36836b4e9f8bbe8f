import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";

/** Name, stored element type and shape of one tensor in a checkpoint. */
export interface CheckpointTensorInfo {
  /** Nested dict keys joined with dots (`image_proj.latents`); safetensors names as stored. */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/**
 * An opened checkpoint (torch zip or safetensors). Tensors are read from disk one at a time, on
 * request, and widened to float32; call {@link CheckpointFile.close} when done.
 */
export interface CheckpointFile {
  readonly path: string;
  readonly format: "torch" | "safetensors";
  /** Tensor names in file order. */
  names(): string[];
  info(name: string): CheckpointTensorInfo;
  tensor(name: string): Promise<Tensor>;
  close(): Promise<void>;
}
