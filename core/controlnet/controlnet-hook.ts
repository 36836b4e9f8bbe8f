import { z } from "zod";
import { parseOptions } from "../validate.js";
import { controlImageSchema, maskSchema } from "../schemas.js";
import { type ControlImage, controlImageTensor } from "./control-image.js";
import { type ControlNetHook, createControlUnitsHook } from "./control-hook.js";
import type { ControlNetModel } from "./controlnet-model.js";
import { type MaskInput, maskTensor } from "../masks/mask-tensor.js";
import type { UnetResidualInputs } from "../unet/residual-inputs.js";
import { checkResidualLink } from "./residual-link.js";

/** Options of {@link createControlNetHook}: an extra ControlNet (canny, depth, pose) on the text prompt. */
export interface ControlNetHookOptions {
  readonly model: ControlNetModel;
  /** The conditioning image (edges, depth, pose), 8× the latent size. */
  readonly image: ControlImage;
  /** Conditioning scale; default 1 as diffusers. */
  readonly scale?: number;
  readonly start?: number;
  readonly end?: number;
  readonly mask?: MaskInput;
  readonly unet?: UnetResidualInputs;
  /** Hook name; must differ from the other hooks' (e.g. "depth", "canny"). */
  readonly name: string;
}

const fraction = z.number().min(0).max(1);
const optionsSchema = z
  .object({
    model: z.custom<ControlNetModel>(
      (v) => typeof v === "object" && v !== null && "session" in v && "residuals" in v,
      "a model from loadControlNet()",
    ),
    image: controlImageSchema,
    scale: z.number().min(0).default(1),
    start: fraction.default(0),
    end: fraction.default(1),
    mask: maskSchema.optional(),
    unet: z.custom<UnetResidualInputs>().optional(),
    name: z.string().min(1),
  })
  .refine((o) => o.start <= o.end, { message: "start must not exceed end", path: ["end"] });

/**
 * An extra ControlNet whose residuals add to IdentityNet's (the paper's Figure 3): it sees the
 * prompt embeddings, has its own scale and window, and may be limited to a region.
 */
export function createControlNetHook(options: ControlNetHookOptions): ControlNetHook {
  const o = parseOptions(optionsSchema, options, "ControlNet hook options");
  if (o.unet) checkResidualLink(o.model, o.unet);
  return createControlUnitsHook(o.name, o.model, [
    {
      image: controlImageTensor(o.image),
      scale: o.scale,
      window: { start: o.start, end: o.end },
      mask: o.mask && maskTensor(o.mask as MaskInput),
    },
  ]);
}
