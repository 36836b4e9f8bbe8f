import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createIdentity, encodePng, loadImage, saveIdentity } from "../../core/index.js";
import { comfyuiExample } from "../../examples/comfyui-bridge.js";
import { PORTRAIT_KEYPOINTS, PORTRAIT_SIZE, syntheticPortrait } from "../../examples/concepts/synthetic-portrait.js";
import { tempDir } from "../helpers/shared.js";
import { startMockComfy, type MockComfy } from "../mocks/comfyui-server.js";
import { pngOf } from "../mocks/image-check.js";

let server: MockComfy | undefined;

/** An identity file recording the synthetic portrait's keypoints (the embedding does not matter: the pack reads the photo). */
async function portraitIdentity(dir: string): Promise<string> {
  const path = join(dir, "portrait.identity.safetensors");
  const embedding = Float32Array.from({ length: 512 }, (_, i) => Math.cos(i));
  await saveIdentity(path, createIdentity([{ embedding, kps: PORTRAIT_KEYPOINTS, width: PORTRAIT_SIZE, height: PORTRAIT_SIZE }]));
  return path;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("examples/comfyui-bridge.ts", () => {
  it(
    "uploads the photo and the keypoint image drawn from the identity file, queues one ApplyInstantIDAdvanced workflow and " +
      "saves the result",
    async () => {
      server = await startMockComfy({ stepMs: 1 });
      const dir = await tempDir();
      const photo = join(dir, "portrait.png");
      await writeFile(photo, await encodePng(syntheticPortrait()));
      const identity = await portraitIdentity(dir);

      const written = await comfyuiExample(server.url, photo, identity, join(dir, "out.png"), {
        prompt: "a watercolor portrait",
        width: PORTRAIT_SIZE,
        height: PORTRAIT_SIZE,
      });

      expect(written).toEqual([join(dir, "out.png")]);
      expect((await loadImage(written[0])).width).toBe(PORTRAIT_SIZE);
      expect(server.prompts).toHaveLength(1);
      const prompt = server.prompts[0];
      const apply = Object.values(prompt).find((node) => node.class_type === "ApplyInstantIDAdvanced")!;
      const uploaded = (link: unknown) => prompt[(link as [string, number])[0]].inputs.image as string;
      expect(uploaded(apply.inputs.image)).toMatch(/^instantid-face-[0-9a-f]{16}\.png$/);
      expect(server.uploads.get(uploaded(apply.inputs.image))).toEqual(await readFile(photo));
      expect([apply.inputs.ip_weight, apply.inputs.cn_strength]).toEqual([0.8, 0.8]);
      const kps = await loadImage(server.uploads.get(uploaded(apply.inputs.image_kps))!);
      const [x, y] = PORTRAIT_KEYPOINTS[0];
      expect([...kps.data.subarray((y * kps.width + x) * 3, (y * kps.width + x) * 3 + 3)]).toEqual([255, 0, 0]);
    },
  );

  it("reports the server's 'No face detected' as NO_FACE", async () => {
    server = await startMockComfy();
    const dir = await tempDir();
    const photo = join(dir, "wall.png");
    await writeFile(photo, await pngOf(256, 256));
    const identity = await portraitIdentity(dir);
    await expect(
      comfyuiExample(server.url, photo, identity, join(dir, "out.png"), { prompt: "x", width: 256, height: 256 }),
    ).rejects.toMatchObject({ code: "NO_FACE" });
  });
});
