import { z } from "zod";
import { parseOptions } from "../validate.js";
import { controlImageSchema, maskSchema, tensorSchema } from "../schemas.js";
import { identityNetScaleSchema, renamedStrength } from "../strength.js";
import type { Tensor } from "../tensor/tensor.js";
import { type ControlImage, controlImageTensor } from "../controlnet/control-image.js";
import { type ControlNetHook, type ControlUnit, createControlUnitsHook } from "../controlnet/control-hook.js";
import type { ControlNetModel } from "../controlnet/controlnet-model.js";
import { type MaskInput, maskTensor } from "../masks/mask-tensor.js";
import { checkResidualLink } from "../controlnet/residual-link.js";
import type { UnetResidualInputs } from "../unet/residual-inputs.js";

/** One face for IdentityNet. */
export interface IdentityNetIdentity {
  /** Resampler(face embedding): [1, 16, ctx] (or [16, ctx]), used in conditional rows. */
  readonly faceTokens: Tensor;
  /** Resampler(zeros): the unconditional rows' tokens (InstantID does not use zeros here). */
  readonly uncondFaceTokens: Tensor;
  /** The keypoint image (draw_kps), 8× the latent size. */
  readonly keypointImage: ControlImage;
  /** IdentityNet conditioning scale, 0 to 10; default `DEFAULT_IDENTITYNET_SCALE` (0.8, InstantID's README). */
  readonly identityNetScale?: number;
  /** Where this face goes, at any resolution; resized bilinearly to each residual. */
  readonly mask?: MaskInput;
  /** Overrides the hook's window for this face. */
  readonly start?: number;
  readonly end?: number;
}

/** Options of {@link createIdentityNetHook}. */
export interface IdentityNetHookOptions {
  readonly model: ControlNetModel;
  /** One or more faces; their residuals (× identityNetScale × mask) are summed. */
  readonly identities: readonly IdentityNetIdentity[];
  /** control_guidance_start/end; default 0 and 1. */
  readonly start?: number;
  readonly end?: number;
  /** Checked against the IdentityNet's outputs when given, so misfits fail before the first step. */
  readonly unet?: UnetResidualInputs;
  /** Hook name; default "identitynet". */
  readonly name?: string;
}

const fraction = z.number().min(0).max(1);

const identitySchema = z.object({
  faceTokens: tensorSchema,
  uncondFaceTokens: tensorSchema,
  keypointImage: controlImageSchema,
  identityNetScale: identityNetScaleSchema,
  scale: renamedStrength("identityNetScale"),
  mask: maskSchema.optional(),
  start: fraction.optional(),
  end: fraction.optional(),
});

const optionsSchema = z
  .object({
    model: z.custom<ControlNetModel>(
      (v) => typeof v === "object" && v !== null && "session" in v && "residuals" in v,
      "a model from loadControlNet()",
    ),
    identities: z.array(identitySchema).min(1),
    start: fraction.default(0),
    end: fraction.default(1),
    unet: z.custom<UnetResidualInputs>().optional(),
    name: z.string().min(1).default("identitynet"),
  })
  .refine((o) => o.start <= o.end, { message: "start must not exceed end", path: ["end"] });

/**
 * The IdentityNet hook: per step, IdentityNet runs on each face's tokens (Resampler(0) tokens in
 * unconditional rows) and keypoint image; its residuals × identityNetScale (× mask) are summed over faces
 * and gated by the window. Contributes residuals only; the Image Adapter is its own hook.
 */
export function createIdentityNetHook(options: IdentityNetHookOptions): ControlNetHook {
  const o = parseOptions(optionsSchema, options, "IdentityNet hook options");
  if (o.unet) checkResidualLink(o.model, o.unet);
  const units: ControlUnit[] = o.identities.map((id) => ({
    image: controlImageTensor(id.keypointImage),
    scale: id.identityNetScale,
    window: { start: id.start ?? o.start, end: id.end ?? o.end },
    mask: id.mask && maskTensor(id.mask),
    tokens: { cond: id.faceTokens, uncond: id.uncondFaceTokens },
  }));
  return createControlUnitsHook(o.name, o.model, units);
}
