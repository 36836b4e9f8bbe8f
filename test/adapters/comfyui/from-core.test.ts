import { afterEach, describe, expect, it } from "vitest";
import {
  chooseModels,
  comfyWorkflowFromComposition,
  comfyWorkflowFromIdentity,
  contentName,
  createComfyClient,
  objectInfoSnapshot,
  uncoveredPixels,
  uploadPlacer,
  type ApiPrompt,
  type ComfyPlacer,
} from "../../../adapters/comfyui/index.js";
import { createComposition, createIdentity, loadImage, type FiveKeypoints } from "../../../core/index.js";
import { startMockComfy, type MockComfy } from "../../mocks/comfyui-server.js";
import { texturedPng } from "../../mocks/image-check.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }], { combine: "norm average" });
const face = (x: number, y = 100): FiveKeypoints => [
  [x, y],
  [x + 40, y],
  [x + 20, y + 20],
  [x + 5, y + 40],
  [x + 35, y + 40],
];
const byClass = (prompt: ApiPrompt, type: string) => Object.values(prompt).filter((n) => n.class_type === type);
const loaded = (prompt: ApiPrompt, link: unknown) => prompt[(link as [string, number])[0]].inputs.image as string;
const models = chooseModels(objectInfoSnapshot);
const photos = [
  { data: new Uint8Array([1]), extension: ".jpg" },
  { data: new Uint8Array([2]), extension: ".jpg" },
];

function twoPeople() {
  return createComposition({
    width: 512,
    height: 256,
    prompt: "two friends",
    identities: [
      {
        identity: person(1),
        keypoints: { points: face(60) },
        region: { rect: [0, 0, 256, 256] },
        adapterScale: 0.7,
        identityNetScale: 0.6,
        start: 0.1,
        prompt: "red hat",
      },
      { identity: person(2), keypoints: { points: face(320) }, region: { rect: [256, 0, 512, 256] } },
    ],
  });
}

/** A placer that keeps what it is given, named by kind and order. */
function keeper(): { place: ComfyPlacer; placed: Map<string, Uint8Array> } {
  const placed = new Map<string, Uint8Array>();
  const place: ComfyPlacer = async (data, kind, ext) => {
    const name = `${kind}-${placed.size}${ext}`;
    placed.set(name, data);
    return name;
  };
  return { place, placed };
}

let server: MockComfy | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("comfyWorkflowFromComposition", () => {
  it(
    "gives each identity an apply node: photo, own keypoint image, mask, strengths as ip_weight / cn_strength, window, noise 0, " +
      "combine mode",
    async () => {
      const { place, placed } = keeper();
      const workflow = await comfyWorkflowFromComposition(twoPeople(), { ...models, seed: 1, photos, place });
      const [first, second] = byClass(workflow, "ApplyInstantIDAdvanced");
      expect(first.inputs).toMatchObject({
        ip_weight: 0.7,
        cn_strength: 0.6,
        start_at: 0.1,
        end_at: 1,
        noise: 0,
        combine_embeds: "norm average",
      });
      expect(second.inputs).toMatchObject({ ip_weight: 0.8, cn_strength: 0.8 });
      expect([loaded(workflow, first.inputs.image), loaded(workflow, first.inputs.image_kps)]).toEqual(["face-0.jpg", "kps-1.png"]);
      const maskName = workflow[(first.inputs.mask as [string, number])[0]].inputs.image as string;
      const mask = await loadImage(Buffer.from(placed.get(maskName)!));
      expect([mask.data[0], mask.data[300 * 3]]).toEqual([255, 0]);
      const kps = await loadImage(Buffer.from(placed.get("kps-1.png")!));
      expect([...kps.data.subarray((100 * 512 + 60) * 3, (100 * 512 + 60) * 3 + 3)]).toEqual([255, 0, 0]);
    },
  );

  it("joins each apply node's conditionings for the sampler, with the region prompt in its own text encoding", async () => {
    const workflow = await comfyWorkflowFromComposition(twoPeople(), { ...models, steps: 4, seed: 1, photos, place: keeper().place });
    expect(byClass(workflow, "ConditioningCombine")).toHaveLength(2);
    expect(
      byClass(workflow, "CLIPTextEncode")
        .map((n) => n.inputs.text)
        .sort(),
    ).toEqual(["", "two friends", "two friends, red hat"]);
    expect(byClass(workflow, "EmptyLatentImage")[0].inputs).toMatchObject({ width: 512, height: 256 });
    expect(byClass(workflow, "KSampler")[0].inputs).toMatchObject({ steps: 4, seed: 1 });
  });

  it("is queued and run by the mock ComfyUI (checked against its /object_info), the images uploaded under content names", async () => {
    server = await startMockComfy({ stepMs: 1 });
    const client = createComfyClient({ baseUrl: server.url });
    const faces = [
      { data: await texturedPng(64, 64), extension: ".png" },
      { data: await texturedPng(80, 64), extension: ".png" },
    ];
    const workflow = await comfyWorkflowFromComposition(twoPeople(), {
      ...chooseModels(await client.objectInfo()),
      steps: 2,
      seed: 3,
      photos: faces,
      place: uploadPlacer(client),
    });
    const result = await client.run(workflow);
    expect(result.images).toHaveLength(1);
    expect(server.uploads.size).toBe(6);
    expect(server.uploads.has(contentName(faces[0].data, "face", ".png"))).toBe(true);
  });

  it("refuses a composition without one photo per identity, and a strength past the pack's ip_weight 3", async () => {
    await expect(comfyWorkflowFromComposition(twoPeople(), { ...models, seed: 1, photos: [], place: keeper().place })).rejects.toThrow(
      /one photo per identity \(2\)/,
    );
    const strong = createComposition({ width: 64, height: 64, prompt: "p", identities: [{ identity: person(1), adapterScale: 4 }] });
    await expect(
      comfyWorkflowFromComposition(strong, { ...models, seed: 1, photos: photos.slice(1), place: keeper().place }),
    ).rejects.toThrow(/adapterScale: must be at most 3/);
  });

  it("counts the pixels no region covers, for the warning", () => {
    expect(uncoveredPixels(twoPeople())).toBe(0);
    const gap = createComposition({
      width: 104,
      height: 16,
      prompt: "",
      identities: [
        { identity: person(1), region: { rect: [0, 0, 40, 16] } },
        { identity: person(2), region: { rect: [60, 0, 104, 16] } },
      ],
    });
    expect(uncoveredPixels(gap)).toBe(20 * 16);
  });
});

describe("comfyWorkflowFromIdentity", () => {
  const recorded = createIdentity([{ embedding: new Float32Array(512).fill(0.5), kps: face(100, 120), width: 256, height: 256 }], {
    combine: "concat",
  });

  it("draws the identity's keypoints where its photo had the face, with its combine mode and the strengths; no mask", async () => {
    const { place, placed } = keeper();
    const workflow = await comfyWorkflowFromIdentity(recorded, {
      ...models,
      prompt: "a watercolor portrait",
      width: 512,
      height: 512,
      seed: 9,
      adapterScale: 0.5,
      identityNetScale: 0.9,
      photo: photos[0],
      place,
    });
    const [apply] = byClass(workflow, "ApplyInstantIDAdvanced");
    expect(apply.inputs).toMatchObject({ ip_weight: 0.5, cn_strength: 0.9, combine_embeds: "concat" });
    expect(apply.inputs.mask).toBeUndefined();
    const kps = await loadImage(Buffer.from(placed.get(loaded(workflow, apply.inputs.image_kps))!));
    expect([...kps.data.subarray((240 * 512 + 200) * 3, (240 * 512 + 200) * 3 + 3)]).toEqual([255, 0, 0]); // (100, 120) of 256², on 512²
  });

  it("takes canvas keypoints instead, and the default strengths 0.8; a mock ComfyUI runs it", async () => {
    server = await startMockComfy({ stepMs: 1 });
    const client = createComfyClient({ baseUrl: server.url });
    const workflow = await comfyWorkflowFromIdentity(recorded, {
      ...chooseModels(await client.objectInfo()),
      prompt: "p",
      width: 256,
      height: 256,
      steps: 2,
      seed: 1,
      keypoints: face(10, 10),
      photo: { data: await texturedPng(), extension: ".png" },
      place: uploadPlacer(client),
    });
    const [apply] = byClass(workflow, "ApplyInstantIDAdvanced");
    expect([apply.inputs.ip_weight, apply.inputs.cn_strength]).toEqual([0.8, 0.8]);
    const kps = await loadImage(server.uploads.get(loaded(workflow, apply.inputs.image_kps))!);
    expect([...kps.data.subarray((10 * 256 + 10) * 3, (10 * 256 + 10) * 3 + 3)]).toEqual([255, 0, 0]);
    expect((await client.run(workflow)).images).toHaveLength(1);
  });
});
