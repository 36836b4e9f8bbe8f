import { ErrorCode, InstantIdError } from "../errors.js";
import { writeStreamAtomic } from "../io/atomic.js";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import type { OnnxGraph, OnnxTensor } from "./model.js";

/** `TensorProto.DataLocation.EXTERNAL`. */
const EXTERNAL = 1;

function externalTensors(graph: OnnxGraph): OnnxTensor[] {
  const constants = graph.node.flatMap((n) => (n.opType === "Constant" ? (n.attribute ?? []).flatMap((a) => (a.t ? [a.t] : [])) : []));
  return [...graph.initializer, ...constants].filter((t) => t.dataLocation === EXTERNAL);
}

/** The external data files a graph's tensors point at, as written in the model (relative to its folder). */
export function externalDataLocations(graph: OnnxGraph): string[] {
  const locations = new Set<string>();
  for (const tensor of externalTensors(graph)) {
    const location = tensor.externalData?.find((e) => e.key === "location")?.value;
    if (location) locations.add(location);
  }
  return [...locations];
}

/**
 * Re-points external data written relative to `fromDir` so that it resolves from `toDir`:
 * a model saved in another folder still reads the original weight files, never a copy.
 * ONNX Runtime only reads external data at or below the model's folder, so `toDir` must contain
 * the data files (the original's folder or one above it); otherwise this throws INVALID_OPTION.
 */
export function relocateExternalData(graph: OnnxGraph, fromDir: string, toDir: string): void {
  if (fromDir === toDir) return;
  for (const tensor of externalTensors(graph)) {
    for (const entry of tensor.externalData ?? []) {
      if (entry.key !== "location" || isAbsolute(entry.value)) continue;
      const location = relative(toDir, join(fromDir, entry.value)).split(sep).join("/");
      if (location.startsWith("../") || isAbsolute(location)) {
        throw new InstantIdError(
          ErrorCode.InvalidOption,
          `Cannot write the patched UNet to ${toDir}: its weights (${join(fromDir, entry.value)}) would lie outside that folder, ` +
            `and ONNX Runtime only reads external data inside the model's folder. Leave outDir unset (the patch is written ` +
            `beside the UNet) or choose a folder that contains the UNet's folder.`,
          { details: { outDir: toDir, data: join(fromDir, entry.value) } },
        );
      }
      entry.value = location;
    }
  }
}

/**
 * Moves the raw bytes of the named initializers into `dataPath` (written here, in order) and leaves
 * external-data references in their place, for weights too large to sit inside the model file.
 */
export async function moveToExternalData(graph: OnnxGraph, names: ReadonlySet<string>, modelPath: string, dataPath: string): Promise<void> {
  const location = relative(dirname(modelPath), dataPath).split(sep).join("/");
  await writeStreamAtomic(dataPath, async (file) => {
    let offset = 0;
    for (const tensor of graph.initializer) {
      if (!tensor.name || !names.has(tensor.name) || !tensor.rawData) continue;
      const length = tensor.rawData.byteLength;
      await file.write(tensor.rawData, 0, length, offset);
      delete tensor.rawData;
      tensor.dataLocation = EXTERNAL;
      tensor.externalData = [
        { key: "location", value: location },
        { key: "offset", value: String(offset) },
        { key: "length", value: String(length) },
      ];
      offset += length;
    }
  });
}
