import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildInstantIdWorkflow, findWorkflowProblems, type ApiPrompt, type ObjectInfo } from "../../../adapters/comfyui/index.js";
import { serverObjectInfo, validatePrompt } from "../../mocks/comfy-validate.js";

const snapshot = JSON.parse(readFileSync(new URL("../../../adapters/comfyui/object-info.json", import.meta.url), "utf8")) as ObjectInfo;
const models = {
  checkpoint: "sd_xl_base_1.0.safetensors",
  instantIdModel: "ip-adapter.bin",
  controlNetModel: "instantid/diffusion_pytorch_model.safetensors",
};
const options = { ...models, prompt: "a portrait", negativePrompt: "blurry", width: 768, height: 1024, steps: 20, cfg: 4.5, seed: 9 };
const uploads = ["face1.png", "kps1.png", "mask1.png", "face2.png", "kps2.png", "mask2.png"];

function byClass(prompt: ApiPrompt, classType: string) {
  return Object.entries(prompt).filter(([, node]) => node.class_type === classType);
}

describe("buildInstantIdWorkflow", () => {
  it("wires one identity through ApplyInstantIDAdvanced with our keypoint image", () => {
    const prompt = buildInstantIdWorkflow(options, [
      { image: "face1.png", keypoints: "kps1.png", adapterScale: 0.7, identityNetScale: 0.5 },
    ]);
    const [[, apply]] = byClass(prompt, "ApplyInstantIDAdvanced");
    expect(apply.inputs).toMatchObject({ ip_weight: 0.7, cn_strength: 0.5, start_at: 0, end_at: 1, noise: 0, combine_embeds: "average" });
    const kps = apply.inputs.image_kps as [string, number];
    expect(prompt[kps[0]]).toEqual({ class_type: "LoadImage", inputs: { image: "kps1.png" } });
    expect(apply.inputs.mask).toBeUndefined();
    const [[, sampler]] = byClass(prompt, "KSampler");
    expect(sampler.inputs).toMatchObject({ seed: 9, steps: 20, cfg: 4.5, sampler_name: "euler", scheduler: "normal", denoise: 1 });
    expect(byClass(prompt, "EmptyLatentImage")[0][1].inputs).toEqual({ width: 768, height: 1024, batch_size: 1 });
  });

  it("produces a workflow the server's validation accepts and the object_info check finds sound", () => {
    const prompt = buildInstantIdWorkflow(options, [{ image: "face1.png", keypoints: "kps1.png" }]);
    const info = serverObjectInfo(snapshot, uploads);
    expect(findWorkflowProblems(prompt, info)).toEqual([]);
    expect(validatePrompt(prompt, info)).toBeUndefined();
  });

  it("chains the apply nodes on the model, gives each the text conditionings and combines their outputs, each with its mask", () => {
    const prompt = buildInstantIdWorkflow(options, [
      { image: "face1.png", keypoints: "kps1.png", mask: "mask1.png" },
      { image: "face2.png", keypoints: "kps2.png", mask: "mask2.png" },
    ]);
    const applies = byClass(prompt, "ApplyInstantIDAdvanced");
    expect(applies).toHaveLength(2);
    const [[firstId, first], [secondId, second]] = applies;
    expect(second.inputs.model).toEqual([firstId, 0]);
    // An apply node overwrites its conditioning's mask and ControlNet tokens, so each starts from the text.
    expect(second.inputs.positive).toEqual(first.inputs.positive);
    expect(second.inputs.negative).toEqual(first.inputs.negative);
    expect(prompt[(first.inputs.positive as [string, number])[0]].class_type).toBe("CLIPTextEncode");
    const masks = applies.map(([, node]) => prompt[(node.inputs.mask as [string, number])[0]].inputs);
    expect(masks).toEqual([
      { image: "mask1.png", channel: "red" },
      { image: "mask2.png", channel: "red" },
    ]);
    const [[, sampler]] = byClass(prompt, "KSampler");
    expect(sampler.inputs.model).toEqual([secondId, 0]);
    const combined = (link: unknown) => prompt[(link as [string, number])[0]];
    expect(combined(sampler.inputs.positive)).toEqual({
      class_type: "ConditioningCombine",
      inputs: { conditioning_1: [firstId, 1], conditioning_2: [secondId, 1] },
    });
    expect(combined(sampler.inputs.negative)).toEqual({
      class_type: "ConditioningCombine",
      inputs: { conditioning_1: [firstId, 2], conditioning_2: [secondId, 2] },
    });
    expect(findWorkflowProblems(prompt, serverObjectInfo(snapshot, uploads))).toEqual([]);
    expect(validatePrompt(prompt, serverObjectInfo(snapshot, uploads))).toBeUndefined();
  });

  it("encodes an identity's region prompt joined to the shared one as that identity's positive conditioning", () => {
    const prompt = buildInstantIdWorkflow(options, [
      { image: "face1.png", mask: "mask1.png", prompt: "red hat" },
      { image: "face2.png", mask: "mask2.png" },
    ]);
    const [[, first], [, second]] = byClass(prompt, "ApplyInstantIDAdvanced");
    const textOf = (link: unknown) => prompt[(link as [string, number])[0]].inputs.text;
    expect(textOf(first.inputs.positive)).toBe("a portrait, red hat");
    expect(textOf(second.inputs.positive)).toBe("a portrait");
  });

  it("refuses several identities without masks", () => {
    expect(() => buildInstantIdWorkflow(options, [{ image: "face1.png" }, { image: "face2.png" }])).toThrow(
      /Identity 1 of 2 has no region mask/,
    );
  });
});

describe("findWorkflowProblems and the mock's validatePrompt", () => {
  const info = serverObjectInfo(snapshot, uploads);
  const good = () => buildInstantIdWorkflow(options, [{ image: "face1.png" }]);

  it("both reject a link to a node that does not exist", () => {
    const prompt = good();
    const [[, sampler]] = byClass(prompt, "KSampler");
    sampler.inputs.latent_image = ["999", 0];
    expect(findWorkflowProblems(prompt, info)[0].message).toContain("node 999, which is not in the workflow");
    expect(validatePrompt(prompt, info)?.error.type).toBe("prompt_outputs_failed_validation");
  });

  it("both reject a link of the wrong type", () => {
    const prompt = good();
    const [[, sampler]] = byClass(prompt, "KSampler");
    sampler.inputs.latent_image = sampler.inputs.positive;
    expect(findWorkflowProblems(prompt, info)[0].message).toContain("wants a LATENT but");
    const failure = validatePrompt(prompt, info)!;
    expect(Object.values(failure.node_errors)[0].errors[0].type).toBe("return_type_mismatch");
  });

  it("both reject a model or image the server does not offer, the check calling it a missing file", () => {
    const prompt = buildInstantIdWorkflow({ ...options, controlNetModel: "nope.safetensors" }, [{ image: "unknown.png" }]);
    const problems = findWorkflowProblems(prompt, info);
    expect(problems.map((p) => p.missingFile)).toEqual([true, true]);
    const errors = Object.values(validatePrompt(prompt, info)!.node_errors).flatMap((e) => e.errors);
    expect(errors.map((e) => e.type)).toEqual(["value_not_in_list", "value_not_in_list"]);
  });

  it("both reject out-of-range numbers, unknown inputs and unknown node classes", () => {
    const prompt = good();
    const [[, sampler]] = byClass(prompt, "KSampler");
    sampler.inputs.steps = 0;
    sampler.inputs.stepz = 3;
    expect(findWorkflowProblems(prompt, info).map((p) => p.message)).toEqual([
      "input stepz does not exist (known: model, seed, steps, cfg, sampler_name, scheduler, positive, negative, latent_image, denoise)",
      "steps 0 is below the minimum 1",
    ]);
    expect(validatePrompt(prompt, info)).toBeDefined();
    const { InstantIDModelLoader: _, ...withoutPack } = info;
    expect(findWorkflowProblems(good(), withoutPack)[0].message).toContain("install cubiq/ComfyUI_InstantID");
    expect(validatePrompt(good(), withoutPack)?.error.message).toBe("Cannot execute because node InstantIDModelLoader does not exist.");
  });
});
