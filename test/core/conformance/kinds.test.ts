import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runConformance } from "../../../core/conformance/index.js";
import { loadImage } from "../../../core/image/io.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));

describeShared("conformance kinds align and scrfd, end to end into a temp folder", "golden", () => {
  it("align: writes results.json with every matrix to 1e-4 and the crops as PNG", async () => {
    const out = await tempDir();
    await runConformance([sharedPath("golden", "align")], { out });
    const reference = json(sharedPath("golden", "align", "cases.json")).cases;
    const results = json(join(out, "align", "results.json")).cases;
    expect(results.length).toBe(reference.length);
    for (const [n, c] of reference.entries()) {
      assertClose(results[n].matrix.flat(), c.matrix.flat(), { abs: 1e-4 }, `case ${n} matrix`);
      const crop = await loadImage(join(out, "align", c.crop));
      const expected = await loadImage(sharedPath("golden", "align", c.crop));
      const bad = crop.data.filter((v, i) => Math.abs(v - expected.data[i]) > 1).length;
      expect(bad / expected.data.length, `case ${n} crop`).toBeLessThanOrEqual(0.01);
    }
  });

  it("scrfd: writes results.json with the detections of every case to 1e-3 px in the reference order", async () => {
    const out = await tempDir();
    await runConformance([sharedPath("golden", "scrfd")], { out });
    const reference = json(sharedPath("golden", "scrfd", "cases.json")).cases;
    const results = json(join(out, "scrfd", "results.json")).cases;
    for (const [n, c] of reference.entries()) {
      const got = results[n].detections;
      expect(got.length, `case ${n}`).toBe(c.expected.length);
      got.forEach((d: { bbox: number[]; kps: number[][]; score: number }, i: number) => {
        assertClose(
          [...d.bbox, ...d.kps.flat(), d.score],
          [...c.expected[i].bbox, ...c.expected[i].kps.flat(), c.expected[i].score],
          { abs: 1e-3 },
          `case ${n} detection ${i}`,
        );
      });
    }
  });
});

describeShared("conformance kind real, end to end into a temp folder", "real/models/models.json", () => {
  it("real: writes every image's faces and the largest face's unit embedding, close to the reference", async () => {
    const out = await tempDir();
    await runConformance([sharedPath("real")], { out, modelsDir: sharedPath("real", "models") });
    const reference = json(sharedPath("real", "expected.json")).results;
    const results = json(join(out, "real", "results.json")).results;
    expect(results.map((r: { image: string }) => r.image)).toEqual(reference.map((r: { image: string }) => r.image));
    for (const [n, r] of results.entries()) {
      expect(r.faces.length).toBe(reference[n].faces.length);
      const cosine = r.embedding.reduce((s: number, v: number, i: number) => s + v * reference[n].embedding[i], 0);
      expect(cosine, r.image).toBeGreaterThanOrEqual(0.97);
    }
  }, 60_000);
});
