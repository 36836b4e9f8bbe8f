import { z } from "zod";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import { adapterScaleSchema, identityNetScaleSchema, parseOptions } from "../../core/internal.js";
import {
  addApplyInstantIDAdvanced,
  addCheckpointLoaderSimple,
  addCLIPTextEncode,
  addConditioningCombine,
  addControlNetLoader,
  addEmptyLatentImage,
  addInstantIDFaceAnalysis,
  addInstantIDModelLoader,
  addKSampler,
  addLoadImage,
  addLoadImageMask,
  addSaveImage,
  addVAEDecode,
  addVAEEncode,
} from "./generated/nodes.js";
import { WorkflowGraph, type ApiPrompt, type NodeOutput } from "./graph.js";

/** ComfyUI_InstantID's own bound on `ip_weight` (ApplyInstantIDAdvanced's input; /object_info says max 3). */
export const COMFY_MAX_IP_WEIGHT = 3;

const identitySchema = z.object({
  /** Name of the uploaded face photo in the server's input folder. */
  image: z.string().min(1),
  /** Name of the uploaded keypoint image (drawn by the SDK); without it the node draws them from the photo. */
  keypoints: z.string().min(1).optional(),
  /** Name of the uploaded region mask (white where this identity acts), read through its red channel. */
  mask: z.string().min(1).optional(),
  /** The Image Adapter's scale, sent as `ip_weight` (the pack takes at most 3). */
  adapterScale: adapterScaleSchema.pipe(
    z.number().max(COMFY_MAX_IP_WEIGHT, `must be at most ${COMFY_MAX_IP_WEIGHT}, ComfyUI_InstantID's largest ip_weight`),
  ),
  /** IdentityNet's scale, sent as `cn_strength`. */
  identityNetScale: identityNetScaleSchema,
  startAt: z.number().min(0).max(1).default(0),
  endAt: z.number().min(0).max(1).default(1),
  // 0 = Resampler(zeros) for the negative, as the reference and the local runner do (plain ApplyInstantID would use 0.35).
  noise: z.number().min(0).max(1).default(0),
  combineEmbeds: z.enum(["average", "norm average", "concat"]).default("average"),
  /** Text for this identity's region, joined to the shared prompt in its own (masked) conditioning. */
  prompt: z.string().optional(),
});

/** One identity of a ComfyUI InstantID workflow, by the names its images were uploaded under. */
export type ComfyIdentity = z.input<typeof identitySchema>;

/** The zod schema of {@link ComfyGenerationOptions}. */
export const comfyOptionsSchema = z.object({
  checkpoint: z.string().min(1),
  instantIdModel: z.string().min(1),
  controlNetModel: z.string().min(1),
  provider: z.enum(["CPU", "CUDA", "ROCM", "CoreML"]).default("CUDA"),
  prompt: z.string(),
  negativePrompt: z.string().default(""),
  width: z.number().int().min(64).max(16384).multipleOf(8).default(1024),
  height: z.number().int().min(64).max(16384).multipleOf(8).default(1024),
  steps: z.number().int().min(1).max(10000).default(30),
  cfg: z.number().min(0).max(100).default(5),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  samplerName: z.string().default("euler"),
  scheduler: z.string().default("normal"),
  filenamePrefix: z.string().default("instantid"),
  /** img2img: name of the uploaded start picture, and how much to change it. */
  initImage: z.string().min(1).optional(),
  denoise: z.number().min(0).max(1).default(1),
});

/** Options of a ComfyUI InstantID generation. */
export type ComfyGenerationOptions = z.input<typeof comfyOptionsSchema>;

/**
 * Builds the API-format workflow of an InstantID generation with ComfyUI_InstantID's nodes:
 * one ApplyInstantIDAdvanced per identity, chained on the model (each adds its attention patch),
 * each with its face photo, keypoint image and mask. With several identities every apply node takes
 * the text conditionings and their outputs are joined with ConditioningCombine, as the pack's
 * multi-ID example does: an apply node overwrites the mask, ControlNet tokens and ControlNet chain
 * of the conditioning it is given, so chaining conditionings would leave only the last identity's
 * mask and face tokens. Every node comes from the generated typed builders.
 */
export function buildInstantIdWorkflow(options: ComfyGenerationOptions, identities: readonly ComfyIdentity[]): ApiPrompt {
  const o = parseOptions(comfyOptionsSchema, options, "ComfyUI generation options");
  const ids = identities.map((identity, i) => parseOptions(identitySchema, identity, `identity ${i + 1}`));
  if (!ids.length)
    throw new InstantIdError(ErrorCode.InvalidOption, "Expected at least one identity (a face photo) but received none; pass --face IMG");
  ids.forEach((identity, i) => {
    if (ids.length > 1 && !identity.mask)
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        `Identity ${i + 1} of ${ids.length} has no region mask; with several identities each needs one`,
      );
    if (identity.startAt > identity.endAt)
      throw new InstantIdError(ErrorCode.InvalidOption, `Identity ${i + 1}: start ${identity.startAt} is after end ${identity.endAt}`);
  });
  const graph = new WorkflowGraph();
  const checkpoint = addCheckpointLoaderSimple(graph, { ckpt_name: o.checkpoint });
  const instantid = addInstantIDModelLoader(graph, { instantid_file: o.instantIdModel }).INSTANTID;
  const insightface = addInstantIDFaceAnalysis(graph, { provider: o.provider }).FACEANALYSIS;
  const controlNet = addControlNetLoader(graph, { control_net_name: o.controlNetModel }).CONTROL_NET;
  let model: NodeOutput<"MODEL"> = checkpoint.MODEL;
  const text = {
    positive: addCLIPTextEncode(graph, { text: o.prompt, clip: checkpoint.CLIP }).CONDITIONING,
    negative: addCLIPTextEncode(graph, { text: o.negativePrompt, clip: checkpoint.CLIP }).CONDITIONING,
  };
  const positives: NodeOutput<"CONDITIONING">[] = [];
  const negatives: NodeOutput<"CONDITIONING">[] = [];
  for (const identity of ids) {
    const applied = addApplyInstantIDAdvanced(graph, {
      instantid,
      insightface,
      control_net: controlNet,
      image: addLoadImage(graph, { image: identity.image }).IMAGE,
      image_kps: identity.keypoints ? addLoadImage(graph, { image: identity.keypoints }).IMAGE : undefined,
      mask: identity.mask ? addLoadImageMask(graph, { image: identity.mask, channel: "red" }).MASK : undefined,
      model,
      positive: identity.prompt
        ? addCLIPTextEncode(graph, { text: `${o.prompt}, ${identity.prompt}`, clip: checkpoint.CLIP }).CONDITIONING
        : text.positive,
      negative: text.negative,
      ip_weight: identity.adapterScale,
      cn_strength: identity.identityNetScale,
      start_at: identity.startAt,
      end_at: identity.endAt,
      noise: identity.noise,
      combine_embeds: identity.combineEmbeds,
    });
    model = applied.MODEL;
    positives.push(applied.positive);
    negatives.push(applied.negative);
  }
  const combine = (list: NodeOutput<"CONDITIONING">[]) =>
    list.reduce((joined, next) => addConditioningCombine(graph, { conditioning_1: joined, conditioning_2: next }).CONDITIONING);
  const positive = combine(positives);
  const negative = combine(negatives);
  const latent = o.initImage
    ? addVAEEncode(graph, { pixels: addLoadImage(graph, { image: o.initImage }).IMAGE, vae: checkpoint.VAE }).LATENT
    : addEmptyLatentImage(graph, { width: o.width, height: o.height, batch_size: 1 }).LATENT;
  const sampled = addKSampler(graph, {
    model,
    positive,
    negative,
    latent_image: latent,
    seed: o.seed,
    steps: o.steps,
    cfg: o.cfg,
    sampler_name: o.samplerName,
    scheduler: o.scheduler,
    denoise: o.initImage ? o.denoise : 1,
  }).LATENT;
  addSaveImage(graph, { images: addVAEDecode(graph, { samples: sampled, vae: checkpoint.VAE }).IMAGE, filename_prefix: o.filenamePrefix });
  return graph.toPrompt();
}
