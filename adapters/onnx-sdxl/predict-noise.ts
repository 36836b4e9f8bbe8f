import { composeHooks, tensor, type GenerationHook, type Tensor, type UnetModel } from "../../core/index.js";
import { callUnet, guide } from "./unet-step.js";

/** One guided UNet step, as the `unet` conformance case defines it. */
export interface PredictNoiseInput {
  /** The UNet input latent [1, 4, h, w] (already scaled by the scheduler); it is repeated for both rows. */
  readonly sample: Tensor;
  readonly timestep: number;
  /** Rows [negative, positive]: [2, 77k, ctx], [2, d], [2, 6]. */
  readonly promptEmbeds: Tensor;
  readonly textEmbeds: Tensor;
  readonly timeIds: Tensor;
  readonly guidance: number;
}

/** The step's noise predictions, each [1, 4, h, w]: unconditional, conditional and guided. */
export interface PredictedNoise {
  readonly uncond: Tensor;
  readonly cond: Tensor;
  readonly guided: Tensor;
}

/**
 * One whole InstantID step with classifier-free guidance through the runner's own code path: a
 * single UNet call on the batch [uncond, cond], hooks prepared for a one-step generation, asked for
 * their contribution, and reset afterwards. Used by the `unet` conformance kind.
 */
export async function predictNoise(unet: UnetModel, hooks: readonly GenerationHook[], input: PredictNoiseInput): Promise<PredictedNoise> {
  const [, channels, h, w] = input.sample.shape;
  const single = input.sample.data;
  const batch = new Float32Array(single.length * 2);
  batch.set(single, 0);
  batch.set(single, single.length);
  const hook = composeHooks(...hooks);
  try {
    await hook.prepare({ rows: ["uncond", "cond"], width: w * 8, height: h * 8, steps: 1 });
    const prediction = await callUnet(unet, hook, {
      index: 0,
      total: 1,
      sample: tensor([2, channels, h, w], batch),
      timestep: tensor([1], [input.timestep]),
      promptEmbeds: input.promptEmbeds,
      textEmbeds: input.textEmbeds,
      timeIds: input.timeIds,
    });
    const { uncond, cond, guided } = guide(prediction, input.guidance);
    const shape = [1, channels, h, w];
    return { uncond: tensor(shape, uncond), cond: tensor(shape, cond), guided: tensor(shape, guided) };
  } finally {
    hook.reset();
  }
}
