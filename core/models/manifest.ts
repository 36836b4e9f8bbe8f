import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";

/** How one face network wants its input, as `models.json` records it. */
export interface FaceModelEntry {
  readonly path: string;
  readonly kind: "scrfd" | "arcface";
  readonly inputSize: number;
  readonly mean: number;
  readonly std: number;
  readonly channelOrder: "RGB" | "BGR";
}

/** The `models.json` a face-models folder carries, so face analysis can open the folder by itself. */
export interface FaceModelsManifest {
  readonly about: string;
  readonly detector: FaceModelEntry;
  readonly recognizer: FaceModelEntry;
}

/** The file name of the manifest inside a face-models folder. */
export const manifestFileName = "models.json";

/**
 * The manifest of the antelopev2 folder. Preprocessing as InsightFace applies it: SCRFD takes
 * (x − 127.5) / 128 after swapping BGR to RGB; ArcFace swaps to RGB too and, for a graph that does not
 * start with Sub/Mul nodes (glintr100 is a PyTorch export), uses (x − 127.5) / 127.5.
 */
export const antelopev2Manifest: FaceModelsManifest = {
  about:
    "Model manifest for InsightFace antelopev2, written by `instantid models pull`: which file does what, and how each network wants its input. paths are relative to this file.",
  detector: { path: "scrfd_10g_bnkps.onnx", kind: "scrfd", inputSize: 640, mean: 127.5, std: 128, channelOrder: "RGB" },
  recognizer: { path: "glintr100.onnx", kind: "arcface", inputSize: 112, mean: 127.5, std: 127.5, channelOrder: "RGB" },
};

/** Writes `models.json` into a face-models folder (atomically) and returns its path. */
export async function writeFaceManifest(folder: string, manifest: FaceModelsManifest = antelopev2Manifest): Promise<string> {
  const path = join(folder, manifestFileName);
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}
