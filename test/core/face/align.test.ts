import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { alignFace } from "../../../core/face/align.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { loadImage } from "../../../core/image/io.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

interface AlignCase {
  src: string;
  kps: [number, number][];
  size: number;
  matrix: number[][];
  crop: string;
}

/** Share of bytes that differ from the reference by more than one grey level. */
function offByMoreThanOne(actual: Uint8Array, expected: Uint8Array): number {
  let bad = 0;
  for (let i = 0; i < expected.length; i++) if (Math.abs(actual[i] - expected[i]) > 1) bad++;
  return bad / expected.length;
}

describeShared("alignFace on the golden ArcFace alignment cases", "golden/align", () => {
  const dir = sharedPath("golden", "align");
  const cases = JSON.parse(readFileSync(`${dir}/cases.json`, "utf8")).cases as AlignCase[];

  it("estimates every matrix to 1e-4 and warps crops within 1 grey level on 99% of pixels", async () => {
    for (const [n, c] of cases.entries()) {
      const image = await loadImage(`${dir}/${c.src}`);
      const { matrix, crop } = alignFace(image, c.kps as unknown as FiveKeypoints, c.size);
      assertClose(matrix.flat(), c.matrix.flat(), { abs: 1e-4 }, `case ${n} matrix`);
      const expected = await loadImage(`${dir}/${c.crop}`);
      expect([crop.width, crop.height]).toEqual([expected.width, expected.height]);
      expect(offByMoreThanOne(crop.data, expected.data), `case ${n} crop`).toBeLessThanOrEqual(0.01);
    }
  });
});
