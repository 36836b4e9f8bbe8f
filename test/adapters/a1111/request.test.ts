import { describe, expect, it } from "vitest";
import { assumedCapabilities, buildGenerationRequest, type ControlNetUnit, type IdentitySpec } from "../../../adapters/a1111/index.js";
import { pngOf, texturedPng } from "../../mocks/image-check.js";

const options = { prompt: "a portrait", width: 768, height: 1024, steps: 20, cfgScale: 5, seed: 42 };

async function identity(extra: Partial<IdentitySpec> = {}): Promise<IdentitySpec> {
  return { face: { photo: await texturedPng() }, ipScale: 0.8, cnScale: 0.6, guidanceStart: 0, guidanceEnd: 1, ...extra };
}

function unitsOf(body: Record<string, unknown>): ControlNetUnit[] {
  return (body.alwayson_scripts as { controlnet: { args: ControlNetUnit[] } }).controlnet.args;
}

describe("buildGenerationRequest", () => {
  it("puts the Image Adapter unit immediately before the IdentityNet unit, weights being the two scales", async () => {
    const body = await buildGenerationRequest(options, [await identity()], assumedCapabilities("a1111"));
    const [adapter, net] = unitsOf(body);
    expect(adapter).toMatchObject({ enabled: true, module: "instant_id_face_embedding", model: "ip-adapter_instant_id_sdxl", weight: 0.8 });
    expect(net).toMatchObject({ enabled: true, module: "instant_id_face_keypoints", model: "control_instant_id_sdxl", weight: 0.6, resize_mode: "Crop and Resize", control_mode: "Balanced" });
    expect(body).toMatchObject({ prompt: "a portrait", width: 768, height: 1024, steps: 20, cfg_scale: 5, seed: 42 });
  });

  it("sends a local analysis as ipadapter_input and the keypoint image with module none", async () => {
    const keypointImage = await pngOf(768, 1024, 0);
    const embedding = new Float32Array(512).fill(0.5);
    const seen: Float32Array[] = [];
    const face = { photo: await texturedPng(), analysis: { embedding, keypointImage } };
    const body = await buildGenerationRequest(options, [await identity({ face })], assumedCapabilities("a1111"), (e) => (seen.push(e), "QkxPQg=="));
    const [adapter, net] = unitsOf(body);
    expect(adapter.ipadapter_input).toEqual(["QkxPQg=="]);
    expect(adapter.image).toBeUndefined();
    expect(seen[0]).toBe(embedding);
    expect(net.module).toBe("none");
    expect(net.image).toBe(keypointImage.toString("base64"));
    expect(net.resize_mode).toBe("Just Resize"); // drawn at the generation size: never cropped
  });

  it("sends the photo to Forge even with a local analysis, since Forge has no ipadapter_input", async () => {
    const face = { photo: await texturedPng(), analysis: { embedding: new Float32Array(512), keypointImage: await pngOf(768, 1024, 0) } };
    const [adapter] = unitsOf(await buildGenerationRequest(options, [await identity({ face })], assumedCapabilities("forge"), () => "unused"));
    expect(adapter.module).toBe("InsightFace (InstantID)");
    expect(adapter.ipadapter_input).toBeUndefined();
    expect(adapter.image).toBe(face.photo.toString("base64"));
  });

  it("emits one unit pair per identity, each with its effective_region_mask", async () => {
    const left = await pngOf(768, 1024, 255);
    const right = await pngOf(768, 1024, 0);
    const body = await buildGenerationRequest(options, [await identity({ mask: left }), await identity({ mask: right, ipScale: 0.5 })], assumedCapabilities("a1111"));
    const units = unitsOf(body);
    expect(units.map((u) => u.model)).toEqual(["ip-adapter_instant_id_sdxl", "control_instant_id_sdxl", "ip-adapter_instant_id_sdxl", "control_instant_id_sdxl"]);
    expect(units.map((u) => u.effective_region_mask)).toEqual([left, left, right, right].map((m) => m.toString("base64")));
    expect(units[2].weight).toBe(0.5);
  });

  it("gives Forge each identity's region as mask_image (it has no effective_region_mask), the Image Adapter unit resized plainly so the region stays put", async () => {
    const left = await pngOf(768, 1024, 255);
    const right = await pngOf(768, 1024, 0);
    const units = unitsOf(await buildGenerationRequest(options, [await identity({ mask: left }), await identity({ mask: right })], assumedCapabilities("forge")));
    expect(units.map((u) => u.mask_image)).toEqual([left, left, right, right].map((m) => m.toString("base64")));
    expect(units.every((u) => u.effective_region_mask === undefined)).toBe(true);
    expect(units.map((u) => u.resize_mode)).toEqual(["Just Resize", "Crop and Resize", "Just Resize", "Crop and Resize"]);
  });

  it("refuses several identities without masks, naming the one that lacks it", async () => {
    const both = [await identity(), await identity()];
    await expect(buildGenerationRequest(options, both, assumedCapabilities("a1111"))).rejects.toThrow(/Identity 1 of 2 has no region mask/);
  });

  it("uses SD.Next's face object in InstantID mode", async () => {
    const body = await buildGenerationRequest(options, [await identity()], assumedCapabilities("sdnext"));
    expect(body.alwayson_scripts).toBeUndefined();
    expect(body.face).toMatchObject({ mode: "InstantID", id_strength: 0.8, id_conditioning: 0.6 });
  });

  it("refuses a pose photo for SD.Next, whose face script draws the keypoints from the face photo itself", async () => {
    const posed = await identity({ face: { photo: await texturedPng(), pose: await pngOf(64, 64) } });
    await expect(buildGenerationRequest(options, [posed], assumedCapabilities("sdnext"))).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringMatching(/takes no pose photo/) });
  });

  it("targets img2img with init_images when a start image is given", async () => {
    const body = await buildGenerationRequest({ ...options, initImage: await pngOf(64, 64), denoisingStrength: 0.4 }, [await identity()], assumedCapabilities("a1111"));
    expect(body.init_images).toHaveLength(1);
    expect(body.denoising_strength).toBe(0.4);
  });

  it("rejects sizes that are not multiples of 8 at the boundary", async () => {
    const one = [await identity()];
    await expect(buildGenerationRequest({ ...options, width: 1000.5 }, one, assumedCapabilities("a1111"))).rejects.toThrow(/width/);
    await expect(buildGenerationRequest({ ...options, width: 1020 }, one, assumedCapabilities("a1111"))).rejects.toThrow(/multiple of 8/);
  });
});
