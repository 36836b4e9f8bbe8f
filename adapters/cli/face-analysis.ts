import { FaceAnalysis, loadFaceModelManifest, modelRef, type FaceAnalyzer, type ModelRef } from "../../core/index.js";

/** Face analysis opened from a models folder, with the models it runs (names and content hashes) for identity files. */
export interface CliFaceAnalysis {
  readonly analyzer: FaceAnalyzer;
  readonly models: readonly ModelRef[];
}

/** Opens face analysis from `--models DIR` (a folder with models.json). */
export type OpenFaceAnalysis = (modelsDir: string) => Promise<CliFaceAnalysis>;

/** The real opener: SCRFD + ArcFace from the folder's models.json, both files hashed. */
export const openFaceAnalysis: OpenFaceAnalysis = async (modelsDir) => {
  const manifest = await loadFaceModelManifest(modelsDir);
  const [analyzer, detector, recognizer] = await Promise.all([
    FaceAnalysis.create({ models: modelsDir }),
    modelRef(manifest.detector.path),
    modelRef(manifest.recognizer.path),
  ]);
  return { analyzer, models: [detector, recognizer] };
};
