import { buildSyntheticModels, type SyntheticModels } from "../../../core/synthetic/build-models.js";
import { RandomWeights } from "../../../core/graph-builder/random-weights.js";
import { TINY_UNET } from "../../../core/synthetic/unet-config.js";
import { tensor, type Tensor } from "../../../core/tensor/tensor.js";
import type { GenerationHook } from "../../../core/hooks/types.js";
import { zeroResidualsFor, type UnetResidualInputs } from "../../../core/unet/residual-inputs.js";
import { tempDir } from "../../helpers/shared.js";

/** core/synthetic's tiny SDXL-shaped models (random weights, any latent size): no ../shared needed. */
export async function tinySyntheticModels(): Promise<SyntheticModels> {
  return buildSyntheticModels(await tempDir());
}

/** Seeded token embeddings [1, 77, 64] for the tiny UNet. */
export function tinyTokens(seed: number): Tensor {
  return tensor([1, 77, TINY_UNET.contextDim], new RandomWeights(seed).gaussian(77 * TINY_UNET.contextDim));
}

/** Seeded pooled embeddings [1, 32] for the tiny UNet. */
export function tinyPooled(seed: number): Tensor {
  return tensor([1, TINY_UNET.pooledDim], new RandomWeights(seed).gaussian(TINY_UNET.pooledDim));
}

/** A hook giving seeded non-zero residuals every step, counting how often it is asked. */
export function residualHook(residualInputs: UnetResidualInputs): GenerationHook & { calls: number } {
  const hook = {
    name: "residuals",
    calls: 0,
    beforeStep(step: { sample: Tensor }) {
      hook.calls++;
      const zeros = zeroResidualsFor(residualInputs, step.sample);
      const random = new RandomWeights(100 + hook.calls);
      const fill = (t: Tensor) => tensor(t.shape, random.gaussian(t.data.length, 0.5));
      return { residuals: { down: zeros.down.map(fill), mid: fill(zeros.mid) } };
    },
  };
  return hook;
}
