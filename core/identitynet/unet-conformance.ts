import { join } from "node:path";
import type { ConformanceKind } from "../conformance/kind.js";
import type { StepContext } from "../hooks/types.js";
import { SafetensorsFile, writeSafetensors } from "../tensor/safetensors.js";
import type { Tensor } from "../tensor/tensor.js";
import { loadControlNet } from "./controlnet-model.js";
import { createIdentityNetHook } from "./identitynet-hook.js";
import { loadUnet, runUnet, type UnetModel } from "./unet-model.js";

type Cases = Map<string, Tensor>;

/** Row `r` of a batched tensor as a one-row tensor (a view, no copy). */
function row(t: Tensor, r: number): Tensor {
  const size = t.data.length / t.shape[0];
  return { shape: [1, ...t.shape.slice(1)], data: t.data.subarray(r * size, (r + 1) * size) };
}

/** The single-row step the cases use: the positive row of the text conditioning. */
function positiveStep(cases: Cases): StepContext {
  return {
    index: 0,
    total: 1,
    sample: cases.get("sample")!,
    timestep: cases.get("timestep")!,
    promptEmbeds: row(cases.get("prompt_embeds")!, 1),
    textEmbeds: row(cases.get("text_embeds")!, 1),
    timeIds: row(cases.get("time_ids")!, 1),
  };
}

async function outWithResiduals(dir: string, unet: UnetModel, cases: Cases): Promise<Tensor> {
  const model = await loadControlNet(join(dir, "identitynet.onnx"));
  const hook = createIdentityNetHook({
    model,
    unet: unet.residualInputs,
    identities: [{ faceTokens: cases.get("face_tokens")!, uncondFaceTokens: cases.get("uncond_face_tokens")!, keypointImage: cases.get("kps_image")!, scale: 0.8 }],
  });
  const step = positiveStep(cases);
  await hook.prepare?.({ rows: ["cond"], width: 128, height: 128, steps: 1 });
  return runUnet(unet, step, await hook.beforeStep(step));
}

async function readCases(dir: string): Promise<Cases> {
  const file = await SafetensorsFile.open(join(dir, "cases.safetensors"));
  try {
    const cases: Cases = new Map();
    for (const name of file.names()) cases.set(name, await file.tensor(name));
    return cases;
  } finally {
    await file.close();
  }
}

/** Conformance kind `unet`: runs the case's UNet and IdentityNet graphs and writes their outputs. */
export const unetConformanceKind: ConformanceKind = {
  name: "unet",
  description: "UNet steps: plain, with IdentityNet residuals, with the patched image attention, whole CFG steps",
  async run(context) {
    const cases = await readCases(context.caseDir);
    const unet = await loadUnet(join(context.caseDir, "unet.onnx"));
    const results: Record<string, Tensor> = {};
    context.onProgress?.("unet: out_plain");
    results.out_plain = await runUnet(unet, positiveStep(cases));
    context.onProgress?.("unet: out_with_residuals_scale0.8");
    results["out_with_residuals_scale0.8"] = await outWithResiduals(context.caseDir, unet, cases);
    const path = join(context.outDir, "results.safetensors");
    await writeSafetensors(path, results);
    return { cases: Object.keys(results).length, files: [path] };
  },
};
