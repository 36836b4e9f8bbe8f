import { ErrorCode, InstantIdError } from "../../core/errors.js";
import type { GenerationHook, StepContext } from "../../core/hooks/types.js";
import type { Tensor } from "../../core/tensor/tensor.js";
import { collectContributions } from "../../core/unet/contributions.js";
import { zeroResiduals } from "../../core/unet/zero-residuals.js";
import type { UnetModel } from "./unet.js";

/**
 * One UNet call for a step: the standard SDXL inputs from `step`, the hooks' inputs, and their
 * residuals summed (zeros when the graph takes residuals and no hook gives any). Returns the
 * noise prediction, one row per row of `step.sample`.
 */
export async function callUnet(unet: UnetModel, hooks: readonly GenerationHook[], step: StepContext): Promise<Tensor> {
  const contribution = await collectContributions(hooks, step);
  const feeds: Record<string, Tensor> = {
    sample: step.sample,
    timestep: step.timestep,
    encoder_hidden_states: step.promptEmbeds,
    text_embeds: step.textEmbeds,
    time_ids: step.timeIds,
    ...contribution.inputs,
  };
  if (unet.residuals) {
    const residuals = contribution.residuals ?? zeroResiduals(unet.residuals, unet.inputShapes, step.sample.shape);
    if (residuals.down.length !== unet.residuals.down.length) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `Hooks gave ${residuals.down.length} down-block residuals but the UNet takes ${unet.residuals.down.length} (${unet.residuals.down.join(", ")}).`,
      );
    }
    unet.residuals.down.forEach((name, i) => (feeds[name] = residuals.down[i]));
    feeds[unet.residuals.mid] = residuals.mid;
  } else if (contribution.residuals) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `A hook gives ControlNet residuals but the UNet has no residual inputs (it takes ${unet.inputNames.join(", ")}). Use a UNet exported with residual inputs, or pass their names to openUnet.`,
    );
  }
  return unet.run(feeds);
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
