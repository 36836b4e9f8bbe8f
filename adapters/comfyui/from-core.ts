import { z } from "zod";
import type { Composition, Identity } from "../../core/index.js";
import {
  adapterScaleSchema,
  ErrorCode,
  identityNetScaleSchema,
  InstantIdError,
  keypointImagePng,
  parseOptions,
  sha256Hex,
  singleIdentityComposition,
  regionMaskPng,
} from "../../core/internal.js";
import type { ComfyClient } from "./client.js";
import type { ApiPrompt } from "./graph.js";
import { buildInstantIdWorkflow, comfyOptionsSchema, type ComfyIdentity } from "./workflow.js";

/** Puts bytes on the server (or, for a dry run, only names them) and returns the name the workflow loads them by. */
export type ComfyPlacer = (data: Uint8Array, kind: string, extension: string) => Promise<string>;

/** The name an upload goes by: its kind and content hash, so reruns reuse it and a dry run names exactly what a run uploads. */
export function contentName(data: Uint8Array, kind: string, extension: string): string {
  return `instantid-${kind}-${sha256Hex(data).slice(0, 16)}${extension}`;
}

/** A placer that uploads to the server under {@link contentName} (`POST /upload/image`). */
export function uploadPlacer(client: ComfyClient): ComfyPlacer {
  return (data, kind, extension) => client.uploadImage(data, contentName(data, kind, extension));
}

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be bytes (Uint8Array or Buffer)");
const photo = z.object({
  data: bytes,
  /** The file extension the server loads it by (".jpg", ".png", ".webp"). */
  extension: z.string().regex(/^\.[A-Za-z0-9]+$/, 'must be a file extension such as ".jpg"'),
});
const fraction = z.number().min(0).max(1);
const coordinate = z.number().finite();
const point = z.tuple([coordinate, coordinate]).readonly();

/** The workflow's settings besides the picture: the server's models, sampling, and how images reach the server. */
const settingsSchema = comfyOptionsSchema.omit({ prompt: true, negativePrompt: true, width: true, height: true }).extend({
  /** Uploads an image and names it: `uploadPlacer(client)`, or a dry run's placer that only names (and keeps) it. */
  place: z.custom<ComfyPlacer>((v) => typeof v === "function", "a function (data, kind, extension) => Promise<name>"),
});

const compositionSettingsSchema = settingsSchema.extend({
  /** Each identity's face photo, in order: ComfyUI_InstantID computes the embedding from the photo and takes none. */
  photos: z.array(photo).readonly(),
});

const identitySettingsSchema = settingsSchema.extend({
  ...comfyOptionsSchema.pick({ prompt: true, negativePrompt: true, width: true, height: true }).shape,
  adapterScale: adapterScaleSchema,
  identityNetScale: identityNetScaleSchema,
  /** IdentityNet's guidance window, fractions of the steps; default 0 and 1. */
  start: fraction.default(0),
  end: fraction.default(1),
  /** Where the face goes, in canvas pixels; default the identity's recorded keypoints, its photo fitted whole onto the canvas. */
  keypoints: z.tuple([point, point, point, point, point]).readonly().optional(),
  /** The identity's face photo: the node pack computes the embedding from it. */
  photo,
});

/** Options of {@link comfyWorkflowFromComposition}: the canvas, prompts, strengths and regions come from the composition. */
export type ComfyCompositionOptions = z.input<typeof compositionSettingsSchema>;

/** Options of {@link comfyWorkflowFromIdentity}: the picture, the two strengths, where the face goes and its photo. */
export type ComfyIdentityOptions = z.input<typeof identitySettingsSchema>;

/** Canvas pixels no identity's region covers: ComfyUI has no positive conditioning there once every conditioning is masked. */
export function uncoveredPixels(composition: Composition): number {
  if (composition.identities.length < 2) return 0;
  const area = composition.width * composition.height;
  let uncovered = 0;
  for (let p = 0; p < area; p++) if (composition.identities.every((c) => c.mask.data[p] <= 0)) uncovered++;
  return uncovered;
}

/**
 * The API workflow of a composition with ComfyUI_InstantID's nodes: per identity its face photo (the pack
 * computes the embedding from it), its keypoint image as `image_kps`, with several identities its region
 * mask, its strengths (`ip_weight`, `cn_strength`), IdentityNet's window, its combine mode and region
 * prompt; noise 0, so the negative uses Resampler(zeros) tokens as the local runner does. The images are
 * placed on the server with `place` before the workflow names them.
 * @throws InstantIdError INVALID_OPTION for malformed options, or not one photo per identity.
 * @example
 * const workflow = await comfyWorkflowFromComposition(composition, {
 *   ...chooseModels(await client.objectInfo()), seed: 42, photos, place: uploadPlacer(client),
 * });
 * const result = await client.run(workflow);
 */
export async function comfyWorkflowFromComposition(composition: Composition, options: ComfyCompositionOptions): Promise<ApiPrompt> {
  const { place, photos, ...settings } = parseOptions(compositionSettingsSchema, options, "ComfyUI composition options");
  if (photos.length !== composition.identities.length) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `ComfyUI_InstantID reads each face from a photo and takes no embedding: give one photo per identity ` +
        `(${composition.identities.length}), in order, but ${photos.length} were given`,
    );
  }
  const several = composition.identities.length > 1;
  const identities: ComfyIdentity[] = [];
  for (const [i, c] of composition.identities.entries()) {
    identities.push({
      image: await place(photos[i].data, "face", photos[i].extension),
      keypoints: await place(await keypointImagePng(c), "kps", ".png"),
      mask: several ? await place(await regionMaskPng(c.mask), "mask", ".png") : undefined,
      adapterScale: c.adapterScale,
      identityNetScale: c.identityNetScale,
      startAt: c.start,
      endAt: c.end,
      noise: 0,
      combineEmbeds: c.identity.combine,
      prompt: c.prompt,
    });
  }
  const { width, height, prompt, negativePrompt } = composition;
  return buildInstantIdWorkflow({ ...settings, prompt, negativePrompt, width, height }, identities);
}

/**
 * The API workflow of one identity over the whole picture: a one-identity composition sent as
 * {@link comfyWorkflowFromComposition} sends it. The identity gives the keypoints (the ones given, else its
 * recorded ones fitted onto the canvas, else a frontal face in the canvas's face slot) and its combine mode;
 * the node pack reads the embedding from `photo`.
 * @throws InstantIdError INVALID_OPTION for malformed options.
 * @example
 * const workflow = await comfyWorkflowFromIdentity(identity, {
 *   ...models, prompt: "a watercolor portrait", seed: 42, photo: { data: await readFile("me.jpg"), extension: ".jpg" },
 *   place: uploadPlacer(client),
 * });
 */
export async function comfyWorkflowFromIdentity(identity: Identity, options: ComfyIdentityOptions): Promise<ApiPrompt> {
  const o = parseOptions(identitySettingsSchema, options, "ComfyUI identity options");
  const { prompt, negativePrompt, width, height, adapterScale, identityNetScale, start, end, keypoints, photo: face, ...settings } = o;
  const composition = singleIdentityComposition(identity, {
    width,
    height,
    prompt,
    negativePrompt,
    keypoints,
    adapterScale,
    identityNetScale,
    start,
    end,
  });
  return comfyWorkflowFromComposition(composition, { ...settings, photos: [face] });
}
