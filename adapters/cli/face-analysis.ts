import type { ModelRef } from "../../core/identity/index.js";
import type { FaceAnalyzer } from "../../core/kps/index.js";

/** Face analysis opened from a models folder, with the models it runs (names and content hashes) for identity files. */
export interface CliFaceAnalysis {
  readonly analyzer: FaceAnalyzer;
  readonly models: readonly ModelRef[];
}

/** Opens face analysis from `--models DIR` (a folder with models.json). */
export type OpenFaceAnalysis = (modelsDir: string) => Promise<CliFaceAnalysis>;
