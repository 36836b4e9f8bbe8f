import { join } from "node:path";
import type { StepContext } from "../hooks/types.js";
import { SafetensorsFile } from "../tensor/safetensors.js";
import type { Tensor } from "../tensor/tensor.js";

/** The tensors of a golden `unet` case folder's `cases.safetensors`, by name. */
export type UnetGoldenCases = Map<string, Tensor>;

/** Reads every tensor of `<dir>/cases.safetensors`. */
export async function readUnetGoldenCases(dir: string): Promise<UnetGoldenCases> {
  const file = await SafetensorsFile.open(join(dir, "cases.safetensors"));
  try {
    const cases: UnetGoldenCases = new Map();
    for (const name of file.names()) cases.set(name, await file.tensor(name));
    return cases;
  } finally {
    await file.close();
  }
}

/** The whole-step cases' batch: [uncond, cond] rows, the latent repeated. */
export function guidedGoldenStep(c: UnetGoldenCases): StepContext {
  const sample = c.get("sample")!;
  const both = new Float32Array(2 * sample.data.length);
  both.set(sample.data);
  both.set(sample.data, sample.data.length);
  return {
    index: 0,
    total: 1,
    sample: { shape: [2, ...sample.shape.slice(1)], data: both },
    timestep: c.get("timestep")!,
    promptEmbeds: c.get("prompt_embeds")!,
    textEmbeds: c.get("text_embeds")!,
    timeIds: c.get("time_ids")!,
  };
}
