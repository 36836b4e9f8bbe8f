import { z } from "zod";
import { maskSchema, rgbImageSchema, tensorSchema } from "../../core/internal.js";
import type { InstantIdHookOptions } from "./instantid-hook.js";
import { REFERENCE_DEFAULTS } from "./defaults.js";

const side = z.number().int().positive().multipleOf(8, "must be a multiple of 8");
const textModelsSchema = z.object({
  tokenizer: z.string().min(1),
  tokenizer2: z.string().min(1),
  textEncoder: z.string().min(1),
  textEncoder2: z.string().min(1),
});
const promptEmbedsSchema = z.object({
  embeds: tensorSchema,
  pooled: tensorSchema,
  negativeEmbeds: tensorSchema.optional(),
  negativePooled: tensorSchema.optional(),
});
const TEXT_ONLY = ["prompt2", "negativePrompt", "negativePrompt2"] as const;

/** Options of one generation (txt2img, or img2img with `init`). Plain data, so it can cross to the worker. */
export const generateOptionsSchema = z
  .object({
    /**
     * Model files; the VAE ones are optional (without a decoder the result is the latent and a preview).
     * `text`: SDXL's tokenizers and text encoders (core `sdxlTextModels(exportDir)`), needed for a text prompt.
     */
    models: z.object({
      unet: z.string().min(1),
      vaeDecoder: z.string().min(1).optional(),
      vaeEncoder: z.string().min(1).optional(),
      text: textModelsSchema.optional(),
    }),
    /**
     * The prompt: text (encoded with `models.text` as diffusers' SDXL `encode_prompt` does, docs/text.md), or
     * precomputed conditioning: prompt tokens [1, 77k, ctx] and pooled [1, d]; negatives default to zeros (SDXL's absent negative prompt).
     */
    prompt: z.union([z.string(), promptEmbedsSchema]),
    /** With a text prompt: the text for text_encoder_2 (default: the prompt). */
    prompt2: z.string().optional(),
    /** With a text prompt: the negative prompt; absent means zeros (SDXL's force_zeros_for_empty_prompt), "" is encoded. */
    negativePrompt: z.string().optional(),
    /** With a text prompt: the negative text for text_encoder_2 (default: the negative prompt). */
    negativePrompt2: z.string().optional(),
    /**
     * Region prompts: each region's prompt tokens (shaped like `prompt.embeds`) and its mask (any size, values in
     * [0, 1]). Per step the hooks run once and the UNet once more per region; the cond predictions are blended
     * by mask, the shared prompt keeping the rest (docs/multi-identity.md). The pooled embedding stays `prompt.pooled`.
     */
    regions: z.array(z.object({ embeds: tensorSchema, mask: maskSchema })).optional(),
    /** Output size; both multiples of 8. When absent, see {@link outputSize}. */
    width: side.optional(),
    height: side.optional(),
    sizeFrom: z.object({ width: z.number().int().min(8), height: z.number().int().min(8) }).optional(),
    steps: z.number().int().min(1).max(1000).default(REFERENCE_DEFAULTS.steps),
    /** Classifier-free guidance; default 5 (the reference), or 1 with the LCM scheduler (LCM-LoRA runs without CFG). */
    guidance: z.number().min(0).max(50).optional(),
    scheduler: z.enum(["euler", "euler-ancestral", "dpmpp-2m-karras", "ddim", "lcm"]).default(REFERENCE_DEFAULTS.scheduler),
    /**
     * The initial noise [1, 4, H/8, W/8] instead of drawing it from the seed (diffusers' `latents=`); scaled by the scheduler's init sigma.
     */
    latents: tensorSchema.optional(),
    /** PRNG seed (mulberry32 + Box–Muller); random when absent, and reported in the result. */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** SDXL micro-conditioning per row [1, 6]; defaults to [H, W, 0, 0, H, W]. */
    timeIds: tensorSchema.optional(),
    /** img2img: a start latent (already × the VAE factor) or an image (needs models.vaeEncoder), and how much to re-noise. */
    init: z
      .object({
        latent: tensorSchema.optional(),
        image: rgbImageSchema.optional(),
        strength: z.number().gt(0).max(1).default(REFERENCE_DEFAULTS.strength),
      })
      .refine((init) => Boolean(init.latent) !== Boolean(init.image), "give exactly one of init.latent and init.image")
      .optional(),
    vaeScalingFactor: z.number().positive().default(REFERENCE_DEFAULTS.vaeScalingFactor),
    /** InstantID (IdentityNet + Image Adapter, see createInstantIdHook); needs a UNet patched with patchImageAdapter. */
    instantId: z
      .custom<InstantIdHookOptions>(
        (v) =>
          typeof v === "object" &&
          v !== null &&
          typeof (v as InstantIdHookOptions).identityNet === "string" &&
          Array.isArray((v as InstantIdHookOptions).faces) &&
          (v as InstantIdHookOptions).faces.length > 0,
        "Expected { identityNet: path, faces: [{ faceTokens, uncondFaceTokens, keypointImage }] }",
      )
      .optional(),
    /** Threads per ONNX operator. */
    intraOpThreads: z.number().int().positive().optional(),
  })
  .refine((o) => (o.width === undefined) === (o.height === undefined), "give both width and height, or neither")
  .refine((o) => typeof o.prompt !== "string" || o.models.text !== undefined, {
    message:
      "a text prompt needs models.text (the export's tokenizer/, tokenizer_2/, text_encoder/, text_encoder_2/: " +
      "sdxlTextModels(dir)), or pass prompt as embeddings",
    path: ["models", "text"],
  })
  .refine((o) => typeof o.prompt === "string" || TEXT_ONLY.every((key) => o[key] === undefined), {
    message:
      "prompt2, negativePrompt and negativePrompt2 go with a text prompt; with embeddings pass prompt.negativeEmbeds / negativePooled",
    path: ["negativePrompt"],
  })
  .transform((o) => ({ ...o, guidance: o.guidance ?? (o.scheduler === "lcm" ? 1 : REFERENCE_DEFAULTS.guidance) }));

/** Precomputed text conditioning, the non-text form of `prompt`. */
export type PromptEmbeds = z.output<typeof promptEmbedsSchema>;

/** What callers pass to `generate` (defaults not yet applied). */
export type GenerateOptions = z.input<typeof generateOptionsSchema>;
/** Options after validation, defaults applied. */
export type ResolvedGenerateOptions = z.output<typeof generateOptionsSchema>;

function keypointImageSize(options: ResolvedGenerateOptions): { width: number; height: number } | undefined {
  const image = options.instantId?.faces[0].keypointImage;
  if (!image) return undefined;
  return "shape" in image ? { width: image.shape[3], height: image.shape[2] } : { width: image.width, height: image.height };
}

/**
 * The output size: explicit, else `sizeFrom`, else InstantID's first keypoint image (as the
 * reference), else the img2img image — floored to multiples of 8 — else 1024².
 */
export function outputSize(options: ResolvedGenerateOptions): { width: number; height: number } {
  if (options.width && options.height) return { width: options.width, height: options.height };
  const from = options.sizeFrom ?? keypointImageSize(options) ?? (options.init?.image ? options.init.image : undefined);
  if (from) return { width: Math.floor(from.width / 8) * 8, height: Math.floor(from.height / 8) * 8 };
  return { width: 1024, height: 1024 };
}
