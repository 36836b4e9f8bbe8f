import { z } from "zod";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import { parseOptions, strengthSchema } from "../../core/internal.js";
import { faceScriptFields } from "./sdnext-face.js";
import { assertUnitSlots } from "./slots.js";
import type { A1111Request } from "./types.js";
import { toBase64, identityUnits } from "./units.js";
import type { EmbeddingEncoder, IdentitySpec, ServerCapabilities } from "./types.js";

const bytes = () => z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be bytes (Uint8Array or Buffer)");
const embedding = z
  .custom<Float32Array>((v) => v instanceof Float32Array, "must be a Float32Array")
  .refine((e) => e.length === 512, "must have 512 values");
const dimension = z
  .number()
  .int()
  .min(64)
  .max(4096)
  .refine((v) => v % 8 === 0, "must be a multiple of 8");

/** Validates generation options at the boundary. */
export const generationSchema = z.object({
  prompt: z.string(),
  negativePrompt: z.string().default(""),
  width: dimension.default(1024),
  height: dimension.default(1024),
  steps: z.number().int().min(1).max(150).default(30),
  cfgScale: z.number().min(0).max(30).default(5),
  seed: z.number().int().min(-1).default(-1),
  samplerName: z.string().default("Euler"),
  /** img2img only: the picture to start from, and how much to change it. */
  initImage: bytes().optional(),
  denoisingStrength: z.number().min(0).max(1).default(0.75),
});

/** Options of one generation; identities are passed separately. */
export type GenerationOptions = z.input<typeof generationSchema>;

/** sd-webui-controlnet's own bound on a unit's `weight` (its ControlNetUnit model answers 422 past it). */
export const A1111_MAX_UNIT_WEIGHT = 2;

/** A strength within the SDK's bounds, and within the unit weight sd-webui-controlnet takes. */
const unitWeight = strengthSchema.max(
  A1111_MAX_UNIT_WEIGHT,
  `must be at most ${A1111_MAX_UNIT_WEIGHT}, sd-webui-controlnet's largest unit weight`,
);

const identitySchema = z.object({
  face: z.object({
    photo: bytes().optional(),
    analysis: z.object({ embedding: z.union([embedding, z.array(embedding).min(1)]), keypointImage: bytes() }).optional(),
    pose: bytes().optional(),
  }),
  adapterScale: unitWeight,
  identityNetScale: unitWeight,
  guidanceStart: z.number().min(0).max(1),
  guidanceEnd: z.number().min(0).max(1),
  mask: bytes().optional(),
});

/**
 * Builds the JSON body of an A1111-style generation with InstantID for N identities: one
 * unit pair per identity (each with its `effective_region_mask` when there are several), or
 * SD.Next's face script (its `face` object, or its own arguments where the API maps that object
 * wrongly). `initImage` selects img2img.
 * @throws InstantIdError INVALID_OPTION for several identities on Forge or SD.Next; SERVER_SETTING when
 * the server reported fewer ControlNet unit slots than the request has units (see `assertUnitSlots`).
 */
export async function buildGenerationRequest(
  options: GenerationOptions,
  identities: readonly IdentitySpec[],
  server: ServerCapabilities,
  encodeEmbedding?: EmbeddingEncoder,
): Promise<A1111Request> {
  const parsed = parseOptions(generationSchema, options, "A1111 generation options");
  const checked = identities.map((identity, i) => parseOptions(identitySchema, identity, `identity ${i + 1}`)) as IdentitySpec[];
  checkIdentities(checked);
  const body: A1111Request = {
    prompt: parsed.prompt,
    negative_prompt: parsed.negativePrompt,
    width: parsed.width,
    height: parsed.height,
    steps: parsed.steps,
    cfg_scale: parsed.cfgScale,
    seed: parsed.seed,
    sampler_name: parsed.samplerName,
    batch_size: 1,
    n_iter: 1,
    send_images: true,
    save_images: false,
  };
  if (parsed.initImage) {
    body.init_images = [toBase64(parsed.initImage)];
    body.denoising_strength = parsed.denoisingStrength;
  }
  if (server.flavour === "sdnext") return { ...body, ...sdNextFace(checked, server) };
  if (server.flavour === "forge" && checked.length > 1) throw forgeSeveralIdentities(checked.length);
  const units: unknown[] = [];
  for (const identity of checked) units.push(...(await identityUnits(identity, server, encodeEmbedding)));
  const request = { ...body, alwayson_scripts: { controlnet: { args: units } } };
  if (server.unitSlots !== undefined) assertUnitSlots(request, server);
  return request;
}

function checkIdentities(identities: readonly IdentitySpec[]): void {
  if (!identities.length)
    throw new InstantIdError(ErrorCode.InvalidOption, "Expected at least one identity (a face photo) but received none; pass --face IMG");
  identities.forEach((identity, i) => {
    if (identity.guidanceStart > identity.guidanceEnd) {
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        `Identity ${i + 1}: guidance start ${identity.guidanceStart} is after guidance end ${identity.guidanceEnd}`,
      );
    }
    if (identities.length > 1 && !identity.mask) {
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        `Identity ${i + 1} of ${identities.length} has no region mask; with several identities each needs one, or they all act ` +
          `on the whole picture`,
      );
    }
  });
}

/**
 * Forge's InstantID Image Adapter unit sets the cross-attention input of every ControlNet to its own face
 * tokens (`sd_forge_ipadapter`'s conditioning modifier), so with several identities every IdentityNet
 * would get the last face: no request shape keeps them apart there.
 */
function forgeSeveralIdentities(count: number): InstantIdError {
  return new InstantIdError(
    ErrorCode.InvalidOption,
    `Forge cannot keep ${count} identities apart: each InstantID IP-Adapter unit replaces the cross-attention input of every ` +
      `ControlNet (sd_forge_ipadapter), so all IdentityNets would get the last face's tokens. Use A1111 with ` +
      `sd-webui-controlnet, ComfyUI (instantid comfyui), or the local runner (instantid compose --backend local) for several ` +
      `identities; Forge takes one`,
    { details: { flavour: "forge", identities: count } },
  );
}

function sdNextFace(identities: readonly IdentitySpec[], server: ServerCapabilities): Record<string, unknown> {
  if (identities.length > 1) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `SD.Next's face script takes one identity but ${identities.length} were given; use A1111 or ComfyUI for several`,
    );
  }
  const [identity] = identities;
  if (!identity.face.photo)
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      "SD.Next's face script analyses the photo itself, but this identity has none; pass the photo",
    );
  if (identity.face.pose) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      "SD.Next's face script draws the keypoints from the face photo itself and takes no pose photo; drop the pose, or pose the " +
        "face on A1111/Forge or ComfyUI",
    );
  }
  const values = { images: [toBase64(identity.face.photo)], strength: identity.adapterScale, conditioning: identity.identityNetScale };
  return faceScriptFields(values, server.faceScript ?? { kind: "face-object" });
}

export type { A1111Request } from "./types.js";
