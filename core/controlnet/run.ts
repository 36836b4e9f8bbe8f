import type { ControlResiduals } from "../hooks/types.js";
import { fromOrtTensor, runSession, toOrtTensor } from "../runtime/session.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ControlNetModel } from "./controlnet-model.js";

/** The tensors of one ControlNet call; every batched tensor has the same number of rows. */
export interface ControlNetFeeds {
  readonly sample: Tensor;
  readonly timestep: Tensor;
  /** IdentityNet: the 16 face tokens per row; other ControlNets: the prompt embeddings. */
  readonly encoderHiddenStates: Tensor;
  /** The conditioning image per row, NCHW in [0, 1], 8× the latent size. */
  readonly cond: Tensor;
  readonly textEmbeds: Tensor;
  readonly timeIds: Tensor;
}

/**
 * Runs a ControlNet once and returns its residuals unscaled. The tensors are ONNX Runtime's output
 * buffers, not copies: the caller owns them and may scale them in place.
 */
export async function runControlNet(model: ControlNetModel, feeds: ControlNetFeeds): Promise<ControlResiduals> {
  const names = model.inputs;
  const ortFeeds = {
    [names.sample]: toOrtTensor(feeds.sample),
    [names.timestep]: toOrtTensor(feeds.timestep),
    [names.encoderHiddenStates]: toOrtTensor(feeds.encoderHiddenStates),
    [names.controlnetCond]: toOrtTensor(feeds.cond),
    [names.textEmbeds]: toOrtTensor(feeds.textEmbeds),
    [names.timeIds]: toOrtTensor(feeds.timeIds),
    ...(names.conditioningScale ? { [names.conditioningScale]: toOrtTensor(unitScale(model, names.conditioningScale)) } : {}),
  };
  const outputs = await runSession(model.session, ortFeeds, model.what);
  const read = (name: string) => fromOrtTensor(outputs[name], `${model.what} output ${name}`);
  return { down: model.residuals.down.map(read), mid: read(model.residuals.mid) };
}

// The SDK scales residuals itself (with masks and windows), so a graph's own scale input gets 1.
function unitScale(model: ControlNetModel, name: string): Tensor {
  const rank = model.io.inputs.get(name)?.length ?? 0;
  return { shape: rank === 0 ? [] : [1], data: new Float32Array([1]) };
}
