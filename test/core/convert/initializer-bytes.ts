import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readModel } from "../../../core/onnx/model.js";

/** Every external initializer's bytes, read where the model's external-data references say: layout-independent. */
export async function initializerBytes(modelPath: string): Promise<Map<string, Buffer>> {
  const model = await readModel(modelPath);
  const files = new Map<string, Buffer>();
  const bytes = new Map<string, Buffer>();
  for (const tensor of model.graph.initializer.filter((t) => t.dataLocation === 1)) {
    const field = (key: string) => tensor.externalData!.find((e) => e.key === key)!.value;
    const location = field("location");
    if (!files.has(location)) files.set(location, await readFile(join(dirname(modelPath), location)));
    const offset = Number(field("offset"));
    bytes.set(tensor.name!, files.get(location)!.subarray(offset, offset + Number(field("length"))));
  }
  return bytes;
}
