import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createIdentity, loadImage, saveIdentity, type FiveKeypoints } from "../../core/index.js";
import { a1111Example } from "../../examples/a1111-bridge.js";
import { tempDir } from "../helpers/shared.js";
import { startMockA1111, type MockA1111 } from "../mocks/a1111-server.js";

const KPS: FiveKeypoints = [
  [100, 120],
  [160, 120],
  [130, 150],
  [105, 180],
  [155, 180],
];
const embedding = Float32Array.from({ length: 512 }, (_, i) => 2 * Math.sin(i));
let server: MockA1111 | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Unit {
  module: string;
  image?: string;
  ipadapter_input?: string[];
}

describe("examples/a1111-bridge.ts", () => {
  it("sends an identity file as ipadapter_input plus a keypoint image scaled to the canvas, and saves the image with its info", async () => {
    server = await startMockA1111({ stepMs: 2 });
    const dir = await tempDir();
    const identityPath = join(dir, "person.identity.safetensors");
    await saveIdentity(identityPath, createIdentity([{ embedding, kps: KPS, width: 256, height: 256 }]));

    const written = await a1111Example(server.url, identityPath, join(dir, "out.png"), {
      prompt: "a watercolor portrait",
      width: 512,
      height: 512,
      steps: 4,
    });

    expect(written).toEqual([join(dir, "out.png")]);
    expect((await loadImage(written[0])).width).toBe(512);
    expect(JSON.parse(await readFile(join(dir, "out.json"), "utf8")).prompt).toBe("a watercolor portrait");
    expect(server.generations).toHaveLength(1);
    expect([...server.embeddings[0]]).toEqual([...embedding]);
    const [adapterUnit, identityNetUnit] = (server.generations[0].alwayson_scripts as { controlnet: { args: Unit[] } }).controlnet.args;
    expect(adapterUnit.module).toBe("instant_id_face_embedding");
    expect(adapterUnit.image).toBeUndefined(); // no photo leaves the machine
    expect(identityNetUnit.module).toBe("none");
    const kps = await loadImage(Buffer.from(identityNetUnit.image!, "base64"));
    const at = (x: number, y: number) => [...kps.data.subarray((y * kps.width + x) * 3, (y * kps.width + x) * 3 + 3)];
    expect([kps.width, kps.height]).toEqual([512, 512]);
    expect(at(200, 240)).toEqual([255, 0, 0]); // the left eye at (100, 120) of a 256² photo, on a 512² canvas
    expect(at(260, 300)).toEqual([0, 0, 255]); // the nose
  });
});
