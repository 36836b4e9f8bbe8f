import { afterEach, describe, expect, it } from "vitest";
import {
  a1111RequestFromComposition,
  a1111RequestFromIdentity,
  assumedCapabilities,
  createA1111Client,
  joinedPrompt,
  serverEmbedding,
  type ControlNetUnit,
} from "../../../adapters/a1111/index.js";
import { createComposition, createIdentity, loadImage, type FiveKeypoints } from "../../../core/index.js";
import { texturedPng } from "../../mocks/image-check.js";
import { startMockA1111, type MockA1111 } from "../../mocks/a1111-server.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);
const face = (x: number, y = 100): FiveKeypoints => [
  [x, y],
  [x + 40, y],
  [x + 20, y + 20],
  [x + 5, y + 40],
  [x + 35, y + 40],
];
const unitsOf = (body: Record<string, unknown>) => (body.alwayson_scripts as { controlnet: { args: ControlNetUnit[] } }).controlnet.args;
const pixel = (image: { width: number; data: Uint8Array }, x: number, y: number) => [
  ...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3),
];
const a1111 = assumedCapabilities("a1111");

function twoPeople() {
  return createComposition({
    width: 512,
    height: 256,
    prompt: "two friends",
    negativePrompt: "blurry",
    identities: [
      {
        identity: person(1),
        keypoints: { points: face(60) },
        region: { rect: [0, 0, 256, 256] },
        adapterScale: 0.7,
        identityNetScale: 0.6,
        end: 0.5,
        prompt: "red hat",
      },
      { identity: person(2), keypoints: { points: face(320) }, region: { rect: [256, 0, 512, 256] } },
    ],
  });
}

let server: MockA1111 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("a1111RequestFromComposition", () => {
  it(
    "gives each identity its unit pair: embedding, own keypoint image, strengths as weights, IdentityNet window (the adapter " +
      "unit always on) and region mask",
    async () => {
      const body = await a1111RequestFromComposition(twoPeople(), { server: a1111, steps: 20, cfgScale: 5, seed: 7 });
      expect(body).toMatchObject({
        prompt: "two friends, red hat",
        negative_prompt: "blurry",
        width: 512,
        height: 256,
        steps: 20,
        seed: 7,
      });
      const units = unitsOf(body);
      expect(units.map((u) => [u.module, u.weight, u.guidance_start, u.guidance_end])).toEqual([
        ["instant_id_face_embedding", 0.7, 0, 1],
        ["none", 0.6, 0, 0.5],
        ["instant_id_face_embedding", 0.8, 0, 1],
        ["none", 0.8, 0, 1],
      ]);
      expect(units[0].ipadapter_input).toHaveLength(1);
      expect(units[0].effective_region_mask).toBe(units[1].effective_region_mask);
      expect(units[0].effective_region_mask).not.toBe(units[2].effective_region_mask);
      const mask = await loadImage(Buffer.from(units[2].effective_region_mask!, "base64"));
      expect([mask.data[0], mask.data[300 * 3]]).toEqual([0, 255]); // identity 2: right half
      const kps = await loadImage(Buffer.from(units[1].image!, "base64"));
      expect(pixel(kps, 60, 100)).toEqual([255, 0, 0]);
      expect(units[3].image).not.toBe(units[1].image);
    },
  );

  it("is taken by a mock sd-webui-controlnet with four unit slots, which receives each identity's embedding", async () => {
    server = await startMockA1111({ stepMs: 1, unitCount: 4 });
    const client = createA1111Client({ baseUrl: server.url });
    const body = await a1111RequestFromComposition(twoPeople(), { server: await client.detect(), steps: 3, seed: 1 });
    const { images } = await client.generate(body);
    expect(images).toHaveLength(1);
    expect(server.embeddings.map((e) => e[0])).toEqual([1, 2]);
    expect(server.usedUnits[0]).toHaveLength(4);
  });

  it("sends no mask for a single identity, a concat identity's references together, and the photos for servers that analyse faces", async () => {
    const identity = createIdentity([{ embedding: new Float32Array(512).fill(1) }, { embedding: new Float32Array(512).fill(3) }], {
      combine: "concat",
    });
    const single = createComposition({ width: 256, height: 256, prompt: "p", identities: [{ identity }] });
    const units = unitsOf(await a1111RequestFromComposition(single, { server: a1111 }));
    expect(units.every((u) => u.effective_region_mask === undefined)).toBe(true);
    expect(serverEmbedding(identity)).toHaveLength(2);
    expect(Array.from((serverEmbedding({ ...identity, combine: "average" }) as Float32Array).subarray(0, 2))).toEqual([2, 2]);
    const photo = await texturedPng();
    const forge = { ...assumedCapabilities("a1111"), flavour: "forge" as const, acceptsEmbeddingInput: false, passThroughModule: "None" };
    const [adapter] = unitsOf(await a1111RequestFromComposition(single, { server: forge, photos: [photo] }));
    expect(adapter.image).toBe(photo.toString("base64"));
  });

  it("checks its options at the boundary: strengths past sd-webui-controlnet's unit weight 2, unknown settings", async () => {
    const strong = createComposition({ width: 256, height: 256, prompt: "p", identities: [{ identity: person(1), adapterScale: 3 }] });
    await expect(a1111RequestFromComposition(strong, { server: a1111 })).rejects.toThrow(/adapterScale: must be at most 2/);
    await expect(a1111RequestFromComposition(twoPeople(), { server: a1111, steps: 0 })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(a1111RequestFromComposition(twoPeople(), {} as never)).rejects.toThrow(/server: .*detect/);
  });

  it("joinedPrompt appends each region prompt to the shared one", () => {
    expect(joinedPrompt("two people", twoPeople().identities)).toBe("two people, red hat");
  });
});

describe("a1111RequestFromIdentity", () => {
  const recorded = createIdentity([{ embedding: new Float32Array(512).fill(0.5), kps: face(100, 120), width: 256, height: 256 }]);

  it(
    "draws the identity's keypoints where its photo had the face, fitted onto the canvas, and sends its embedding with the " + "strengths",
    async () => {
      const body = await a1111RequestFromIdentity(recorded, {
        server: a1111,
        prompt: "a watercolor portrait",
        width: 512,
        height: 512,
        adapterScale: 0.5,
        identityNetScale: 0.9,
        end: 0.8,
      });
      expect(body).toMatchObject({ prompt: "a watercolor portrait", width: 512, height: 512, steps: 30, cfg_scale: 5, seed: -1 });
      const [adapter, net] = unitsOf(body);
      expect([adapter.weight, adapter.guidance_start, adapter.guidance_end, adapter.image]).toEqual([0.5, 0, 1, undefined]);
      expect([net.module, net.weight, net.guidance_end, net.resize_mode]).toEqual(["none", 0.9, 0.8, "Just Resize"]);
      const kps = await loadImage(Buffer.from(net.image!, "base64"));
      expect(pixel(kps, 200, 240)).toEqual([255, 0, 0]); // the left eye at (100, 120) of a 256² photo, on a 512² canvas
    },
  );

  it("takes canvas keypoints (e.g. a pose photo's face) instead, and the defaults 0.8 for both strengths", async () => {
    const [adapter, net] = unitsOf(
      await a1111RequestFromIdentity(recorded, { server: a1111, prompt: "p", width: 256, height: 256, keypoints: face(10, 10) }),
    );
    expect([adapter.weight, net.weight]).toEqual([0.8, 0.8]);
    expect(pixel(await loadImage(Buffer.from(net.image!, "base64")), 10, 10)).toEqual([255, 0, 0]);
  });

  it("is taken by the mock SD.Next face script with the photo and both strengths", async () => {
    server = await startMockA1111({ flavour: "sdnext", stepMs: 1 });
    const client = createA1111Client({ baseUrl: server.url });
    const body = await a1111RequestFromIdentity(recorded, {
      server: await client.detect(),
      prompt: "p",
      width: 256,
      height: 256,
      steps: 2,
      adapterScale: 0.6,
      identityNetScale: 0.7,
      photo: await texturedPng(),
    });
    await client.generate(body);
    expect(server.faceRuns[0]).toMatchObject({ mode: "InstantID", id_strength: 0.6, id_conditioning: 0.7 });
  });

  it("refuses a strength out of the SDK's bounds", async () => {
    await expect(a1111RequestFromIdentity(recorded, { server: a1111, prompt: "p", identityNetScale: -1 })).rejects.toThrow(
      /identityNetScale/,
    );
  });
});
