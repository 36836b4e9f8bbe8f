import { readFile } from "node:fs/promises";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import { sharedPath } from "../../helpers/shared.js";

/** The tiny SDXL-shaped UNet of ../shared/golden/unet and its reference tensors. */
export const goldenUnetPath = (): string => sharedPath("golden", "unet", "unet.onnx");

/** Reads ../shared/golden/unet/cases.safetensors. */
export async function goldenUnetCases(): Promise<Map<string, Tensor>> {
  return readSafetensors(await readFile(sharedPath("golden", "unet", "cases.safetensors"))).tensors;
}

/** Row `row` of a batched tensor, keeping a leading 1. */
export function row(t: Tensor, index: number): Tensor {
  const size = t.data.length / t.shape[0];
  return tensor([1, ...t.shape.slice(1)], t.data.slice(index * size, (index + 1) * size));
}
