import { describe, expect, it } from "vitest";
import {
  assumedCapabilities,
  buildGenerationRequest,
  faceScriptFromInfo,
  type ControlNetUnit,
  type IdentitySpec,
} from "../../../adapters/a1111/index.js";
import { pngOf, texturedPng } from "../../mocks/image-check.js";
import { runFaceScript, sdNextScriptInfo } from "../../mocks/sdnext-face.js";

const options = { prompt: "a portrait", width: 768, height: 1024, steps: 20, cfgScale: 5, seed: 42 };

async function identity(extra: Partial<IdentitySpec> = {}): Promise<IdentitySpec> {
  return { face: { photo: await texturedPng() }, adapterScale: 0.8, identityNetScale: 0.6, guidanceStart: 0, guidanceEnd: 1, ...extra };
}

function unitsOf(body: Record<string, unknown>): ControlNetUnit[] {
  return (body.alwayson_scripts as { controlnet: { args: ControlNetUnit[] } }).controlnet.args;
}

describe("buildGenerationRequest", () => {
  it("puts the Image Adapter unit immediately before the IdentityNet unit, weights being the two scales", async () => {
    const body = await buildGenerationRequest(options, [await identity()], assumedCapabilities("a1111"));
    const [adapter, net] = unitsOf(body);
    expect(adapter).toMatchObject({ enabled: true, module: "instant_id_face_embedding", model: "ip-adapter_instant_id_sdxl", weight: 0.8 });
    expect(net).toMatchObject({
      enabled: true,
      module: "instant_id_face_keypoints",
      model: "control_instant_id_sdxl",
      weight: 0.6,
      resize_mode: "Resize and Fill",
      control_mode: "Balanced",
    });
    expect(body).toMatchObject({ prompt: "a portrait", width: 768, height: 1024, steps: 20, cfg_scale: 5, seed: 42 });
  });

  it("sends a local analysis as ipadapter_input and the keypoint image with module none", async () => {
    const keypointImage = await pngOf(768, 1024, 0);
    const embedding = new Float32Array(512).fill(0.5);
    const seen: Float32Array[] = [];
    const face = { photo: await texturedPng(), analysis: { embedding, keypointImage } };
    const body = await buildGenerationRequest(
      options,
      [await identity({ face })],
      assumedCapabilities("a1111"),
      (e) => (seen.push(e), "QkxPQg=="),
    );
    const [adapter, net] = unitsOf(body);
    expect(adapter.ipadapter_input).toEqual(["QkxPQg=="]);
    expect(adapter.image).toBeUndefined();
    expect(seen[0]).toBe(embedding);
    expect(net.module).toBe("none");
    expect(net.image).toBe(keypointImage.toString("base64"));
    expect(net.resize_mode).toBe("Just Resize"); // drawn at the generation size: never cropped
  });

  it(
    "sends the photo to Forge even with a local analysis, since Forge has no ipadapter_input, and the keypoint image with " +
      "Forge's own None",
    async () => {
      const face = { photo: await texturedPng(), analysis: { embedding: new Float32Array(512), keypointImage: await pngOf(768, 1024, 0) } };
      const [adapter, net] = unitsOf(
        await buildGenerationRequest(options, [await identity({ face })], assumedCapabilities("forge"), () => "unused"),
      );
      expect(adapter.module).toBe("InsightFace (InstantID)");
      expect(adapter.ipadapter_input).toBeUndefined();
      expect(adapter.image).toBe(face.photo.toString("base64"));
      expect(net.module).toBe("None"); // modules_forge/supported_preprocessor.py registers "None"; the lookup is exact
    },
  );

  it("sends a concat identity's embeddings as one blob, the Resampler's [1, N, 512] input, not one averaged blob each", async () => {
    const embedding = [new Float32Array(512).fill(1), new Float32Array(512).fill(2)];
    const seen: Float32Array[] = [];
    const face = { analysis: { embedding, keypointImage: await pngOf(768, 1024, 0) } };
    const [adapter] = unitsOf(
      await buildGenerationRequest(options, [await identity({ face })], assumedCapabilities("a1111"), (e) => (seen.push(e), "QkxPQg==")),
    );
    expect(adapter.ipadapter_input).toEqual(["QkxPQg=="]);
    expect(seen).toHaveLength(1);
    expect([...seen[0]]).toEqual([...embedding[0], ...embedding[1]]);
  });

  it("refuses more units than the server's reported control_net_unit_count, naming the setting and the restart", async () => {
    const two = [await identity({ mask: await pngOf(768, 1024, 255) }), await identity({ mask: await pngOf(768, 1024, 0) })];
    const error = await buildGenerationRequest(options, two, { ...assumedCapabilities("a1111"), unitSlots: 3 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SERVER_SETTING", details: { setting: "control_net_unit_count", needed: 4, available: 3 } });
    expect((error as Error).message).toMatch(/control_net_unit_count\) to at least 4 in Settings > ControlNet, then restart the server/);
    expect(unitsOf(await buildGenerationRequest(options, two, { ...assumedCapabilities("a1111"), unitSlots: 4 }))).toHaveLength(4);
  });

  it("emits one unit pair per identity, each with its effective_region_mask", async () => {
    const left = await pngOf(768, 1024, 255);
    const right = await pngOf(768, 1024, 0);
    const body = await buildGenerationRequest(
      options,
      [await identity({ mask: left }), await identity({ mask: right, adapterScale: 0.5 })],
      assumedCapabilities("a1111"),
    );
    const units = unitsOf(body);
    expect(units.map((u) => u.model)).toEqual([
      "ip-adapter_instant_id_sdxl",
      "control_instant_id_sdxl",
      "ip-adapter_instant_id_sdxl",
      "control_instant_id_sdxl",
    ]);
    expect(units.map((u) => u.effective_region_mask)).toEqual([left, left, right, right].map((m) => m.toString("base64")));
    expect(units[2].weight).toBe(0.5);
  });

  it(
    "gives Forge a region as mask_image (it has no effective_region_mask), the Image Adapter unit resized plainly so the region " +
      "stays put",
    async () => {
      const left = await pngOf(768, 1024, 255);
      const units = unitsOf(await buildGenerationRequest(options, [await identity({ mask: left })], assumedCapabilities("forge")));
      expect(units.map((u) => u.mask_image)).toEqual([left, left].map((m) => m.toString("base64")));
      expect(units.every((u) => u.effective_region_mask === undefined)).toBe(true);
      expect(units.map((u) => u.resize_mode)).toEqual(["Just Resize", "Resize and Fill"]);
    },
  );

  it(
    "refuses several identities on Forge, whose InstantID units all feed the last face to every IdentityNet, naming the " + "alternatives",
    async () => {
      const two = [await identity({ mask: await pngOf(768, 1024, 255) }), await identity({ mask: await pngOf(768, 1024, 0) })];
      const error = await buildGenerationRequest(options, two, assumedCapabilities("forge")).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "INVALID_OPTION" });
      expect((error as Error).message).toMatch(
        /cross-attention input of every ControlNet.*A1111 with sd-webui-controlnet, ComfyUI.*local runner/,
      );
    },
  );

  it("refuses several identities without masks, naming the one that lacks it", async () => {
    const both = [await identity(), await identity()];
    await expect(buildGenerationRequest(options, both, assumedCapabilities("a1111"))).rejects.toThrow(/Identity 1 of 2 has no region mask/);
  });

  it(
    "sends SD.Next's face script its own arguments in its order, so InstantID gets the two scales (current SD.Next, 17 " + "arguments)",
    async () => {
      const body = await buildGenerationRequest(options, [await identity()], assumedCapabilities("sdnext"));
      expect(body.alwayson_scripts).toBeUndefined();
      expect(body.face).toBeUndefined();
      expect(body.script_name).toBe("face");
      expect(runFaceScript(body, 17)).toMatchObject({ mode: "InstantID", id_strength: 0.8, id_conditioning: 0.6, id_cache: true });
    },
  );

  it(
    "keeps the face object for a server whose face script takes the 14 arguments the API builds from it, and follows the layout " +
      "script-info reports",
    async () => {
      for (const version of [14, 16, 17] as const) {
        const server = { ...assumedCapabilities("sdnext"), faceScript: faceScriptFromInfo(sdNextScriptInfo(version), "http://sdnext") };
        const body = await buildGenerationRequest(options, [await identity()], server);
        expect(body.face !== undefined).toBe(version === 14);
        expect(runFaceScript(body, version)).toMatchObject({ mode: "InstantID", id_strength: 0.8, id_conditioning: 0.6 });
      }
    },
  );

  it(
    "reads an empty script list (API-only servers list scripts after their first generation) as current SD.Next, and refuses a " +
      "layout without InstantID's group",
    () => {
      expect(faceScriptFromInfo([], "http://sdnext")).toMatchObject({ kind: "script-args", at: { conditioning: 10 } });
      const odd = [
        {
          name: "face: multiple id transfers",
          is_img2img: false,
          args: [
            { label: "Mode", value: "None" },
            { label: "", value: [] },
            { label: "Weight", value: 1 },
          ],
        },
      ];
      expect(() => faceScriptFromInfo(odd, "http://sdnext")).toThrow(
        expect.objectContaining({ code: "SERVER", message: expect.stringMatching(/Strength\/Control\/Cache model group was not found/) }),
      );
    },
  );

  it("the face object alone would put id_conditioning into ip_structure on current SD.Next (what the script-args path avoids)", () => {
    const face = { mode: "InstantID", source_images: ["x"], id_strength: 0.8, id_conditioning: 0.6 };
    expect(() => runFaceScript({ face }, 17)).toThrow(/could not convert string to float: 'person'/);
  });

  it("refuses a pose photo for SD.Next, whose face script draws the keypoints from the face photo itself", async () => {
    const posed = await identity({ face: { photo: await texturedPng(), pose: await pngOf(64, 64) } });
    await expect(buildGenerationRequest(options, [posed], assumedCapabilities("sdnext"))).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringMatching(/takes no pose photo/),
    });
  });

  it("targets img2img with init_images when a start image is given", async () => {
    const body = await buildGenerationRequest(
      { ...options, initImage: await pngOf(64, 64), denoisingStrength: 0.4 },
      [await identity()],
      assumedCapabilities("a1111"),
    );
    expect(body.init_images).toHaveLength(1);
    expect(body.denoising_strength).toBe(0.4);
  });

  it("rejects sizes that are not multiples of 8 at the boundary", async () => {
    const one = [await identity()];
    await expect(buildGenerationRequest({ ...options, width: 1000.5 }, one, assumedCapabilities("a1111"))).rejects.toThrow(/width/);
    await expect(buildGenerationRequest({ ...options, width: 1020 }, one, assumedCapabilities("a1111"))).rejects.toThrow(/multiple of 8/);
  });
});
