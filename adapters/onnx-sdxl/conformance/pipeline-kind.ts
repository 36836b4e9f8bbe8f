import { constants } from "node:fs";
import { copyFile, link, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  Resampler,
  computeImageTokens,
  convertControlNet,
  loadImage,
  loadImageAdapter,
  patchImageAdapter,
  writeSafetensors,
  type Tensor,
} from "../../../core/index.js";
import { SafetensorsFile } from "../../../core/internal.js";
import type { ConformanceContext, ConformanceKind } from "../../../core/testing.js";
import { generate } from "../generate.js";
import { decodeLatentToTensor } from "../vae.js";
import { readPipelineCases, type PipelineCase } from "./pipeline-cases.js";

/** The models of one pipeline folder, made runnable: IdentityNet converted, UNet patched (in a scratch folder). */
interface PreparedModels {
  readonly identityNet: string;
  readonly unet: string;
  readonly vaeDecoder: string;
}

/**
 * Puts the UNet's files into `into`, so the patch is written beside them without writing into the
 * (read-only) reference folder. Hard links where the file system allows, else copies: ONNX Runtime
 * resolves symbolic links and refuses external data outside the model's folder.
 */
async function linkFolder(from: string, into: string): Promise<void> {
  for (const name of await readdir(from)) {
    await link(join(from, name), join(into, name)).catch(() => copyFile(join(from, name), join(into, name), constants.COPYFILE_FICLONE));
  }
}

async function prepareModels(context: ConformanceContext, work: string, heads: number) {
  const say = (message: string) => context.onProgress?.(`pipeline: ${message}`);
  const dir = resolve(context.caseDir);
  say("converting controlnet/ (diffusers weights) to ONNX");
  const identityNet = await convertControlNet({ dir: join(dir, "controlnet"), output: join(work, "identitynet.onnx") });
  say("patching unet/model.onnx with ControlNet residual inputs and the image attention");
  const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
  await linkFolder(join(dir, "unet"), work);
  const patched = await patchImageAdapter(join(work, "model.onnx"), adapter, { controlNetResiduals: true });
  const models: PreparedModels = {
    identityNet: identityNet.model,
    unet: patched.modelPath!,
    vaeDecoder: join(dir, "vae_decoder", "model.onnx"),
  };
  return { models, resampler: Resampler.fromWeights(adapter.imageProj, { heads }) };
}

async function readInputs(dir: string): Promise<Map<string, Tensor>> {
  const file = await SafetensorsFile.open(join(dir, "inputs.safetensors"));
  try {
    const tensors = new Map<string, Tensor>();
    for (const name of file.names()) tensors.set(name, await file.tensor(name));
    return tensors;
  } finally {
    await file.close();
  }
}

/** One case through the reference runner (EulerDiscrete, CFG, IdentityNet + image attention), then the VAE. */
async function runCase(
  c: PipelineCase,
  models: PreparedModels,
  inputs: Map<string, Tensor>,
  tokens: { cond: Tensor; uncond: Tensor },
  extra: { dir: string; scaling: number },
) {
  const keypointImage = await loadImage(join(extra.dir, "kps.png"));
  const latents = inputs.get("latents")!;
  const result = await generate({
    models: { unet: models.unet },
    prompt: {
      embeds: inputs.get("prompt_embeds")!,
      pooled: inputs.get("pooled_prompt_embeds")!,
      negativeEmbeds: inputs.get("negative_prompt_embeds")!,
      negativePooled: inputs.get("negative_pooled_prompt_embeds")!,
    },
    width: c.width ?? latents.shape[3] * 8,
    height: c.height ?? latents.shape[2] * 8,
    steps: c.steps,
    guidance: c.guidance,
    scheduler: "euler",
    latents,
    vaeScalingFactor: extra.scaling,
    instantId: {
      identityNet: models.identityNet,
      faces: [
        { faceTokens: tokens.cond, uncondFaceTokens: tokens.uncond, keypointImage, identityNetScale: c.cn_scale, adapterScale: c.ip_scale },
      ],
      start: c.start,
      end: c.end,
    },
  });
  return { latent: result.latent, image: await decodeLatentToTensor(models.vaeDecoder, result.latent, extra.scaling) };
}

/**
 * Conformance kind `pipeline`: InstantID's own pipeline from the models as they are published. The
 * folder's `controlnet/` (diffusers weights) is converted, its optimum-style `unet/model.onnx` patched
 * with ControlNet residual inputs and the image attention of `ip-adapter.bin` (one model, written in a
 * scratch folder), and every case of `cases.json` runs through `generate` — EulerDiscrete, the given
 * latents, text conditioning, face embedding (through the Resampler) and `kps.png` — then `vae_decoder/`.
 * Writes `<case>_latent` (before the VAE) and `<case>_image` ([1, H, W, 3] in [0, 1]).
 */
export const pipelineConformanceKind: ConformanceKind = {
  name: "pipeline",
  description: "InstantID's pipeline from published files: converted IdentityNet, patched optimum UNet, Euler steps with CFG, VAE decode",
  async run(context) {
    const cases = await readPipelineCases(context.caseDir);
    const work = await mkdtemp(join(tmpdir(), "instantid-pipeline-"));
    try {
      const { models, resampler } = await prepareModels(context, work, cases.resampler_config.heads);
      const inputs = await readInputs(context.caseDir);
      const tokens = await computeImageTokens(resampler, inputs.get("face_embedding")!.data);
      const results: Record<string, Tensor> = {};
      for (const c of cases.cases) {
        context.onProgress?.(`pipeline: case ${c.name} (${c.steps} steps)`);
        const { latent, image } = await runCase(c, models, inputs, tokens, { dir: context.caseDir, scaling: cases.vae_scaling_factor });
        results[`${c.name}_latent`] = latent;
        results[`${c.name}_image`] = image;
      }
      const path = join(context.outDir, "results.safetensors");
      await writeSafetensors(path, results);
      return { cases: cases.cases.length, files: [path] };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};
