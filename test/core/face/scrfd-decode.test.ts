import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { decodeScrfdCase } from "../../../core/conformance/scrfd.js";
import type { RawOutput } from "../../../core/face/scrfd-outputs.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

interface ScrfdCase {
  raw: string;
  output_order: string[];
  input_size: [number, number];
  image_size: [number, number];
  det_scale: number;
  det_thresh: number;
  nms_thresh: number;
  max_num: number;
  expected: { bbox: number[]; score: number; kps: number[][] }[];
}

function loadCase(c: ScrfdCase, rename: (name: string, i: number) => string): RawOutput[] {
  const { tensors } = readSafetensors(readFileSync(sharedPath("golden", "scrfd", c.raw)));
  return c.output_order.map((name, i) => {
    const t = tensors.get(name)!;
    return { name: rename(name, i), shape: t.shape, data: t.data };
  });
}

function flat(d: { bbox: readonly number[]; kps: readonly (readonly number[])[] }): number[] {
  return [...d.bbox, ...d.kps.flat()];
}

describeShared("decodeScrfd on the golden SCRFD head outputs", "golden/scrfd", () => {
  const cases = JSON.parse(readFileSync(sharedPath("golden", "scrfd", "cases.json"), "utf8")).cases as ScrfdCase[];

  it("matches every case to 1e-3 px in the same order, outputs found by name", () => {
    for (const [n, c] of cases.entries()) {
      const got = decodeScrfdCase(
        c,
        loadCase(c, (name) => name),
      );
      expect(got.length, `case ${n} detections`).toBe(c.expected.length);
      got.forEach((d, i) => {
        assertClose(flat(d), flat(c.expected[i]), { abs: 1e-3 }, `case ${n} detection ${i}`);
        assertClose([d.score], [c.expected[i].score], { abs: 1e-6 }, `case ${n} score ${i}`);
      });
    }
  });

  it("gives the same detections when outputs are unnamed and shuffled (found by shape)", () => {
    for (const c of cases) {
      const byName = decodeScrfdCase(
        c,
        loadCase(c, (name) => name),
      );
      const anonymous = loadCase(c, (_, i) => String(400 + i)).reverse();
      expect(decodeScrfdCase(c, anonymous)).toEqual(byName);
    }
  });
});
