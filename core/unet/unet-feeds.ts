import type { StepContext, StepContribution } from "../hooks/types.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkResidualShapes, sharedZeroResiduals, type UnetResidualInputs } from "./residual-inputs.js";

/** Names of an SDXL UNet's usual inputs. */
export interface UnetInputNames {
  readonly sample: string;
  readonly timestep: string;
  readonly encoderHiddenStates: string;
  readonly textEmbeds: string;
  readonly timeIds: string;
}

/** The names torch exports of diffusers' UNet keep. */
export const defaultUnetInputs: UnetInputNames = {
  sample: "sample",
  timestep: "timestep",
  encoderHiddenStates: "encoder_hidden_states",
  textEmbeds: "text_embeds",
  timeIds: "time_ids",
};

/**
 * Every feed of one UNet call, from the step and the hooks' merged contribution: the usual inputs,
 * the hooks' extra inputs, and the residuals (zeros when no ControlNet is active and the UNet takes
 * residuals, allocated once per UNet and shape). Tensors are passed through, never copied.
 */
export function unetStepFeeds(
  step: StepContext,
  contribution: StepContribution | undefined,
  residualInputs?: UnetResidualInputs,
  names: UnetInputNames = defaultUnetInputs,
): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {
    [names.sample]: step.sample,
    [names.timestep]: step.timestep,
    [names.encoderHiddenStates]: step.promptEmbeds,
    [names.textEmbeds]: step.textEmbeds,
    [names.timeIds]: step.timeIds,
    ...contribution?.inputs,
  };
  if (!residualInputs) return feeds;
  const residuals = contribution?.residuals ?? sharedZeroResiduals(residualInputs, step.sample);
  checkResidualShapes(residuals, residualInputs);
  residuals.down.forEach((t, i) => (feeds[residualInputs.names.down[i]] = t));
  feeds[residualInputs.names.mid] = residuals.mid;
  return feeds;
}
