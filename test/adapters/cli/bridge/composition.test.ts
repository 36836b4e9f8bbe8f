import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bridgeComposition, columnRect } from "../../../../adapters/cli/bridge/composition.js";
import { parseBridgeArgs } from "../../../../adapters/cli/bridge/options.js";
import type { OpenFaceAnalysis } from "../../../../adapters/cli/face-analysis.js";
import { createIdentity, saveIdentity } from "../../../../core/index.js";
import type { ComposedIdentity } from "../../../../core/internal.js";
import { tempDir } from "../../../helpers/shared.js";
import { texturedPng } from "../../../mocks/image-check.js";
import { fakeGroupAnalysis } from "../commands/fake-analysis.js";

const noModels: OpenFaceAnalysis = async () => {
  throw new Error("face analysis must not be opened without --models");
};

// The CLI's parsed values, defaults included, as `instantid a1111 txt2img` hands them over.
function bridgeArgs(values: Record<string, unknown>) {
  return parseBridgeArgs({
    prompt: "two friends",
    size: "1024x512",
    "dry-run": "r.json",
    "adapter-scale": "0.7",
    "identitynet-scale": "0.6",
    steps: "30",
    cfg: "5",
    timeout: "900",
    ...values,
  });
}

async function identityFile(dir: string, name: string): Promise<string> {
  const path = join(dir, `${name}.identity.safetensors`);
  const kps = [
    [40, 50],
    [60, 50],
    [50, 60],
    [42, 70],
    [58, 70],
  ] as const;
  await saveIdentity(path, createIdentity([{ embedding: new Float32Array(512).fill(name.length), kps, width: 100, height: 100 }]));
  return path;
}

async function photos(dir: string, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const path = join(dir, `face${i}.png`);
      await writeFile(path, await texturedPng(96, 96));
      return path;
    }),
  );
}

const maskAt = (c: ComposedIdentity, x: number, y: number) => c.mask.data[y * c.mask.width + x];
const xs = (c: ComposedIdentity) => c.keypoints!.map((p) => p[0]);

describe("columnRect", () => {
  it("splits the width into adjacent columns, rounded to whole pixels, that cover it exactly", () => {
    expect([0, 1, 2].map((i) => columnRect(i, 3, 1000, 600))).toEqual([
      [0, 0, 333, 600],
      [333, 0, 667, 600],
      [667, 0, 1000, 600],
    ]);
  });
});

describe("bridgeComposition", () => {
  it("lays identity files out side by side without face models: column regions, keypoints in each column, the scales given", async () => {
    const dir = await tempDir();
    const files = [await identityFile(dir, "ann"), await identityFile(dir, "bob")];
    const { composition, photos: sent } = await bridgeComposition(bridgeArgs({ identity: files }), noModels);
    const [left, right] = composition.identities;
    expect([maskAt(left, 100, 256), maskAt(left, 900, 256), maskAt(right, 100, 256), maskAt(right, 900, 256)]).toEqual([1, 0, 0, 1]);
    expect(Math.max(...xs(left))).toBeLessThan(512);
    expect(Math.min(...xs(right))).toBeGreaterThanOrEqual(512);
    expect([left.adapterScale, left.identityNetScale, right.name]).toEqual([0.7, 0.6, `identity 2 (${files[1]})`]);
    expect(composition.warnings).toEqual([]);
    expect(sent).toEqual([]);
  });

  it("refuses several --face photos without --models, naming the option", async () => {
    const dir = await tempDir();
    await expect(bridgeComposition(bridgeArgs({ face: await photos(dir, 2) }), noModels)).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("--models"),
    });
  });

  it("refuses more identities than the pose photo has faces with a NO_FACE error", async () => {
    const dir = await tempDir();
    const [a, b, pose] = await photos(dir, 3);
    const args = bridgeArgs({ face: [a, b], pose, models: "fake" });
    await expect(bridgeComposition(args, fakeGroupAnalysis([0.5]))).rejects.toMatchObject({
      code: "NO_FACE",
      message: expect.stringContaining("shows 1 face(s) but 2 identities"),
    });
  });

  it(
    "takes the pose faces left to right, the square pose photo fitted whole into the 1024x512 canvas (one scale, centred), and " +
      "warns when a face lies outside its column",
    async () => {
      const dir = await tempDir();
      const [a, b, pose] = await photos(dir, 3);
      const { composition, photos: sent } = await bridgeComposition(
        bridgeArgs({ face: [a, b], pose, models: "fake" }),
        fakeGroupAnalysis([0.3, 0.1]),
      );
      const [left, right] = composition.identities;
      expect(xs(left)[2]).toBeCloseTo(256 + 0.1 * 512, 3); // nose of the leftmost pose face: the 96² photo becomes 512², 256 px in
      expect(xs(right)[2]).toBeCloseTo(256 + 0.3 * 512, 3);
      const [eye, , , mouth] = left.keypoints!;
      expect((mouth[1] - eye[1]) / (left.keypoints![1][0] - eye[0])).toBeCloseTo((0.7 - 0.4) / 0.16, 6); // proportions as in the pose photo
      expect(composition.warnings.map((w) => [w.code, w.identity])).toEqual([["KEYPOINTS_OUTSIDE_REGION", 1]]);
      expect(sent).toHaveLength(2);
    },
  );
});
