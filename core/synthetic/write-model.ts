import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { moveToExternalData } from "../onnx/external-data.js";
import { encodeModel, type OnnxModel } from "../onnx/model.js";

// Protobuf caps a message at 2 GiB; SDXL-width models pass it, so their weights go to a side file well before.
const INLINE_LIMIT = 1024 ** 3;

/**
 * Writes a synthetic model to `path`; when its weights exceed 1 GiB (or `external` is set) they go to
 * `<path>.data` as ONNX external data, as real SDXL exports keep them. A virtual model (weights by size
 * only) gets a sparse side file of the right length, so tools that check the file find it.
 */
export async function writeSyntheticModel(path: string, model: OnnxModel, options: { external?: boolean } = {}): Promise<void> {
  const weightBytes = model.graph.initializer.reduce((sum, t) => sum + (t.rawData?.byteLength ?? 0), 0);
  if (options.external ?? weightBytes > INLINE_LIMIT) {
    const large = new Set(model.graph.initializer.filter((t) => t.name && (t.rawData?.byteLength ?? 0) >= 1024).map((t) => t.name!));
    await moveToExternalData(model.graph, large, path, `${path}.data`);
  }
  await writeSparseExternalData(dirname(path), model);
  await writeFileAtomic(path, encodeModel(model));
}

/** Creates (sparse, zero-filled) the external files that virtual weights point into, sized to their last byte. */
async function writeSparseExternalData(dir: string, model: OnnxModel): Promise<void> {
  const ends = new Map<string, number>();
  for (const tensor of model.graph.initializer) {
    if (tensor.rawData || !tensor.externalData) continue;
    const entry = (key: string) => tensor.externalData!.find((e) => e.key === key)?.value;
    const location = entry("location");
    if (!location) continue;
    ends.set(location, Math.max(ends.get(location) ?? 0, Number(entry("offset") ?? 0) + Number(entry("length") ?? 0)));
  }
  for (const [location, size] of ends) {
    const file = await open(join(dir, location), "a");
    try {
      if ((await file.stat()).size < size) await file.truncate(size);
    } finally {
      await file.close();
    }
  }
}
