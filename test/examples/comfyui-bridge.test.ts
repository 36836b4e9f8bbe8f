import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodePng, loadImage } from "../../core/index.js";
import { comfyuiExample } from "../../examples/comfyui-bridge.js";
import { PORTRAIT_KEYPOINTS, PORTRAIT_SIZE, syntheticPortrait } from "../../examples/concepts/synthetic-portrait.js";
import { tempDir } from "../helpers/shared.js";
import { startMockComfy, type MockComfy } from "../mocks/comfyui-server.js";
import { pngOf } from "../mocks/image-check.js";

let server: MockComfy | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("examples/comfyui-bridge.ts", () => {
  it("uploads the photo and the SDK's keypoint image, queues one ApplyInstantIDAdvanced workflow and saves the result", async () => {
    server = await startMockComfy({ stepMs: 1 });
    const dir = await tempDir();
    const photo = join(dir, "portrait.png");
    await writeFile(photo, await encodePng(syntheticPortrait()));

    const written = await comfyuiExample(server.url, photo, join(dir, "out.png"), {
      prompt: "a watercolor portrait",
      width: PORTRAIT_SIZE,
      height: PORTRAIT_SIZE,
      keypoints: PORTRAIT_KEYPOINTS,
    });

    expect(written).toEqual([join(dir, "out.png")]);
    expect((await loadImage(written[0])).width).toBe(PORTRAIT_SIZE);
    expect(server.prompts).toHaveLength(1);
    const prompt = server.prompts[0];
    const apply = Object.values(prompt).find((node) => node.class_type === "ApplyInstantIDAdvanced")!;
    const uploaded = (link: unknown) => prompt[(link as [string, number])[0]].inputs.image as string;
    expect(uploaded(apply.inputs.image)).toBe("portrait.png");
    const kps = await loadImage(server.uploads.get(uploaded(apply.inputs.image_kps))!);
    const [x, y] = PORTRAIT_KEYPOINTS[0];
    expect([...kps.data.subarray((y * kps.width + x) * 3, (y * kps.width + x) * 3 + 3)]).toEqual([255, 0, 0]);
  });

  it("reports the server's 'No face detected' as NO_FACE", async () => {
    server = await startMockComfy();
    const dir = await tempDir();
    const photo = join(dir, "wall.png");
    await writeFile(photo, await pngOf(256, 256));
    await expect(comfyuiExample(server.url, photo, join(dir, "out.png"), { prompt: "x", width: 256, height: 256 })).rejects.toMatchObject({
      code: "NO_FACE",
    });
  });
});
