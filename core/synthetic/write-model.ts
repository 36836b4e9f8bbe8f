import { moveToExternalData } from "../onnx/external-data.js";
import { encodeModel, type OnnxModel } from "../onnx/model.js";
import { writeFileAtomic } from "../io/atomic.js";

// Protobuf caps a message at 2 GiB; SDXL-width models pass it, so their weights go to a side file well before.
const INLINE_LIMIT = 1024 ** 3;

/**
 * Writes a synthetic model to `path`; when its weights exceed 1 GiB (or `external` is set) they go to
 * `<path>.data` as ONNX external data, as real SDXL exports keep them.
 */
export async function writeSyntheticModel(path: string, model: OnnxModel, options: { external?: boolean } = {}): Promise<void> {
  const weightBytes = model.graph.initializer.reduce((sum, t) => sum + (t.rawData?.byteLength ?? 0), 0);
  if (options.external ?? weightBytes > INLINE_LIMIT) {
    const large = new Set(model.graph.initializer.filter((t) => t.name && (t.rawData?.byteLength ?? 0) >= 1024).map((t) => t.name!));
    await moveToExternalData(model.graph, large, path, `${path}.data`);
  }
  await writeFileAtomic(path, encodeModel(model));
}
