import { loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { runControlNet } from "../../../core/controlnet/run.js";
import type { Tensor } from "../../../core/tensor/tensor.js";

/** Runs a converted ControlNet through the SDK's own ControlNet runner and returns its outputs by name. */
export async function runConverted(model: string, inputs: Record<string, Tensor>): Promise<Map<string, Tensor>> {
  const controlNet = await loadControlNet(model);
  const residuals = await runControlNet(controlNet, {
    sample: inputs.sample,
    timestep: inputs.timestep,
    encoderHiddenStates: inputs.encoder_hidden_states,
    cond: inputs.controlnet_cond,
    textEmbeds: inputs.text_embeds,
    timeIds: inputs.time_ids,
  });
  const outputs = new Map<string, Tensor>();
  residuals.down.forEach((t, i) => outputs.set(controlNet.residuals.down[i], t));
  outputs.set(controlNet.residuals.mid, residuals.mid);
  return outputs;
}
