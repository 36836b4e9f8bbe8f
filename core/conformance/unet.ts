import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeImageTokens, type ImageTokens } from "../image-adapter/image-tokens.js";
import { Resampler } from "../image-adapter/resampler.js";
import type { ImageAdapterWeights } from "../image-adapter/weights.js";
import { loadImageAdapter } from "../image-adapter/checkpoint.js";
import { createComposition } from "../compose/compose.js";
import { compositionPatchOptions, toLocalHooks } from "../compose/local-hooks.js";
import type { Composition } from "../compose/types.js";
import type { ConformanceKind } from "./kind.js";
import { composeHooks } from "../hooks/compose.js";
import { createImageAdapterHook } from "../instantid/image-adapter-hook.js";
import type { GenerationHook, StepContext } from "../hooks/types.js";
import { createIdentity } from "../identity/identity.js";
import { patchImageAdapter } from "../patch/patch-image-adapter.js";
import { writeSafetensors } from "../tensor/safetensors.js";
import { guidedGoldenStep, readUnetGoldenCases, type UnetGoldenCases } from "./unet-golden-cases.js";
import type { Tensor } from "../tensor/tensor.js";
import { type ControlNetModel, loadControlNet } from "../controlnet/controlnet-model.js";
import { createIdentityNetHook, type IdentityNetIdentity } from "../instantid/identitynet-hook.js";
import { loadUnet, runUnet, type UnetModel } from "../unet/unet-model.js";

type Cases = UnetGoldenCases;

/** What every case of the folder shares: the tensors, the graphs, and the Resampler's tokens. */
interface UnetCase {
  readonly dir: string;
  readonly cases: Cases;
  readonly unet: UnetModel;
  readonly identityNet: ControlNetModel;
  readonly adapter: ImageAdapterWeights;
  readonly resampler: Resampler;
  readonly a: ImageTokens;
  readonly b: ImageTokens;
  readonly patchDir: string;
}

function row(t: Tensor, r: number): Tensor {
  const size = t.data.length / t.shape[0];
  return { shape: [1, ...t.shape.slice(1)], data: t.data.subarray(r * size, (r + 1) * size) };
}

/** The single-row step of the cases: the positive row of the text conditioning. */
function positiveStep(c: Cases): StepContext {
  return {
    index: 0,
    total: 1,
    sample: c.get("sample")!,
    timestep: c.get("timestep")!,
    promptEmbeds: row(c.get("prompt_embeds")!, 1),
    textEmbeds: row(c.get("text_embeds")!, 1),
    timeIds: row(c.get("time_ids")!, 1),
  };
}

async function outWithResiduals(u: UnetCase): Promise<Tensor> {
  const hook = createIdentityNetHook({
    model: u.identityNet,
    unet: u.unet.residualInputs,
    identities: [{ faceTokens: u.a.cond, uncondFaceTokens: u.a.uncond, keypointImage: u.cases.get("kps_image")!, identityNetScale: 0.8 }],
  });
  const step = positiveStep(u.cases);
  hook.prepare({ rows: ["cond"], width: 128, height: 128, steps: 1 });
  return runUnet(u.unet, step, await hook.beforeStep(step));
}

async function patchedUnet(u: UnetCase, identities: number, masks: boolean): Promise<UnetModel> {
  const patched = await patchImageAdapter(join(u.dir, "unet.onnx"), u.adapter, { identities, masks, outDir: u.patchDir });
  return loadUnet(patched.modelPath!);
}

async function outIp(u: UnetCase): Promise<Tensor> {
  const unet = await patchedUnet(u, 1, false);
  const hook = createImageAdapterHook({ identities: [{ faceTokens: u.a.cond, uncondFaceTokens: u.a.uncond, adapterScale: 0.7 }] });
  const step = positiveStep(u.cases);
  await hook.prepare?.({ rows: ["cond"], width: 128, height: 128, steps: 1 });
  return runUnet(unet, step, await hook.beforeStep?.(step));
}

/** One guided step with IdentityNet and the image attention for each face; returns uncond, cond, cfg5. */
async function guided(u: UnetCase, faces: readonly (IdentityNetIdentity & { adapterScale: number })[], masks: boolean): Promise<Tensor[]> {
  const unet = await patchedUnet(u, faces.length, masks);
  const hooks = composeHooks(
    createIdentityNetHook({ model: u.identityNet, unet: unet.residualInputs, identities: faces }),
    createImageAdapterHook({
      identities: faces.map((f) => ({
        faceTokens: f.faceTokens,
        uncondFaceTokens: f.uncondFaceTokens,
        adapterScale: f.adapterScale,
        mask: f.mask,
      })),
    }),
  );
  return guidedStepThrough(u, unet, hooks);
}

async function guidedStepThrough(u: UnetCase, unet: UnetModel, hooks: GenerationHook): Promise<Tensor[]> {
  const step = guidedGoldenStep(u.cases);
  await hooks.prepare?.({ rows: ["uncond", "cond"], width: 128, height: 128, steps: 1 });
  const noise = await runUnet(unet, step, await hooks.beforeStep?.(step));
  const [uncond, cond] = [row(noise, 0), row(noise, 1)];
  const cfg = uncond.data.map((v, k) => v + 5 * (cond.data[k] - v));
  return [uncond, cond, { shape: uncond.shape, data: cfg }];
}

/** The two-identity case as a composition: A on the left half, B on the right, their own keypoint images and scales. */
function twoPersonComposition(u: UnetCase): Composition {
  const person = (embedding: string) => createIdentity([{ embedding: u.cases.get(embedding)!.data }]);
  return createComposition({
    width: 128,
    height: 128,
    prompt: "",
    identities: [
      {
        identity: person("face_embedding"),
        keypoints: { image: u.cases.get("kps_image")! },
        region: { mask: u.cases.get("mask_a")! },
        adapterScale: 0.8,
        identityNetScale: 0.8,
      },
      {
        identity: person("face_embedding_b"),
        keypoints: { image: u.cases.get("kps_image_b")! },
        region: { mask: u.cases.get("mask_b")! },
        adapterScale: 0.6,
        identityNetScale: 0.7,
      },
    ],
  });
}

/** multi_noise_*: the composition API end to end (createComposition, compositionPatchOptions, toLocalHooks). */
async function multiGuided(u: UnetCase): Promise<Tensor[]> {
  const composition = twoPersonComposition(u);
  const patch = compositionPatchOptions(composition);
  const unet = await patchedUnet(u, patch.identities, patch.masks);
  const { hooks } = await toLocalHooks(composition, { identityNet: u.identityNet, resampler: u.resampler, unet: unet.residualInputs });
  return guidedStepThrough(u, unet, hooks);
}

function faceA(u: UnetCase) {
  return {
    faceTokens: u.a.cond,
    uncondFaceTokens: u.a.uncond,
    keypointImage: u.cases.get("kps_image")!,
    identityNetScale: 0.8,
    adapterScale: 0.8,
  };
}

async function openCase(dir: string, patchDir: string): Promise<UnetCase> {
  const cases = await readUnetGoldenCases(dir);
  const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
  // The split of the Resampler's attention into heads is not in the weights; cases.json states it.
  const about = JSON.parse(await readFile(join(dir, "cases.json"), "utf8")) as { resampler_config?: { heads?: number } };
  const resampler = Resampler.fromWeights(adapter.imageProj, { heads: about.resampler_config?.heads });
  return {
    dir,
    cases,
    adapter,
    patchDir,
    resampler,
    unet: await loadUnet(join(dir, "unet.onnx")),
    identityNet: await loadControlNet(join(dir, "identitynet.onnx")),
    a: await computeImageTokens(resampler, cases.get("face_embedding")!.data),
    b: await computeImageTokens(resampler, cases.get("face_embedding_b")!.data),
  };
}

/**
 * Conformance kind `unet`: runs the case's graphs — unet.onnx plain, with IdentityNet residuals,
 * patched with the Image Adapter, and whole guided steps with one face (through the hooks) and two
 * faces (through the composition API, core/compose).
 * Image tokens come from the case's ip-adapter.bin Resampler.
 */
export const unetConformanceKind: ConformanceKind = {
  name: "unet",
  description: "UNet steps: plain, with IdentityNet residuals, with the patched image attention, whole CFG steps with one and two faces",
  async run(context) {
    const patchDir = await mkdtemp(join(tmpdir(), "instantid-unet-patch-"));
    try {
      const u = await openCase(context.caseDir, patchDir);
      const results: Record<string, Tensor> = {};
      const say = (name: string) => context.onProgress?.(`unet: ${name}`);
      say("out_plain");
      results.out_plain = await runUnet(u.unet, positiveStep(u.cases));
      say("out_with_residuals_scale0.8");
      results["out_with_residuals_scale0.8"] = await outWithResiduals(u);
      say("out_ip_scale0.7");
      results["out_ip_scale0.7"] = await outIp(u);
      say("step_noise_*");
      [results.step_noise_uncond, results.step_noise_cond, results.step_noise_cfg5] = await guided(u, [faceA(u)], false);
      say("multi_noise_*");
      [results.multi_noise_uncond, results.multi_noise_cond, results.multi_noise_cfg5] = await multiGuided(u);
      const path = join(context.outDir, "results.safetensors");
      await writeSafetensors(path, results);
      return { cases: Object.keys(results).length, files: [path] };
    } finally {
      await rm(patchDir, { recursive: true, force: true });
    }
  },
};
