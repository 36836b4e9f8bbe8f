// Interim: replaced by core/identitynet createIdentityNetHook and core/hooks createImageAdapterHook
// when the identitynet branch lands.
import type { GenerationHook, StepContext } from "../../../../core/hooks/types.js";
import type { RgbImage } from "../../../../core/image/rgb-image.js";
import { fromOrtTensor, type OrtSession, runSession, toOrtTensor } from "../../../../core/runtime/session.js";
import { tensor, type Tensor } from "../../../../core/tensor/tensor.js";

/** The face tokens of one identity, for the [uncond, cond] batch. */
export interface InterimFace {
  readonly cond: Tensor;
  readonly uncond: Tensor;
}

function stackRows(rows: readonly ("uncond" | "cond")[], face: InterimFace): Tensor {
  const size = face.cond.data.length;
  const data = new Float32Array(size * rows.length);
  rows.forEach((row, i) => data.set(row === "cond" ? face.cond.data : face.uncond.data, i * size));
  return tensor([rows.length, ...face.cond.shape.slice(-2)], data);
}

/** IdentityNet on every step: face tokens as context, the keypoint image in [0, 1], residuals × scale. */
export function interimIdentityNetHook(session: OrtSession, face: InterimFace, keypointImage: RgbImage, scale: number): GenerationHook {
  let rows: readonly ("uncond" | "cond")[] = ["cond"];
  const plane = keypointImage.width * keypointImage.height;
  const cond = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) cond[c * plane + p] = keypointImage.data[p * 3 + c] / 255;
  return {
    name: "identitynet (interim)",
    prepare: (context) => void (rows = context.rows),
    async beforeStep(step: StepContext) {
      const image = tensor([rows.length, 3, keypointImage.height, keypointImage.width]);
      rows.forEach((_, i) => image.data.set(cond, i * cond.length));
      const feeds = { sample: step.sample, timestep: step.timestep, encoder_hidden_states: stackRows(rows, face), controlnet_cond: image, text_embeds: step.textEmbeds, time_ids: step.timeIds };
      const out = await runSession(session, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrtTensor(v)])), "IdentityNet");
      const scaled = session.outputNames.map((name) => {
        const t = fromOrtTensor(out[name], name);
        for (let i = 0; i < t.data.length; i++) t.data[i] *= scale;
        return t;
      });
      return { residuals: { down: scaled.slice(0, -1), mid: scaled[scaled.length - 1] } };
    },
  };
}

/** The patched UNet's image-attention inputs: tokens per row and the scale. */
export function interimImageAdapterHook(inputs: { tokens: readonly string[]; scales: readonly string[] }, face: InterimFace, scale: number): GenerationHook {
  let rows: readonly ("uncond" | "cond")[] = ["cond"];
  return {
    name: "image adapter (interim)",
    prepare: (context) => void (rows = context.rows),
    beforeStep: () => ({ inputs: { [inputs.tokens[0]]: stackRows(rows, face), [inputs.scales[0]]: tensor([1], [scale]) } }),
  };
}
