import { join } from "node:path";
import { z } from "zod";
import type { ConformanceKind } from "./kind.js";
import { loadImage, savePng } from "../image/io.js";
import { writeFileAtomic } from "../io/atomic.js";
import { alignFace } from "../face/align.js";
import type { FiveKeypoints } from "../face/types.js";
import { readCaseFile } from "./read-cases.js";

const point = z.tuple([z.number(), z.number()]);
const alignCases = z.object({
  cases: z.array(z.object({ src: z.string(), kps: z.array(point).length(5), size: z.number().int().positive(), crop: z.string() })),
});

/** `align`: ArcFace alignment of each case's source image → `results.json` (matrices) and the crops as PNG. */
export const alignKind: ConformanceKind = {
  name: "align",
  description: "5-point similarity transform to the ArcFace template and the aligned crop",
  async run({ caseDir, outDir, onProgress }) {
    const { cases } = await readCaseFile(caseDir, "cases.json", alignCases);
    const results: { matrix: number[][] }[] = [];
    const files: string[] = [];
    for (const [n, c] of cases.entries()) {
      onProgress?.(`align: case ${n + 1}/${cases.length}`);
      const { matrix, crop } = alignFace(await loadImage(join(caseDir, c.src)), c.kps as unknown as FiveKeypoints, c.size);
      results.push({ matrix: matrix.map((row) => [...row]) });
      const file = join(outDir, c.crop);
      await savePng(file, crop);
      files.push(file);
    }
    const resultsFile = join(outDir, "results.json");
    await writeFileAtomic(resultsFile, `${JSON.stringify({ cases: results }, null, 1)}\n`);
    return { cases: cases.length, files: [resultsFile, ...files] };
  },
};
