import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { ConformanceKind } from "./kind.js";
import { writeFileAtomic } from "../io/atomic.js";
import { readSafetensors } from "../tensor/safetensors.js";
import { decodeScrfd } from "../face/scrfd-decode.js";
import { groupScrfdOutputs, type RawOutput } from "../face/scrfd-outputs.js";
import type { Detection } from "../face/types.js";
import { detectionJson, readCaseFile } from "./read-cases.js";

const size = z.tuple([z.number().int().positive(), z.number().int().positive()]);
const scrfdCases = z.object({
  cases: z.array(
    z.object({
      raw: z.string(),
      output_order: z.array(z.string()),
      input_size: size,
      image_size: size,
      det_scale: z.number().positive(),
      det_thresh: z.number(),
      nms_thresh: z.number(),
      max_num: z.number().int().min(0),
    }),
  ),
});

/** The settings of one golden SCRFD case (`cases.json`). */
export type ScrfdCaseSettings = Pick<
  z.infer<typeof scrfdCases>["cases"][number],
  "input_size" | "image_size" | "det_scale" | "det_thresh" | "nms_thresh" | "max_num"
>;

/** Decodes one case's raw head outputs with the case's own input size, scale, thresholds and max_num. */
export function decodeScrfdCase(c: ScrfdCaseSettings, outputs: readonly RawOutput[], source?: string): Detection[] {
  const [inputWidth, inputHeight] = c.input_size;
  return decodeScrfd(groupScrfdOutputs(outputs, inputWidth, inputHeight, source), {
    inputWidth,
    inputHeight,
    imageWidth: c.image_size[0],
    imageHeight: c.image_size[1],
    detScale: c.det_scale,
    threshold: c.det_thresh,
    nmsThreshold: c.nms_thresh,
    maxNum: c.max_num,
  });
}

/** `scrfd`: decodes each case's raw SCRFD head outputs (no model is run) → `results.json` with the detections. */
export const scrfdKind: ConformanceKind = {
  name: "scrfd",
  description: "SCRFD head decoding: anchors, boxes, keypoints, threshold, NMS, det_scale, max_num",
  async run({ caseDir, outDir, onProgress }) {
    const { cases } = await readCaseFile(caseDir, "cases.json", scrfdCases);
    const results = [];
    for (const [n, c] of cases.entries()) {
      onProgress?.(`scrfd: case ${n + 1}/${cases.length}`);
      const { tensors } = readSafetensors(await readFile(join(caseDir, c.raw)), c.raw);
      const outputs = c.output_order.flatMap((name) => {
        const t = tensors.get(name);
        return t ? [{ name, shape: t.shape, data: t.data }] : [];
      });
      const detections = decodeScrfdCase(c, outputs, `case ${n} (${c.raw})`);
      results.push({ detections: detections.map(detectionJson) });
    }
    const file = join(outDir, "results.json");
    await writeFileAtomic(file, `${JSON.stringify({ cases: results }, null, 1)}\n`);
    return { cases: cases.length, files: [file] };
  },
};
