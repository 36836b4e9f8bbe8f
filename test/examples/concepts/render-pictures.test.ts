import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadImage } from "../../../core/index.js";
import { CONCEPT_PICTURES, renderConceptPictures } from "../../../examples/concepts/render-pictures.js";
import { syntheticFaceTokens } from "../../../examples/concepts/token-heatmap.js";
import { tempDir } from "../../helpers/shared.js";

const committed = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "images");
const MAX_BYTES = 200 * 1024;

describe("examples/concepts/render-pictures.ts", () => {
  it("renders every concept picture, each under 200 KB, equal to the one committed in docs/images", async () => {
    const dir = await tempDir();
    const written = await renderConceptPictures(dir);
    for (const [key, file] of Object.entries(CONCEPT_PICTURES)) {
      const path = written[key as keyof typeof CONCEPT_PICTURES];
      expect((await stat(path)).size, file).toBeLessThan(MAX_BYTES);
      if (file.endsWith(".svg")) {
        expect(await readFile(path, "utf8"), `${file} is stale: rerun examples/concepts/render-pictures.ts docs/images`).toBe(
          await readFile(join(committed, file), "utf8"),
        );
      } else {
        const [fresh, old] = await Promise.all([loadImage(path), loadImage(join(committed, file))]);
        expect([old.width, old.height], file).toEqual([fresh.width, fresh.height]);
        expect(
          Buffer.from(old.data).equals(Buffer.from(fresh.data)),
          `${file} is stale: rerun examples/concepts/render-pictures.ts docs/images`,
        ).toBe(true);
      }
    }
  });

  it("draws the keypoint image in InstantID's colours on black: red left eye, blue nose", async () => {
    const dir = await tempDir();
    const kps = await loadImage((await renderConceptPictures(dir)).keypoints);
    const at = (x: number, y: number) => [...kps.data.subarray((y * kps.width + x) * 3, (y * kps.width + x) * 3 + 3)];
    expect(at(204, 238)).toEqual([255, 0, 0]);
    expect(at(256, 306)).toEqual([0, 0, 255]);
    expect(at(10, 10)).toEqual([0, 0, 0]);
  });

  it("shows 16 tokens of SDXL's width 2048, the unconditional ones Resampler(zeros) and not zeros", async () => {
    const { cond, uncond } = await syntheticFaceTokens();
    expect(cond.shape).toEqual([1, 16, 2048]);
    expect(uncond.data.some((v) => Math.abs(v) > 0.5)).toBe(true);
    expect(cond.data.some((v, i) => Math.abs(v - uncond.data[i]) > 0.1)).toBe(true);
  });

  it("marks every attn2 site of SDXL in the UNet diagram (4 + 20 + 10 + 30 + 6 = 70)", async () => {
    const svg = await readFile((await renderConceptPictures(await tempDir())).unetHooks, "utf8");
    const counts = [...svg.matchAll(/attn2 × (\d+):/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(70);
    expect(svg).toContain("createIdentityNetHook");
    expect(svg).toContain("createImageAdapterHook");
  });
});
