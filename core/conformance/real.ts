import { join } from "node:path";
import { z } from "zod";
import type { ConformanceKind } from "./kind.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { FaceAnalysis } from "../face/analysis.js";
import type { Face } from "../face/types.js";
import { detectionJson, readCaseFile } from "./read-cases.js";

const expectedImages = z.object({ results: z.array(z.object({ image: z.string() })) });

async function analyzeOrNone(analysis: FaceAnalysis, path: string): Promise<Face[]> {
  try {
    return await analysis.analyze(path);
  } catch (error) {
    if (error instanceof InstantIdError && error.code === ErrorCode.NoFace) return [];
    throw error;
  }
}

/**
 * `real`: runs the face models of `--models DIR/models.json` (default `<case dir>/models`) on
 * `images/<image>` for every image of `expected.json` → `results.json` with all faces (largest first)
 * and the L2-normalised embedding of the largest one (null when none is found).
 */
export const realKind: ConformanceKind = {
  name: "real",
  description: "Face detection and recognition on real photos with real ONNX models",
  async run({ caseDir, outDir, modelsDir, onProgress }) {
    const { results: images } = await readCaseFile(caseDir, "expected.json", expectedImages);
    const analysis = await FaceAnalysis.create({ models: modelsDir ?? join(caseDir, "models") });
    const results = [];
    for (const [n, { image }] of images.entries()) {
      onProgress?.(`real: ${image} (${n + 1}/${images.length})`);
      const faces = await analyzeOrNone(analysis, join(caseDir, "images", image));
      results.push({ image, faces: faces.map(detectionJson), embedding: faces.length ? [...faces[0].normedEmbedding] : null });
    }
    const file = join(outDir, "results.json");
    await writeFileAtomic(file, `${JSON.stringify({ results }, null, 1)}\n`);
    return { cases: images.length, files: [file] };
  },
};
