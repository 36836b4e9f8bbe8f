import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { ConformanceKind } from "./kind.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { FiveKeypoints } from "../face/types.js";
import { savePng } from "../image/io.js";
import { renderKeypoints } from "../kps/render.js";

const casesSchema = z.object({
  cases: z.array(
    z.object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      kps: z.array(z.tuple([z.number(), z.number()])).length(5),
      png: z.string().regex(/^[\w.-]+\.png$/),
    }),
  ),
});

async function readCases(caseDir: string): Promise<z.output<typeof casesSchema>["cases"]> {
  const path = join(caseDir, "cases.json");
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InstantIdError(ErrorCode.FileCorrupt, `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = casesSchema.safeParse(json);
  if (!parsed.success)
    throw new InstantIdError(ErrorCode.FileCorrupt, `${path} is not a kps case list: ${parsed.error.issues[0]?.message}`);
  return parsed.data.cases;
}

/** Conformance kind `kps`: renders every case of `cases.json` to `OUT/kps/<png>`. */
export const kpsConformanceKind: ConformanceKind = {
  name: "kps",
  description: "keypoint images (InstantID's draw_kps), one PNG per case",
  async run({ caseDir, outDir, onProgress }) {
    const cases = await readCases(caseDir);
    await mkdir(outDir, { recursive: true });
    const files: string[] = [];
    for (const c of cases) {
      const image = renderKeypoints(c.kps as unknown as FiveKeypoints, { width: c.width, height: c.height });
      await savePng(join(outDir, c.png), image);
      files.push(c.png);
      onProgress?.(`kps: ${c.png}`);
    }
    return { cases: cases.length, files };
  },
};
