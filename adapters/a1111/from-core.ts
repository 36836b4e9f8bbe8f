import { z } from "zod";
import { identityEmbeds, type Composition, type Identity } from "../../core/index.js";
import {
  adapterScaleSchema,
  identityNetScaleSchema,
  keypointImagePng,
  parseOptions,
  singleIdentityComposition,
  regionMaskPng,
  type ComposedIdentity,
} from "../../core/internal.js";
import { buildGenerationRequest, generationSchema } from "./request.js";
import type { A1111Request, ControlNetUnit, EmbeddingEncoder, IdentitySpec, ServerCapabilities } from "./types.js";

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be bytes (Uint8Array or Buffer)");
const fraction = z.number().min(0).max(1);
const coordinate = z.number().finite();
const point = z.tuple([coordinate, coordinate]).readonly();

/** What to ask of the server besides the picture: sampling settings, the server's capabilities, the face photos. */
const settingsSchema = generationSchema.omit({ prompt: true, negativePrompt: true, width: true, height: true }).extend({
  /** What the server offers: `client.detect()`, or `assumedCapabilities(flavour)` for a request written without asking. */
  server: z.custom<ServerCapabilities>(
    (v) => typeof v === "object" && v !== null && "flavour" in v && "ipAdapterModel" in v,
    "the server's capabilities (client.detect() or assumedCapabilities(flavour))",
  ),
  /** Turns an embedding into the `ipadapter_input` blob; default the core's `torch.save` writer. */
  encodeEmbedding: z.custom<EmbeddingEncoder>((v) => typeof v === "function", "a function").optional(),
});

const compositionSettingsSchema = settingsSchema.extend({
  /** Identity i's face photo, for servers that analyse faces themselves (Forge, SD.Next); undefined for identity files. */
  photos: z.array(bytes.optional()).readonly().default([]),
});

const identitySettingsSchema = settingsSchema.extend({
  ...generationSchema.pick({ prompt: true, negativePrompt: true, width: true, height: true }).shape,
  adapterScale: adapterScaleSchema,
  identityNetScale: identityNetScaleSchema,
  /** IdentityNet's guidance window, fractions of the steps; default 0 and 1. */
  start: fraction.default(0),
  end: fraction.default(1),
  /** Where the face goes, in canvas pixels (e.g. a pose photo's face fitted with `fitKeypoints`); default the identity's own, see below. */
  keypoints: z.tuple([point, point, point, point, point]).readonly().optional(),
  /** The face photo, for servers that analyse faces themselves (Forge, SD.Next). */
  photo: bytes.optional(),
});

/** Options of {@link a1111RequestFromComposition}: the canvas, prompts, scales and regions come from the composition. */
export type A1111CompositionOptions = z.input<typeof compositionSettingsSchema>;

/** Options of {@link a1111RequestFromIdentity}: the picture, the two strengths, and where the face goes. */
export type A1111IdentityOptions = z.input<typeof identitySettingsSchema>;

/** The embedding a server takes for an identity: its references combined by its mode, or each kept for `concat` (sent as one blob). */
export function serverEmbedding(identity: Identity): Float32Array | Float32Array[] {
  return identity.combine === "concat" ? [...identity.embeddings] : identityEmbeds(identity).data;
}

/** The shared prompt with every region prompt joined on: A1111 has no regional prompts. */
export function joinedPrompt(prompt: string, identities: readonly ComposedIdentity[]): string {
  return [prompt, ...identities.flatMap((c) => (c.prompt ? [c.prompt] : []))].join(", ");
}

/**
 * A composition's identities as unit specs: per identity its embedding (or photo), its own keypoint image,
 * its two strengths, IdentityNet's window and, with several identities, its region mask.
 */
async function identitySpecs(composition: Composition, photos: readonly (Uint8Array | undefined)[]): Promise<IdentitySpec[]> {
  const several = composition.identities.length > 1;
  const specs: IdentitySpec[] = [];
  for (const [i, c] of composition.identities.entries()) {
    specs.push({
      face: { photo: photos[i], analysis: { embedding: serverEmbedding(c.identity), keypointImage: await keypointImagePng(c) } },
      adapterScale: c.adapterScale,
      identityNetScale: c.identityNetScale,
      guidanceStart: c.start,
      guidanceEnd: c.end,
      mask: several ? await regionMaskPng(c.mask) : undefined,
    });
  }
  return specs;
}

/**
 * The A1111 / Forge / SD.Next request body of a composition: per identity the Image Adapter / IdentityNet
 * unit pair with its embedding (or photo), keypoint image, strengths and `effective_region_mask` (Forge:
 * `mask_image`), or SD.Next's face script for one identity. The guidance window is IdentityNet's, as
 * locally: each Image Adapter unit gets the full [0, 1] (sd-webui-controlnet would otherwise gate the image
 * attention with it too). A1111 has no regional prompts, so region prompts are joined to the shared prompt.
 * @throws InstantIdError INVALID_OPTION for malformed options, several identities on Forge or SD.Next, a
 * strength past sd-webui-controlnet's unit weight (2); SERVER_SETTING when the server reported fewer
 * ControlNet unit slots than the request has units.
 * @example
 * const server = await client.detect();
 * const body = await a1111RequestFromComposition(composition, { server, steps: 30, seed: 42 });
 * const { images } = await client.generate(body);
 */
export async function a1111RequestFromComposition(composition: Composition, options: A1111CompositionOptions): Promise<A1111Request> {
  const { server, encodeEmbedding, photos, ...settings } = parseOptions(compositionSettingsSchema, options, "A1111 composition options");
  const { width, height, negativePrompt } = composition;
  const body = await buildGenerationRequest(
    { ...settings, prompt: joinedPrompt(composition.prompt, composition.identities), negativePrompt, width, height },
    await identitySpecs(composition, photos),
    server,
    encodeEmbedding,
  );
  const units = (body.alwayson_scripts as { controlnet?: { args: ControlNetUnit[] } } | undefined)?.controlnet?.args;
  if (!units) return body; // SD.Next's face script has no units
  const args = units.map((unit, i) => (i % 2 === 0 ? { ...unit, guidance_start: 0, guidance_end: 1 } : unit));
  return { ...body, alwayson_scripts: { controlnet: { args } } };
}

/**
 * The request body of one identity over the whole picture: a one-identity composition (the face where `keypoints` says, else
 * where the identity's own photo had it: `photoPlacement`) sent as {@link a1111RequestFromComposition} sends it. With
 * sd-webui-controlnet the embedding travels as `ipadapter_input` and the keypoint image is drawn here,
 * so the server needs neither insightface nor the photo; Forge and SD.Next analyse `photo` themselves.
 * @throws InstantIdError INVALID_OPTION for malformed options; as {@link a1111RequestFromComposition}.
 * @example
 * const body = await a1111RequestFromIdentity(await loadIdentity("me.identity.safetensors"), {
 *   server: await client.detect(), prompt: "a watercolor portrait", adapterScale: 0.8, identityNetScale: 0.8,
 * });
 */
export async function a1111RequestFromIdentity(identity: Identity, options: A1111IdentityOptions): Promise<A1111Request> {
  const o = parseOptions(identitySettingsSchema, options, "A1111 identity options");
  const { prompt, negativePrompt, width, height, adapterScale, identityNetScale, start, end, keypoints, photo, ...settings } = o;
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
  return a1111RequestFromComposition(composition, { ...settings, photos: [photo] });
}
