import {
  ErrorCode,
  InstantIdError,
  type GenerationHook,
  type StepContext,
  type StepContribution,
  type Tensor,
  type UnetModel,
} from "../../core/index.js";
import { runUnet } from "../../core/internal.js";
import { blendRegions, type RegionConditioning } from "./regions.js";

/**
 * Refuses what ONNX Runtime would silently ignore: an input a hook sets that the UNet lacks (an
 * unpatched UNet would drop the image attention without a word), and residuals for a UNet
 * without residual inputs.
 */
export function checkContribution(unet: UnetModel, contribution: StepContribution | undefined): void {
  const unknown = Object.keys(contribution?.inputs ?? {}).filter((name) => !unet.io.inputs.has(name));
  if (unknown.length > 0) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `The UNet has no input ${unknown.join(", ")} (it takes ${[...unet.io.inputs.keys()].join(", ")}). If a hook adds ` +
        `image-attention inputs, patch the UNet first (patchImageAdapter) and open the patched model.`,
    );
  }
  if (contribution?.residuals && !unet.residualInputs) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `A hook gives ControlNet residuals but the UNet has no residual inputs (it takes ` +
        `${[...unet.io.inputs.keys()].join(", ")}). Use a UNet exported with residual inputs, or name them with openUnet's ` +
        `residuals option.`,
    );
  }
}

/**
 * One UNet call for a step: the hook (usually `composeHooks(...)`) is asked for its contribution,
 * which is checked against the graph and fed with the step's inputs (zero residuals when the
 * graph takes residuals and no hook gives any). Returns the noise prediction, one row per row of
 * `step.sample`.
 */
export async function callUnet(unet: UnetModel, hook: GenerationHook | undefined, step: StepContext): Promise<Tensor> {
  const contribution = (await hook?.beforeStep?.(step)) ?? undefined;
  checkContribution(unet, contribution);
  return runUnet(unet, step, contribution);
}

/**
 * One step's noise prediction with region prompts: the hook is asked ONCE (IdentityNet and the image
 * attention depend on the pooled text and time ids, which stay the shared prompt's), the UNet runs
 * on the shared prompt, then once per region on its prompt rows with the same contribution, and
 * {@link blendRegions} mixes the cond rows. Without regions this is exactly {@link callUnet}.
 * @throws InstantIdError INVALID_OPTION when a hook sets the UNet's prompt input itself (Image Adapter tokens in the context), which would
 * hide the region's tokens.
 */
export async function callUnetWithRegions(
  unet: UnetModel,
  hook: GenerationHook | undefined,
  step: StepContext,
  regions: readonly RegionConditioning[],
): Promise<Tensor> {
  if (!regions.length) return callUnet(unet, hook, step);
  const contribution = (await hook?.beforeStep?.(step)) ?? undefined;
  checkContribution(unet, contribution);
  if (contribution?.inputs?.[unet.inputs.encoderHiddenStates]) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `A hook sets the UNet input ${unet.inputs.encoderHiddenStates} itself (image tokens appended to the prompt), so region ` +
        `prompts cannot replace the prompt tokens. Patch the UNet with tokens: "inputs" (patchImageAdapter's default), or drop ` +
        `the regions.`,
    );
  }
  const shared = await runUnet(unet, step, contribution);
  const predictions: Tensor[] = [];
  for (const region of regions) predictions.push(await runUnet(unet, { ...step, promptEmbeds: region.promptEmbeds }, contribution));
  return blendRegions(shared, predictions, regions);
}

/** Classifier-free guidance on a [uncond, cond] batch: uncond + g·(cond − uncond). */
export function guide(prediction: Tensor, guidance: number): { uncond: Float32Array; cond: Float32Array; guided: Float32Array } {
  const half = prediction.data.length / 2;
  const uncond = prediction.data.slice(0, half);
  const cond = prediction.data.slice(half);
  const guided = new Float32Array(half);
  for (let i = 0; i < half; i++) guided[i] = uncond[i] + guidance * (cond[i] - uncond[i]);
  return { uncond, cond, guided };
}
